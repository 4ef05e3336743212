import Foundation

extension Runner {
  /// Whether `cell` names a CPU its own arch's host must not simply run natively: a level other
  /// than the host's (a lower one is proved under qemu's model of it, a higher one the host cannot
  /// run), or a qemu model by name.
  static func emulatesCPU(_ cell: Cell, on host: HostFacts) -> Bool {
    guard let level = cell.target.cpu else { return false }
    return level.rank == nil || level.name != host.cpuLevel
  }

  /// The cheapest runner that can honestly run `cell`'s binaries on this host, with the reason:
  /// native, then (for an `env:` cell) the environment's root filesystem by chroot or under qemu, then
  /// qemu with the cross toolchain's sysroot, then a container, then wine; otherwise `none` with the
  /// reason. A cell may ask for one with a `runner:` value.
  ///
  /// - Parameter engineArguments: a container cell's engine arguments when it names no `engine_args:`.
  public static func choose(for cell: Cell, on host: HostFacts, engineArguments: [String] = []) -> Runner {
    var runner = cheapest(for: cell, on: host, engineArguments: engineArguments)
    // Emulation is slower: run steps' limits are scaled by the runner (the cell's `timeout_scale:`).
    let foreign =
      cell.target.arch != host.platform.arch && !(cell.target.arch == "386" && host.platform.arch == "amd64")
    // Whatever emulates the target emulates the cell's CPU: qemu's `-cpu`, and `QEMU_CPU` for the
    // programs binfmt_misc hands to qemu (in a root filesystem, a container, or a host shell's).
    if runner.kind == .qemu || (foreign && [.rootfs, .container].contains(runner.kind)) {
      runner.cpuModel = cell.target.qemuModel
    }
    if let kind = RunnerKind(rawValue: runner.kind.rawValue) {
      runner.timeoutScale = cell.settings.timeoutScale(runner: kind, foreign: foreign)
    }
    return runner
  }

  private static func cheapest(for cell: Cell, on host: HostFacts, engineArguments: [String]) -> Runner {
    let target = cell.target
    let requested = cell.settings.runner
    let platform = Platform(os: target.os, arch: target.arch, variant: target.variant)
    let spec = TargetCatalog.spec(for: platform)
    if let env = cell.env {
      return forEnvironment(
        env, cell: cell, spec: spec, requested: requested, host: host, engineArguments: engineArguments)
    }
    let staticLibc = target.libc == .static
    let emulatesCPU = Self.emulatesCPU(cell, on: host)
    if emulatesCPU, let level = cell.target.cpu, level.qemuModel == nil {
      return Runner(
        kind: .none,
        reason: "cpu \(level.name) runs only on a host that has it (qemu emulates no AVX-512);"
          + " this host is \(host.cpuLevel ?? "of an unknown level")",
        hostLacksIt: true)
    }
    if requested == nil || requested == .native, target.os == host.platform.os, !emulatesCPU {
      if platform == host.platform { return Runner(kind: .native, reason: "the host is \(host.platform)") }
      if host.platform.arch == "amd64", target.arch == "386", staticLibc || host.exists("/lib/ld-linux.so.2") {
        return Runner(kind: .native, reason: "amd64 hosts run 386 binaries")
      }
    }
    if requested == nil || requested == .qemu, target.os == "linux", let qemu = spec?.qemu {
      guard let emulator = host.locate("\(qemu)-static") ?? host.locate(qemu) else {
        return Runner(
          kind: .none, reason: "no \(qemu)-static or \(qemu) on PATH (install qemu-user-static)", hostLacksIt: true)
      }
      if staticLibc { return Runner(kind: .qemu, reason: "static binaries run under \(qemu)", launcher: emulator) }
      if emulatesCPU, platform == host.platform || (target.arch == "386" && host.platform.arch == "amd64") {
        // The host's own arch on another CPU: its own libraries are the target's.
        return Runner(
          kind: .qemu, reason: "\(qemu) on the \(target.cpu?.name ?? "named") CPU, with the host's libraries",
          launcher: emulator)
      }
      guard target.libc.isGNU, let spec, let sysroot = crossSysroot(for: spec) else {
        return Runner(
          kind: .none, reason: "no \(target.libc) sysroot for \(target.platform) here; use libc static or an env",
          hostLacksIt: true)
      }
      guard host.exists(sysroot) else {
        let package = spec.debianArch.map { "libc6-\($0)-cross" } ?? "the cross toolchain's libc"
        return Runner(kind: .none, reason: "no sysroot \(sysroot) (install \(package))", hostLacksIt: true)
      }
      return Runner(kind: .qemu, reason: "\(qemu) with the sysroot \(sysroot)", launcher: emulator, sysroot: sysroot)
    }
    if requested == nil || requested == .wine, target.os == "windows", ["amd64", "386"].contains(target.arch) {
      // Debian's wine64 alone runs 64-bit programs; a 32-bit one needs wine32 (/usr/lib/wine/wine).
      guard let wine = host.locate("wine") ?? host.locate("wine64") else {
        return Runner(kind: .none, reason: "no wine on PATH (install wine and wine64) for \(target.platform)")
      }
      if target.arch == "386", host.exists("/usr/lib/wine/wine64"), !host.exists("/usr/lib/wine/wine") {
        return Runner(kind: .none, reason: "wine64 without wine32 cannot run \(target.platform) (install wine32:i386)")
      }
      var runner = Runner(kind: .wine, reason: "wine runs \(target.platform)", launcher: wine)
      runner.sysroot = URL(fileURLWithPath: cell.out).standardizedFileURL.path + "/wine-prefix"
      return runner
    }
    if let requested, requested != .none {
      // Asked for and not possible is the host's shortfall, never a build-only pass.
      return Runner(
        kind: .none, reason: "the runner '\(requested.rawValue)' cannot run \(target.platform) here",
        hostLacksIt: true)
    }
    return Runner(
      kind: .none,
      reason: "nothing on this \(host.platform) host runs \(target.platform) binaries; built and checked statically")
  }

