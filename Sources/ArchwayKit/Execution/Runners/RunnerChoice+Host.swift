import Foundation

extension RunnerChoice {
  /// The cheapest runner that can honestly run `cell`'s binaries on this host, with the reason:
  /// native, then (for an `env:` cell) the environment's root filesystem by chroot or under qemu, then
  /// qemu with the cross toolchain's sysroot, then a container, then wine; otherwise `none` with the
  /// reason. A cell may ask for one with a `runner:` value.
  ///
  /// - Parameter engineArguments: a container cell's engine arguments when it names no `engine_args:`.
  package static func choose(for cell: Cell, on host: HostFacts, engineArguments: [String] = []) -> RunnerChoice {
    // Emulation is slower: run steps' limits are scaled by the runner (the cell's `timeout_scale:`).
    let foreign =
      cell.target.arch != host.platform.arch && !(cell.target.arch == "386" && host.platform.arch == "amd64")
    return cheapest(for: cell, on: host, engineArguments: engineArguments).adjusted(for: cell, foreign: foreign)
  }

  /// Whether `cell` names a CPU its own arch's host must not simply run natively: a level other
  /// than the host's (a lower one is proved under qemu's model of it, a higher one the host cannot
  /// run), or a qemu model by name.
  static func emulatesCPU(_ cell: Cell, on host: HostFacts) -> Bool {
    guard let level = cell.target.cpu else { return false }
    return level.rank == nil || level.name != host.cpuLevel
  }

  private static func cheapest(for cell: Cell, on host: HostFacts, engineArguments: [String]) -> RunnerChoice {
    let target = cell.target
    let requested = cell.settings.runner
    let spec = TargetCatalog.spec(for: target.platform)
    if let env = cell.env {
      return forEnvironment(
        env, cell: cell, spec: spec, requested: requested, host: host, engineArguments: engineArguments)
    }
    if requested == .ssh { return ssh(for: cell, host: host) }
    let emulatesCPU = Self.emulatesCPU(cell, on: host)
    if emulatesCPU, let level = target.cpu, level.qemuModel == nil {
      return .none(
        "cpu \(level.name) runs only on a host that has it (qemu emulates no AVX-512);"
          + " this host is \(host.cpuLevel ?? "of an unknown level")", hostLacksIt: true)
    }
    if requested == nil || requested == .native, target.os == host.platform.os, !emulatesCPU {
      if target.platform == host.platform {
        return .native(NativeSetup(basis: RunnerBasis(reason: "the host is \(host.platform)")))
      }
      if host.platform.arch == "amd64", target.arch == "386",
        target.libc == .static || host.exists("/lib/ld-linux.so.2")
      {
        return .native(NativeSetup(basis: RunnerBasis(reason: "amd64 hosts run 386 binaries")))
      }
    }
    if requested == nil || requested == .qemu, target.os == "linux", let qemu = spec?.qemu {
      return emulated(cell, qemu: qemu, spec: spec, emulatesCPU: emulatesCPU, host: host)
    }
    if requested == nil || requested == .wine, target.os == "windows", ["amd64", "386"].contains(target.arch) {
      return wine(for: cell, host: host)
    }
    if let requested, requested != .none {
      // Asked for and not possible is the host's shortfall, never a build-only pass.
      return .none("the runner '\(requested.rawValue)' cannot run \(target.platform) here", hostLacksIt: true)
    }
    if cell.settings.host != nil, requested == nil { return ssh(for: cell, host: host) }
    return .none("nothing on this \(host.platform) host runs \(target.platform) binaries; built and checked statically")
  }

  /// A cell whose steps go to its machine over ssh.
  private static func ssh(for cell: Cell, host: HostFacts) -> RunnerChoice {
    guard let remote = cell.settings.host else {
      return .none("runner: ssh without a machine for \(cell.target.platform) in hosts:", hostLacksIt: true)
    }
    guard let ssh = host.locate("ssh") else {
      return .none("no ssh on PATH (install openssh-client) to reach \(remote.label)", hostLacksIt: true)
    }
    return .ssh(SshSetup(basis: RunnerBasis(reason: "the machine \(remote.label) runs it"), ssh: ssh, host: remote))
  }

