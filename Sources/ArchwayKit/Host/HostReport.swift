import Foundation

/// One thing `archway doctor` checked: found or not, what it is, and the command that fixes it.
package struct HostCheck: Sendable, Hashable, Codable {
  /// What was checked: `qemu linux/arm64`, `binfmt_misc`, `gcc linux/riscv64`, `podman`, …
  package var name: String
  /// Whether it is there and usable.
  package var ok: Bool
  /// What was found (a path and version), or what is missing.
  package var detail: String
  /// The command that installs or enables it, when it is missing.
  package var fix: String?
  /// What is known to go wrong with what was found (a qemu release that crashes at random), though
  /// it is there and usable.
  package var warning: String? = nil
}

/// What this host can build and run, as `archway doctor` reports it.
package struct HostReport: Sendable, Hashable, Codable {
  /// The host's platform.
  package var host: String
  /// Every check, in a stable order.
  package var checks: [HostCheck]

  /// Probes the host: qemu-user emulators (with versions and sysroots) per target, binfmt_misc and
  /// its qemu registrations with flags, cross compilers, zig, Go, musl-gcc, container engines,
  /// wine, bwrap and debootstrap, and whether each engine that answers really starts a container
  /// with `engineArguments`; on macOS, whether Archway runs translated by Rosetta. `path` is the PATH
  /// searched.
  package static func probe(host: Platform, path: String?, engineArguments: [String] = []) async -> HostReport {
    let locate: @Sendable (String) -> String? = { ProcessSupervisor.locate($0, path: path) }
    var checks = await emulatorChecks(host: host, locate: locate)
    checks.append(binfmtCheck())
    if let rosetta = rosettaCheck() { checks.append(rosetta) }
    checks += compilerChecks(host: host, locate: locate)
    checks += await toolChecks(host: host, locate: locate, engineArguments: engineArguments)
    checks += toolchainChecks(host: host, locate: locate)
    return HostReport(host: host.description, checks: checks)
  }

  /// A qemu-user emulator for every linux target but the host's, with its version and whether the
  /// cross toolchain's glibc sysroot is there.
  static func emulatorChecks(host: Platform, locate: (String) -> String?) async -> [HostCheck] {
    var checks: [HostCheck] = []
    for spec in TargetCatalog.architectures where spec.platform.os == "linux" && spec.platform != host {
      guard let qemu = spec.qemu else { continue }
      guard let emulator = locate("\(qemu)-static") ?? locate(qemu) else {
        checks.append(
          HostCheck(
            name: "qemu \(spec.platform)", ok: false, detail: "no \(qemu)-static or \(qemu) on PATH",
            fix: "apt-get install qemu-user-static"))
        continue
      }
      let version = await firstLine(of: [emulator, "--version"]) ?? "version unknown"
      let sysroot = spec.crossSysroot
      let hasSysroot = sysroot.map { FileManager.default.fileExists(atPath: $0) } ?? false
      let linkage = (try? BinaryInspector.inspectFile(atPath: emulator))?.linkage
      let problems = EmulatorAdvisories.problems(versionLine: version, linkage: linkage)
      checks.append(
        HostCheck(
          name: "qemu \(spec.platform)", ok: true,
          detail: "\(emulator): \(version)"
            + (hasSysroot ? "; sysroot \(sysroot!)" : "; no glibc sysroot (static binaries only)"),
          fix: hasSysroot ? nil : spec.debianArch.map { "apt-get install libc6-\($0)-cross" },
          warning: problems.isEmpty ? nil : problems.joined(separator: "; ")))
    }
    return checks
  }

  /// A cross gcc for every linux target (the host's own gcc for the host's).
  static func compilerChecks(host: Platform, locate: (String) -> String?) -> [HostCheck] {
    TargetCatalog.architectures.filter { $0.platform.os == "linux" }.compactMap { spec in
      guard let prefix = TargetNames(spec: spec, libc: .gnu(nil)).gccPrefix else { return nil }
      let found = locate(prefix + "gcc") ?? (spec.platform == host ? locate("gcc") : nil)
      return HostCheck(
        name: "gcc \(spec.platform)", ok: found != nil, detail: found ?? "no \(prefix)gcc on PATH",
        fix: found == nil ? "apt-get install gcc-\(prefix.dropLast())" : nil)
    }
  }

  /// zig, Go, musl-gcc, the container engines (each that answers also starting a container with
  /// `engineArguments`), wine, bwrap and debootstrap, each with its version.
  static func toolChecks(
    host: Platform, locate: (String) -> String?, engineArguments: [String]
  ) async -> [HostCheck] {
    let tools: [(String, [String], String)] = [
      ("zig", ["python3", "-m", "ziglang", "version"], "python3 -m pip install ziglang"),
      ("go", ["go", "version"], "apt-get install golang-go"),
      ("musl-gcc", ["musl-gcc", "--version"], "apt-get install musl-tools"),
      // An engine counts only when it answers: a docker client without an engine is not one.
      ("podman", ["podman", "info", "--format", "podman {{.Version.Version}}"], "apt-get install podman runc"),
      ("docker", ["docker", "info", "--format", "docker {{.ServerVersion}}"], "install and start Docker Engine"),
      ("wine", ["wine", "--version"], "apt-get install wine wine64"),
      // The rootfs runner without root.
      ("bwrap", ["bwrap", "--version"], "apt-get install bubblewrap"),
      ("debootstrap", ["debootstrap", "--version"], "apt-get install debootstrap"),
    ]
    var checks: [HostCheck] = []
    for (name, argv, fix) in tools {
      let found = locate(argv[0])
      // An engine waits for its storage lock while another of its commands writes (an import).
      let limit: Duration = ["podman", "docker"].contains(name) ? .seconds(120) : .seconds(15)
      let version = found == nil ? nil : await firstLine(of: argv, limit: limit)
      checks.append(
        HostCheck(
          name: name, ok: version != nil,
          detail: version.map { "\(found!): \($0)" }
            ?? (found == nil ? "not found" : "\(found!) found, but it does not answer"),
          fix: version == nil ? fix : nil))
      if version != nil, ["podman", "docker"].contains(name) {
        checks.append(await containerStart(engine: found!, host: host, engineArguments: engineArguments))
      }
    }
    return checks
  }

  /// The programs a build runs, read with Archway's own readers: one not built for the host's arch
  /// runs translated (Rosetta) or emulated (binfmt_misc's qemu), 5–10× slower, and is a check that
  /// fails with the fix; all native is one passing check. A script (not a binary) is left out.
  static func toolchainChecks(host: Platform, locate: (String) -> String?) -> [HostCheck] {
    let crossCompilers = TargetCatalog.architectures.compactMap { spec in
      spec.platform.os == "linux" ? TargetNames(spec: spec, libc: .gnu(nil)).gccPrefix.map { $0 + "gcc" } : nil
    }
    let names = ["cc", "gcc", "g++", "clang", "zig", "go", "cargo", "rustc", "cmake", "make", "ninja"] + crossCompilers
    var native: [String] = []
    var foreign: [HostCheck] = []
    for name in names {
      guard let path = locate(name), let facts = try? BinaryInspector.inspectFile(atPath: path),
        facts.format != .unknown, facts.error == nil
      else { continue }
      let arches = facts.slices?.map(\.arch) ?? [facts.arch ?? "unknown"]
      let runsHere =
        arches.contains(host.arch) || (host.arch == "amd64" && arches == ["386"])
      if runsHere {
        native.append(name)
        continue
      }
      let how = host.os == "darwin" ? "translated by Rosetta" : "emulated by binfmt_misc's qemu"
      foreign.append(
        HostCheck(
          name: "toolchain \(name)", ok: false,
          detail: "\(path) is built for \(arches.joined(separator: "+")), not this \(host) host: it runs \(how),"
            + " 5–10× slower",
          fix:
            "install a build of \(name) for \(host.arch) (its \(host.arch) package or release) and put it first on PATH"
        ))
    }
    let summary = HostCheck(
      name: "toolchains", ok: foreign.isEmpty,
      detail: native.isEmpty ? "no compiler found" : "\(native.joined(separator: ", ")): built for \(host.arch)",
      fix: foreign.isEmpty ? nil : "see the toolchain checks below")
    return [summary] + foreign
  }

  /// Whether `engine` really starts a container of one of Archway's images for the host's arch with
  /// `engineArguments`: an engine that answers may still fail to start one (crun under this kind of
  /// virtual machine, a rootless setup without subuids).
  static func containerStart(engine: String, host: Platform, engineArguments: [String]) async -> HostCheck {
    let name = "\(URL(fileURLWithPath: engine).lastPathComponent) run"
    let tag = TargetCatalog.spec(for: host)?.debianArch ?? host.arch
    // An engine answers late while another of its commands holds its storage lock (an image
    // import): a listing that did not come is not an empty one.
    guard
      let images = await output(of: [engine, "images", "--format", "{{.Repository}}:{{.Tag}}"], limit: .seconds(120))
    else {
      return HostCheck(
        name: name, ok: false, detail: "`\(engine) images` failed or did not answer within 120 s",
        fix: "run archway doctor again once the engine's other commands have finished")
    }
    guard
      let image = images.split(separator: "\n").map(String.init).sorted().first(where: {
        $0.contains("archway/") && $0.hasSuffix(":\(tag)")
      })
    else {
      return HostCheck(
        name: name, ok: false, detail: "no archway/ image for \(host) to start a container of",
        fix: "archway env build debian-12 --engine \(URL(fileURLWithPath: engine).lastPathComponent)")
    }
    let logs = FileManager.default.temporaryDirectory.appendingPathComponent("archway-doctor-\(getpid())").path
    defer { try? FileManager.default.removeItem(atPath: logs) }
    let argv = [engine, "run", "--rm", "--network", "none"] + engineArguments + [image, "true"]
    let outcome = await ProcessSupervisor.run(
      ProcessLaunch(
        argv: argv, environment: ProcessInfo.processInfo.environment, timeout: .seconds(120),
        logs: logs + "/run"))
    let flags = engineArguments.isEmpty ? "" : " with \(engineArguments.joined(separator: " "))"
    guard outcome.status.succeeded else {
      return HostCheck(
        name: name, ok: false, detail: "a container of \(image)\(flags) does not start: \(outcome.lastWords)",
        fix: "give the engine the flags this host needs: engine_args: in the matrix, or $ARCHWAY_ENGINE_ARGS"
          + " (where the OCI runtime cannot set limits: --runtime runc --ulimit nofile=1024:1024"
          + " --ulimit nproc=1024:1024)")
    }
    return HostCheck(name: name, ok: true, detail: "a container of \(image) starts\(flags)")
  }

  /// binfmt_misc mounted, and its qemu registrations with their flags (F lets a chroot run them).
  static func binfmtCheck() -> HostCheck {
    let folder = BinfmtEntry.folder
    guard FileManager.default.fileExists(atPath: folder + "/status") else {
      return HostCheck(
        name: "binfmt_misc", ok: false, detail: "not mounted (only the rootfs runner needs it)",
        fix: "mount -t binfmt_misc binfmt_misc \(folder)")
    }
    let entries = BinfmtEntry.qemuNames()
    let described = entries.map { "\($0) [\(BinfmtEntry.read($0)?.flags ?? "?")]" }
    return HostCheck(
      name: "binfmt_misc", ok: !entries.isEmpty,
      detail: entries.isEmpty ? "mounted, no qemu registrations" : described.joined(separator: ", "),
      fix: entries.isEmpty ? "apt-get install qemu-user-static binfmt-support && update-binfmts --enable" : nil)
  }

  /// On macOS, whether Archway itself runs translated by Rosetta 2 (`sysctl.proc_translated`): an
  /// x86_64 build on Apple silicon sees an amd64 host, and what it calls native is emulated. Elsewhere
  /// nil. (No macOS machine runs the tests; this path is compiled and used there only.)
  static func rosettaCheck() -> HostCheck? {
    #if os(macOS)
      var translated: Int32 = 0
      var size = MemoryLayout<Int32>.size
      guard sysctlbyname("sysctl.proc_translated", &translated, &size, nil, 0) == 0 else {
        return HostCheck(name: "rosetta", ok: true, detail: "an Intel Mac (no sysctl.proc_translated)")
      }
      guard translated == 1 else { return HostCheck(name: "rosetta", ok: true, detail: "Archway runs natively") }
      return HostCheck(
        name: "rosetta", ok: false,
        detail: "Archway runs translated by Rosetta 2: an x86_64 process on an arm64 Mac, so amd64 is not native here",
        fix: "run an arm64 build of Archway (swift build -c release --arch arm64)")
    #else
      return nil
    #endif
  }

  /// The first line a program prints to standard output, or nil when it cannot run or fails.
  static func firstLine(of argv: [String], limit: Duration = .seconds(15)) async -> String? {
    await output(of: argv, limit: limit)?.split(separator: "\n").first.map(String.init)
  }

  /// What a program prints to standard output (up to 64 KiB), or nil when it cannot run, fails (unless
  /// `acceptFailure`), or has not ended within `limit` (then it is ended: a host probe never holds a run up).
  static func output(of argv: [String], limit: Duration = .seconds(15), acceptFailure: Bool = false) async -> String? {
    // Run as a step is: its limit kept by its own thread, its whole process group ended there. A
    // limit raced on Swift's few threads could lose to a busy pool either way: a probe that had
    // answered came back as none, and one that never ends held the run until it did.
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("archway-probe-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: folder) }
    let outcome = await ProcessSupervisor.run(
      ProcessLaunch(
        argv: argv, environment: ProcessInfo.processInfo.environment, timeout: limit,
        logs: folder.appendingPathComponent("probe").path))
    switch outcome.status {
    case .exited(0): break
    case .exited, .signaled: guard acceptFailure else { return nil }
    default: return nil
    }
    guard let path = outcome.stdoutLog, let log = FileHandle(forReadingAtPath: path) else { return nil }
    defer { try? log.close() }
    return String(decoding: (try? log.read(upToCount: 65536)) ?? Data(), as: UTF8.self)
  }
}