  /// An `env:` cell's runner, cheapest first: the environment's cached root filesystem entered by
  /// chroot (root) or bwrap (a foreign arch through binfmt_misc's F registration), else the emulator with that root
  /// filesystem as its sysroot (`qemu -L`, unprivileged), else a container of the environment's image.
  /// `runner: rootfs | qemu | container` insists on one. A cell whose `env:` has no recipe runs in a
  /// container (its image may come from elsewhere).
  static func forEnvironment(
    _ env: String, cell: Cell, spec: ArchitectureSpec?, requested: RunnerKind?, host: HostFacts,
    engineArguments: [String]
  ) -> Runner {
    let platform = cell.target.platform
    if let requested, ![.rootfs, .qemu, .container].contains(requested) {
      return Runner(
        kind: .none,
        reason: "the runner '\(requested.rawValue)' cannot run the env '\(env)'; use rootfs, qemu or container",
        hostLacksIt: requested != .none)
    }
    if requested == .container {
      return container(for: cell, env: env, spec: spec, host: host, engineArguments: engineArguments)
    }
    guard let recipe = cell.environment, let arch = try? recipe.debianArch(for: platform) else {
      return Runner(kind: .none, reason: "the plan has no recipe of \(env) for \(platform)", hostLacksIt: true)
    }
    let rootfs = EnvironmentStore(root: host.environments, environment: [:]).rootfs(recipe, arch: arch)
    // A CPU other than the host's is emulated even on the host's own arch.
    let runsHere =
      (spec?.platform == host.platform || (host.platform.arch == "amd64" && spec?.platform.arch == "386"))
      && !emulatesCPU(cell, on: host)
    let qemu = spec?.qemu ?? "qemu"
    var unavailable: [String] = []
    if requested == nil || requested == .rootfs {
      let hasBwrap = host.locate("bwrap") != nil
      let chroot = host.isRoot && host.locate("unshare") != nil && hasBwrap
      let bwrap = chroot ? nil : host.locate("bwrap")
      if !chroot && bwrap == nil {
        unavailable.append("the rootfs runner needs bwrap (and, as root, unshare)")
      } else if !runsHere && !host.binfmtFixed.contains(qemu) {
        unavailable.append("the rootfs runner needs binfmt_misc's \(qemu) with the F flag")
      } else {
        let how = bwrap == nil ? "pivot_root (bwrap, as root, on an overlay)" : "bwrap"
        var runner = Runner(
          kind: .rootfs, reason: "\(how) into \(env)/\(arch) (\(rootfs))", launcher: bwrap, sysroot: rootfs)
        runner.boundFolder = URL(fileURLWithPath: cell.out).standardizedFileURL.path
        runner.projectFolder = host.project
        return built(runner, rootfs: rootfs, env: env, arch: arch, host: host)
      }
    }
    if requested == nil || requested == .qemu {
      if runsHere {
        unavailable.append("\(platform) runs natively, not under qemu")
      } else if let emulator = host.locate("\(qemu)-static") ?? host.locate(qemu) {
        let runner = Runner(
          kind: .qemu, reason: "\(qemu) with the root filesystem of \(env)/\(arch) (\(rootfs))", launcher: emulator,
          sysroot: rootfs)
        return built(runner, rootfs: rootfs, env: env, arch: arch, host: host)
      } else {
        unavailable.append("no \(qemu)-static or \(qemu) on PATH (install qemu-user-static)")
      }
    }
    if requested == nil {
      var runner = container(for: cell, env: env, spec: spec, host: host, engineArguments: engineArguments)
      runner.reason += " (\(unavailable.joined(separator: "; ")))"
      return runner
    }
    return Runner(kind: .none, reason: unavailable.joined(separator: "; "), hostLacksIt: true)
  }

  /// `runner`, or `none` when the environment's root filesystem has not been built (`run` builds it
  /// first unless `--no-provision`).
  private static func built(_ runner: Runner, rootfs: String, env: String, arch: String, host: HostFacts) -> Runner {
    guard host.exists(rootfs + "/usr/bin") else {
      return Runner(
        kind: .none, reason: "the environment \(env)/\(arch) is not built (archway env build \(env) --arch \(arch))",
        hostLacksIt: true)
    }
    return runner
  }

  /// The container runner for an `env:` cell: the cell's `engine:` (default podman, then docker) and
  /// the image `archway/ENV:DEBIAN-ARCH`; `none` (an infrastructure problem) without an engine.
  static func container(
    for cell: Cell, env: String, spec: ArchitectureSpec?, host: HostFacts, engineArguments: [String]
  ) -> Runner {
    let requested = cell.settings.engine?.rawValue
    let engines = requested.map { [$0] } ?? ["podman", "docker"]
    guard let engine = engines.lazy.compactMap(host.locate).first else {
      return Runner(
        kind: .none,
        reason: "the env '\(env)' needs a container engine; no \(engines.joined(separator: " or ")) on PATH",
        hostLacksIt: true)
    }
    let image = EnvironmentStore.image(env, arch: spec?.debianArch ?? cell.target.arch)
    var runner = Runner(
      kind: .container, reason: "\(URL(fileURLWithPath: engine).lastPathComponent) container of \(image)",
      launcher: engine)
    runner.image = image
    runner.containerPlatform = cell.target.platform.description
    runner.engineArguments = cell.settings.engineArguments ?? engineArguments
    runner.seccomp = cell.settings.seccomp
    runner.projectFolder = host.project
    return runner
  }
}