  /// A linux cell under qemu, with the cross toolchain's sysroot (none for static programs, nor for
  /// the host's own arch on another CPU, whose libraries are the host's).
  private static func emulated(
    _ cell: Cell, qemu: String, spec: ArchitectureSpec?, emulatesCPU: Bool, host: HostFacts
  ) -> RunnerChoice {
    let target = cell.target
    guard let emulator = host.locate("\(qemu)-static") ?? host.locate(qemu) else {
      return .none("no \(qemu)-static or \(qemu) on PATH (install qemu-user-static)", hostLacksIt: true)
    }
    if target.libc == .static {
      return .qemu(QemuSetup(basis: RunnerBasis(reason: "static binaries run under \(qemu)"), emulator: emulator))
    }
    if emulatesCPU, target.platform == host.platform || (target.arch == "386" && host.platform.arch == "amd64") {
      let reason = "\(qemu) on the \(target.cpu?.name ?? "named") CPU, with the host's libraries"
      return .qemu(QemuSetup(basis: RunnerBasis(reason: reason), emulator: emulator))
    }
    guard target.libc.isGNU, let spec, let sysroot = spec.crossSysroot else {
      return .none(
        "no \(target.libc) sysroot for \(target.platform) here; use libc static or an env", hostLacksIt: true)
    }
    guard host.exists(sysroot) else {
      let package = spec.debianArch.map { "libc6-\($0)-cross" } ?? "the cross toolchain's libc"
      return .none("no sysroot \(sysroot) (install \(package))", hostLacksIt: true)
    }
    return .qemu(
      QemuSetup(basis: RunnerBasis(reason: "\(qemu) with the sysroot \(sysroot)"), emulator: emulator, sysroot: sysroot)
    )
  }

  /// A windows/amd64 or windows/386 cell under wine, in a prefix in the cell's folder.
  private static func wine(for cell: Cell, host: HostFacts) -> RunnerChoice {
    let platform = cell.target.platform
    // Debian's wine64 alone runs 64-bit programs; a 32-bit one needs wine32 (/usr/lib/wine/wine).
    guard let wine = host.locate("wine") ?? host.locate("wine64") else {
      return .none("no wine on PATH (install wine and wine64) for \(platform)")
    }
    if cell.target.arch == "386", host.exists("/usr/lib/wine/wine64"), !host.exists("/usr/lib/wine/wine") {
      return .none("wine64 without wine32 cannot run \(platform) (install wine32:i386)")
    }
    let prefix = PathText.absolute(cell.out, from: "/") + "/wine-prefix"
    return .wine(WineSetup(basis: RunnerBasis(reason: "wine runs \(platform)"), wine: wine, prefix: prefix))
  }

  /// An `env:` cell's runner, cheapest first: the environment's cached root filesystem entered by
  /// chroot (root) or bwrap (a foreign arch through binfmt_misc's F registration), else the emulator
  /// with that root filesystem as its sysroot (`qemu -L`, unprivileged), else a container of the
  /// environment's image. `runner: rootfs | qemu | container` insists on one. A cell whose `env:`
  /// has no recipe runs in a container (its image may come from elsewhere).
  static func forEnvironment(
    _ env: String, cell: Cell, spec: ArchitectureSpec?, requested: RunnerKind?, host: HostFacts,
    engineArguments: [String]
  ) -> RunnerChoice {
    let platform = cell.target.platform
    if let requested, ![.rootfs, .qemu, .container].contains(requested) {
      return .none(
        "the runner '\(requested.rawValue)' cannot run the env '\(env)'; use rootfs, qemu or container",
        hostLacksIt: requested != .none)
    }
    if requested == .container {
      return container(for: cell, env: env, spec: spec, host: host, engineArguments: engineArguments)
    }
    guard let recipe = cell.environment, let arch = try? recipe.debianArch(for: platform) else {
      return .none("the plan has no recipe of \(env) for \(platform)", hostLacksIt: true)
    }
    let place = EnvironmentPlace(
      env: env, arch: arch,
      rootfs: EnvironmentStore(root: host.environments, environment: [:]).rootfs(recipe, arch: arch),
      // A CPU other than the host's is emulated even on the host's own arch.
      runsHere: (spec?.platform == host.platform || (host.platform.arch == "amd64" && spec?.platform.arch == "386"))
        && !emulatesCPU(cell, on: host),
      qemu: spec?.qemu ?? "qemu")
    var unavailable: [String] = []
    for (kind, attempt) in [(RunnerKind.rootfs, inRootfs), (.qemu, underQemu)]
    where requested == nil || requested == kind {
      switch attempt(place, cell, host) {
      case .chosen(let choice): return choice
      case .refused(let why): unavailable.append(why)
      }
    }
    guard requested == nil else { return .none(unavailable.joined(separator: "; "), hostLacksIt: true) }
    let fallback = " (\(unavailable.joined(separator: "; ")))"
    return container(for: cell, env: env, spec: spec, host: host, engineArguments: engineArguments).with {
      $0.reason += fallback
    }
  }

