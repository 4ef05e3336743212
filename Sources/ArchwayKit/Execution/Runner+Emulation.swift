import Foundation

extension Runner {
  /// How a qemu cell runs one step's argv.
  enum Emulated: Equatable {
    /// The program is one of the target's binaries: `qemu -L SYSROOT PROGRAM ARGS` (no binfmt needed).
    case direct([String])
    /// The program is the host's (a shell, make, ctest): it runs on the host, and every target
    /// binary it starts is dispatched by binfmt_misc to qemu, which finds the target's libraries
    /// through `QEMU_LD_PREFIX`.
    case onTheHost([String])
    /// The program is the host's but binfmt_misc does not run the target's binaries: the step could
    /// only fail, silently, so it is not run.
    case impossible(String)
  }

  /// How this (qemu) runner runs `argv` for `target`: `program` is resolved against `workdir` (or
  /// where Archway runs) and `path`, and read to see whether it is a binary of the target's
  /// architecture. A binary in the cell's `folder` always runs under the emulator, whatever it was
  /// built for: a wrong-arch build must fail there, not pass by running on the host. `binfmt` are
  /// the emulators binfmt_misc runs (`qemu-aarch64`). On an amd64 `host` the kernel runs 386
  /// programs itself: a static one runs directly (qemu-i386 crashes Go's 386 runtime), and a host
  /// program starts them without binfmt_misc (a dynamic one then needs the i386 loader, and says so
  /// when it is missing). A cell of the host's own arch emulated for its CPU (``cpuModel``) runs only
  /// its own programs: what a host program starts would escape the model. There, `anywhere`
  /// takes a binary from any folder but the system's (`/usr`, `/bin`, `/sbin`, or found on PATH) for
  /// the cell's own (`archway exec`, which is told what to run: `go test -exec` hands it a test binary
  /// in a temporary folder).
  func emulated(
    _ argv: [String], target: CellTarget, folder: String, workdir: String?, path: String?, binfmt: Set<String>,
    host: Platform, anywhere: Bool = false
  ) -> Emulated {
    guard let program = argv.first, let wrapped = wrap(argv) else { return .impossible("nothing runs it") }
    let located =
      program.contains("/")
      ? (program.hasPrefix("/") ? program : (workdir ?? FileManager.default.currentDirectoryPath) + "/" + program)
      : ProcessSupervisor.locate(program, path: path)
    guard let located, FileManager.default.fileExists(atPath: located) else { return .direct(wrapped) }
    let facts = try? BinaryInspector.inspectFile(atPath: located)
    let built = URL(fileURLWithPath: located).standardizedFileURL.path.hasPrefix(folder + "/")
    if let model = cpuModel, target.arch == host.arch || (target.arch == "386" && host.arch == "amd64") {
      // The host's own arch under a CPU model: no binfmt_misc registration hands what a program
      // starts back to qemu, so only the cell's programs can run, each under the model itself.
      let hostTool = !program.contains("/") || ["/usr/", "/bin/", "/sbin/"].contains { located.hasPrefix($0) }
      if built || (anywhere && !hostTool), facts?.format == .elf { return .direct(wrapped) }
      return .impossible(
        "\(program) is the host's program, not the cell's: on this \(host) host what it starts would run natively,"
          + " not on the \(model) CPU; run the cell's program directly, or through"
          + " `archway exec --target \(target.platform) --cpu \(target.cpu?.name ?? model) --`")
    }
    if target.arch == "386", host.arch == "amd64", facts?.format == .elf, facts?.arch == "386",
      facts?.interpreter == nil, facts?.linkage == .static || facts?.linkage == .staticPIE
    {
      return .direct(argv)
    }
    if facts?.format == .elf, facts?.arch == target.arch || built { return .direct(wrapped) }
    let platform = Platform(os: target.os, arch: target.arch, variant: target.variant)
    let qemu = TargetCatalog.spec(for: platform)?.qemu ?? "qemu-\(target.arch)"
    // qemu-user-static registers no qemu-i386 on amd64: the kernel is what runs them.
    if target.arch == "386", host.arch == "amd64", !binfmt.contains(qemu) { return .onTheHost(argv) }
    guard binfmt.contains(qemu) else {
      let fix = "apt-get install qemu-user-static binfmt-support && update-binfmts --enable; archway doctor checks it"
      return .impossible(
        "\(program) is not a \(target.platform) binary (a script or the host's program), so the programs it starts"
          + " need binfmt_misc's \(qemu), which is not registered here (\(fix))")
    }
    return .onTheHost(sysroot.map { ["env", "QEMU_LD_PREFIX=\($0)"] + argv } ?? argv)
  }
}
