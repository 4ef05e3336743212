import Foundation

/// ``RunnerChoice/qemu(_:)``'s setup: the emulator and its sysroot.
package struct QemuSetup: RunnerSetup {
  package var basis: RunnerBasis
  /// `qemu-ARCH-static` or `qemu-ARCH`, as found on the PATH.
  package var emulator: String
  /// qemu's `-L`: where the target's loader and libraries are; nil for static programs and a CPU
  /// model of the host's own arch (its libraries are the host's).
  package var sysroot: String?

  var record: RunnerRecord { basis.record(.qemu) { ($0.launcher, $0.sysroot) = (emulator, sysroot) } }

  func runner(context: RunnerContext) -> any StepRunner { QemuRunner(setup: self, context: context) }
}

/// Runs the target's programs under qemu-user: `qemu-ARCH [-cpu MODEL] [-L SYSROOT] PROGRAM ARGS`,
/// with a cross toolchain's sysroot or an environment's root filesystem, no binfmt_misc needed for
/// the cell's own programs. A host program (a shell, make) that starts the target's reaches qemu
/// through binfmt_misc, which finds the target's libraries through `QEMU_LD_PREFIX`.
struct QemuRunner: StepRunner, SetupBacked {
  let setup: QemuSetup
  let context: RunnerContext

  private var sysroot: String? { setup.sysroot }
  private var cpuModel: String? { setup.basis.cpuModel }

  var environment: [String: String] { setup.basis.emulatorEnvironment }
  var loaderRoot: String? { sysroot }

  /// qemu's argv for `argv`, a program of the target.
  func emulate(_ argv: [String]) -> [String] {
    [setup.emulator] + (cpuModel.map { ["-cpu", $0] } ?? []) + (setup.basis.unameRelease.map { ["-r", $0] } ?? [])
      + (sysroot.map { ["-L", $0] } ?? []) + argv
  }

  func launch(_ command: StepCommand) -> StepLaunch {
    switch emulated(command.argv, folder: context.out, workdir: command.workingDirectory) {
    case .direct(let argv), .onTheHost(let argv):
      .run(argv: ResourceLimit.wrap(argv, options: command.prlimitOptions), workingDirectory: command.workingDirectory)
    case .impossible(let reason): .cannotRun(.infrastructure(reason))
    }
  }

  /// The sysroot's packages or libc, and the emulator's version and build.
  func identity() async -> [String: String] {
    var parts = ReuseKey.sysroot(sysroot)
    parts["emulator"] = Fingerprint.emulator(
      setup.emulator, version: await context.versions.firstLine(of: [setup.emulator, "--version"]))
    return parts
  }

  /// The probe's shell is the host's: the kernel and the limits are the ones the emulated program
  /// meets too.
  func probe(_ argv: [String], limits: [String]) -> [String]? { ResourceLimit.wrap(argv, options: limits) }

  /// The limits from the host's shell; the machine and the libc asked of the sysroot's programs, when
  /// it is a whole root filesystem (an `env:` cell's), else of its `libc.so.6`.
  func fingerprint(limits: [String], ask: Fingerprint.Asker) async -> Fingerprint? {
    let lines = await ask("fingerprint", ResourceLimit.wrap(["sh", "-c", Fingerprint.limitsProbe], options: limits))
    guard var fingerprint = Fingerprint(limitsProbe: lines) else { return nil }
    func target(_ program: String, _ arguments: [String]) async -> String? {
      guard let sysroot, FileManager.default.fileExists(atPath: sysroot + program) else { return nil }
      let argv = ResourceLimit.wrap(emulate([sysroot + program] + arguments), options: limits)
      return await ask("fingerprint" + program.replacingOccurrences(of: "/", with: "-"), argv).first
    }
    fingerprint.machine = await target("/usr/bin/uname", ["-m"])
    fingerprint.libc = await target("/usr/bin/getconf", ["GNU_LIBC_VERSION"])
    if fingerprint.libc == nil, let sysroot {
      let argv = ResourceLimit.wrap(emulate(["\(sysroot)/lib/libc.so.6"]), options: limits)
      fingerprint.libc = Fingerprint.glibc(banner: await ask("fingerprint-libc", argv).first ?? "")
    }
    let emulator = setup.emulator
    fingerprint.emulator = Fingerprint.emulator(
      emulator, version: await ask("fingerprint-emulator", [emulator, "--version"]).first)
    let name = URL(fileURLWithPath: emulator).lastPathComponent
    fingerprint.binfmt = Fingerprint.binfmt(
      BinfmtEntry.read(name.hasSuffix("-static") ? String(name.dropLast(7)) : name))
    return fingerprint
  }

  /// A target program from any folder but the system's (`go test -exec` hands over a test binary
  /// in a temporary one); a host program with the CPU model in `QEMU_CPU` for what it starts.
  func programCommand(_ argv: [String], directory: String) throws(ExecError) -> [String] {
    switch emulated(argv, folder: directory, workdir: directory, anywhere: true) {
    case .direct(let command): return command  // qemu's `-cpu` is in it.
    case .onTheHost(let command):
      // The programs binfmt_misc hands to qemu read the model and the release from the environment.
      let variables = setup.basis.emulatorEnvironment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
      return variables.isEmpty ? command : ["env"] + variables + command
    case .impossible(let reason): throw ExecError(reason, exitCode: 3)
    }
  }

  /// How this runner runs one step's argv.
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

  /// How `argv` runs: its program is resolved against `workdir` (or where Archway runs) and the
  /// PATH, and read to see whether it is a binary of the target's architecture. A binary in the
  /// cell's `folder` always runs under the emulator, whatever it was built for: a wrong-arch build
  /// must fail there, not pass by running on the host. On an amd64 host the kernel runs 386
  /// programs itself: a static one runs directly (qemu-i386 crashes Go's 386 runtime), and a host
  /// program starts them without binfmt_misc (a dynamic one then needs the i386 loader, and says so
  /// when it is missing). A cell of the host's own arch emulated for its CPU (``cpuModel``) runs only
  /// its own programs: what a host program starts would escape the model. There, `anywhere` takes a
  /// binary from any folder but the system's (`/usr`, `/bin`, `/sbin`, or found on PATH) for the
  /// cell's own (`archway exec`, which is told what to run).
  func emulated(_ argv: [String], folder: String, workdir: String?, anywhere: Bool = false) -> Emulated {
    guard let program = argv.first else { return .impossible("nothing runs it") }
    let target = context.target
    let host = context.host.platform
    let wrapped = emulate(argv)
    let located =
      program.contains("/")
      ? (program.hasPrefix("/") ? program : (workdir ?? FileManager.default.currentDirectoryPath) + "/" + program)
      : ProcessSupervisor.locate(program, path: context.environment["PATH"])
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
    let qemu = TargetCatalog.spec(for: target.platform)?.qemu ?? "qemu-\(target.arch)"
    let binfmt = context.host.binfmtEnabled
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