  /// The container runner for an `env:` cell: the cell's `engine:` (default podman, then docker) and
  /// the image `archway/ENV:DEBIAN-ARCH`; `none` (an infrastructure problem) without an engine.
  static func container(
    for cell: Cell, env: String, spec: ArchitectureSpec?, host: HostFacts, engineArguments: [String]
  ) -> RunnerChoice {
    let requested = cell.settings.engine?.rawValue
    let engines = requested.map { [$0] } ?? ["podman", "docker"]
    guard let engine = engines.lazy.compactMap(host.locate).first else {
      return .none(
        "the env '\(env)' needs a container engine; no \(engines.joined(separator: " or ")) on PATH",
        hostLacksIt: true)
    }
    let image = EnvironmentStore.image(env, arch: spec?.debianArch ?? cell.target.arch)
    return .container(
      ContainerSetup(
        basis: RunnerBasis(reason: "\(URL(fileURLWithPath: engine).lastPathComponent) container of \(image)"),
        engine: engine,
        image: image, platform: cell.target.platform.description,
        engineArguments: cell.settings.engineArguments ?? engineArguments, seccomp: cell.settings.seccomp,
        network: cell.settings.network, project: host.project))
  }

  /// Where an `env:` cell's environment is on this host, and whether the host runs its arch itself.
  private struct EnvironmentPlace {
    var env: String
    var arch: String
    var rootfs: String
    var runsHere: Bool
    var qemu: String

    /// `choice`, or `none` when the environment's root filesystem has not been built (`run` builds it
    /// first unless `--no-provision`).
    func built(_ choice: RunnerChoice, host: HostFacts) -> RunnerChoice {
      guard host.exists(rootfs + "/usr/bin") else {
        return .none(
          "the environment \(env)/\(arch) is not built (archway env build \(env) --arch \(arch))", hostLacksIt: true)
      }
      return choice
    }
  }

  /// What one runner made of an environment: chosen, or refused with the reason.
  private enum Attempt {
    case chosen(RunnerChoice)
    case refused(String)
  }

  /// The environment's root filesystem, entered by `pivot_root` as root or by bwrap; a foreign arch
  /// needs binfmt_misc's qemu with the F flag.
  private static func inRootfs(_ place: EnvironmentPlace, _ cell: Cell, _ host: HostFacts) -> Attempt {
    let chroot = host.isRoot && host.locate("unshare") != nil && host.locate("bwrap") != nil
    let bwrap = chroot ? nil : host.locate("bwrap")
    if !chroot && bwrap == nil { return .refused("the rootfs runner needs bwrap (and, as root, unshare)") }
    if !place.runsHere && !host.binfmtFixed.contains(place.qemu) {
      return .refused("the rootfs runner needs binfmt_misc's \(place.qemu) with the F flag")
    }
    let how = bwrap == nil ? "pivot_root (bwrap, as root, on an overlay)" : "bwrap"
    let setup = RootfsSetup(
      basis: RunnerBasis(reason: "\(how) into \(place.env)/\(place.arch) (\(place.rootfs))"), rootfs: place.rootfs,
      bwrap: bwrap, folder: PathText.absolute(cell.out, from: "/"), project: host.project)
    return .chosen(place.built(.rootfs(setup), host: host))
  }

  /// The emulator with the environment's root filesystem as its sysroot, for a foreign arch.
  private static func underQemu(_ place: EnvironmentPlace, _ cell: Cell, _ host: HostFacts) -> Attempt {
    if place.runsHere { return .refused("\(cell.target.platform) runs natively, not under qemu") }
    guard let emulator = host.locate("\(place.qemu)-static") ?? host.locate(place.qemu) else {
      return .refused("no \(place.qemu)-static or \(place.qemu) on PATH (install qemu-user-static)")
    }
    let setup = QemuSetup(
      basis: RunnerBasis(
        reason: "\(place.qemu) with the root filesystem of \(place.env)/\(place.arch) (\(place.rootfs))"),
      emulator: emulator, sysroot: place.rootfs)
    return .chosen(place.built(.qemu(setup), host: host))
  }
}
