import Foundation

/// How a cell's run steps reach its target, chosen per cell and reported with the reason.
public struct Runner: Sendable, Hashable, Codable {
  /// The runner kinds, cheapest first.
  public enum Kind: String, Sendable, Hashable, Codable {
    case native, qemu, rootfs, container, wine, none
  }

  /// Which runner.
  public var kind: Kind
  /// Why it was chosen, or why nothing can run (for `none`).
  public var reason: String
  /// The program that runs the target's binaries: the emulator or wine.
  public var launcher: String?
  /// The sysroot handed to qemu with `-L`.
  public var sysroot: String?
  /// For `none`: whether the host lacks something it could have (an emulator, a sysroot), which
  /// makes the cell an infrastructure problem rather than a build-only target.
  public var hostLacksIt = false
  /// For `container`: the image (`archway/ENV:DEBIAN-ARCH`), the `--platform`, and extra engine
  /// arguments from the cell's `engine_args:` (the flags a host needs, e.g. `--runtime runc`).
  public var image: String?
  /// See ``image``.
  public var containerPlatform: String?
  /// See ``image``.
  public var engineArguments: [String] = []
  /// For `rootfs`: the cell's folder (absolute), bound into the root filesystem at the same path.
  public var boundFolder: String?

  /// How `rootfs` enters the root filesystem: a private mount namespace in which the cell's folder,
  /// /dev and a fresh /proc are mounted into it, then chroot (a foreign arch runs through
  /// binfmt_misc's qemu, registered with the F flag).
  static let rootfsScript = """
    root=$1 folder=$2; shift 2
    mkdir -p "$root$folder" && mount --bind "$folder" "$root$folder" && mount --rbind /dev "$root/dev" \
      && mount -t proc proc "$root/proc" && exec chroot "$root" "$@"
    """

  /// The argv that runs `argv` on the target; nil for `none`.
  public func wrap(_ argv: [String]) -> [String]? {
    switch kind {
    case .native: argv
    case .qemu: [launcher ?? "qemu"] + (sysroot.map { ["-L", $0] } ?? []) + argv
    case .wine: [launcher ?? "wine"] + argv
    case .rootfs:
      ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", Self.rootfsScript, "rootfs"]
        + [sysroot ?? "/", boundFolder ?? "/"] + argv
    case .container, .none: nil
    }
  }

  /// The cheapest runner that can honestly run `cell`'s binaries on this host: native, then qemu
  /// (with the cross toolchain's sysroot for dynamic glibc binaries), then wine; otherwise `none`
  /// with the reason. A cell may ask for one with a `runner:` value.
  ///
  /// - Parameters:
  ///   - locate: finds a program on the PATH (injected so tests can fake a host).
  ///   - exists: whether a path exists.
  ///   - engineArguments: a container cell's engine arguments when it names no `engine_args:`.
  public static func choose(
    for cell: Cell, host: Platform, locate: (String) -> String?, exists: (String) -> Bool,
    engineArguments: [String] = []
  ) -> Runner {
    let target = cell.target
    let requested = cell["runner"]?.description
    let platform = Platform(os: target.os, arch: target.arch, variant: target.variant)
    let spec = TargetCatalog.spec(for: platform)
    if let env = cell.env {
      if requested == "rootfs" { return rootfs(for: cell, env: env, locate: locate, exists: exists) }
      return container(for: cell, env: env, spec: spec, locate: locate, engineArguments: engineArguments)
    }
    let staticLibc = target.libc == "static"
    if requested == nil || requested == "native", target.os == host.os {
      if platform == host { return Runner(kind: .native, reason: "the host is \(host)") }
      if host.arch == "amd64", target.arch == "386", staticLibc || exists("/lib/ld-linux.so.2") {
        return Runner(kind: .native, reason: "amd64 hosts run 386 binaries")
      }
    }
    if requested == nil || requested == "qemu", target.os == "linux", let qemu = spec?.qemu {
      guard let emulator = locate("\(qemu)-static") ?? locate(qemu) else {
        return Runner(
          kind: .none, reason: "no \(qemu)-static or \(qemu) on PATH (install qemu-user-static)", hostLacksIt: true)
      }
      if staticLibc { return Runner(kind: .qemu, reason: "static binaries run under \(qemu)", launcher: emulator) }
      guard target.libc.hasPrefix("gnu"), let spec, let sysroot = crossSysroot(for: spec) else {
        return Runner(
          kind: .none, reason: "no \(target.libc) sysroot for \(target.platform) here; use libc static or an env",
          hostLacksIt: true)
      }
      guard exists(sysroot) else {
        let package = spec.debianArch.map { "libc6-\($0)-cross" } ?? "the cross toolchain's libc"
        return Runner(kind: .none, reason: "no sysroot \(sysroot) (install \(package))", hostLacksIt: true)
      }
      return Runner(kind: .qemu, reason: "\(qemu) with the sysroot \(sysroot)", launcher: emulator, sysroot: sysroot)
    }
    if requested == nil || requested == "wine", target.os == "windows", ["amd64", "386"].contains(target.arch) {
      if let wine = locate("wine64") ?? locate("wine") {
        return Runner(kind: .wine, reason: "wine runs \(target.platform)", launcher: wine)
      }
      return Runner(kind: .none, reason: "no wine on PATH (install wine64) for \(target.platform)")
    }
    if let requested, requested != "none" {
      return Runner(kind: .none, reason: "the runner '\(requested)' cannot run \(target.platform) here")
    }
    return Runner(
      kind: .none, reason: "nothing on this \(host) host runs \(target.platform) binaries; built and checked statically"
    )
  }

  /// ``choose(for:host:locate:exists:)`` on this machine: programs looked up on `path`.
  public static func choose(for cell: Cell, host: Platform, path: String?, engineArguments: [String] = []) -> Runner {
    choose(
      for: cell, host: host, locate: { ProcessSupervisor.locate($0, path: path) },
      exists: { FileManager.default.fileExists(atPath: $0) }, engineArguments: engineArguments)
  }

  /// Where Debian's cross toolchain keeps a target's glibc: `/usr/` + the GNU triple
  /// (`/usr/i686-linux-gnu` for 386, whose multiarch name is `i386-linux-gnu`).
  public static func crossSysroot(for spec: ArchitectureSpec) -> String? {
    guard spec.platform.os == "linux" else { return nil }
    return "/usr/\(spec.gnuArch)-linux-\(spec.gnuABI)"
  }

  /// The rootfs runner for an `env:` cell that asks for it (`runner: rootfs`): the environment's cached
  /// root filesystem (``EnvironmentStore``), entered with unshare and chroot, which need root.
  static func rootfs(for cell: Cell, env: String, locate: (String) -> String?, exists: (String) -> Bool) -> Runner {
    guard let recipe = try? EnvironmentRecipe.load(env), let arch = try? recipe.debianArch(for: cell.target.platform)
    else {
      return Runner(kind: .none, reason: "no recipe Containers/\(env) for \(cell.target.platform)", hostLacksIt: true)
    }
    let store = EnvironmentStore(
      root: EnvironmentStore.defaultRoot(environment: ProcessInfo.processInfo.environment), environment: [:])
    let rootfs = store.folder(recipe, arch: arch) + "/rootfs"
    guard exists(rootfs + "/usr/bin") else {
      return Runner(
        kind: .none, reason: "the environment \(env)/\(arch) is not built (archway env build \(env) --arch \(arch))",
        hostLacksIt: true)
    }
    guard getuid() == 0, locate("unshare") != nil, locate("chroot") != nil else {
      return Runner(kind: .none, reason: "the rootfs runner needs root, unshare and chroot", hostLacksIt: true)
    }
    var runner = Runner(kind: .rootfs, reason: "chroot into \(env)/\(arch) (\(rootfs))", sysroot: rootfs)
    runner.boundFolder = URL(fileURLWithPath: cell.out).standardizedFileURL.path
    return runner
  }

  /// The container runner for an `env:` cell: the cell's `engine:` (default podman, then docker) and
  /// the image `archway/ENV:DEBIAN-ARCH`; `none` (an infrastructure problem) without an engine.
  static func container(
    for cell: Cell, env: String, spec: ArchitectureSpec?, locate: (String) -> String?, engineArguments: [String]
  ) -> Runner {
    let requested = cell["engine"]?.description
    let engines = requested.map { [$0] } ?? ["podman", "docker"]
    guard let engine = engines.lazy.compactMap(locate).first else {
      return Runner(
        kind: .none,
        reason: "the env '\(env)' needs a container engine; no \(engines.joined(separator: " or ")) on PATH",
        hostLacksIt: true)
    }
    let tag = spec?.debianArch ?? cell.target.arch
    var runner = Runner(
      kind: .container, reason: "\(URL(fileURLWithPath: engine).lastPathComponent) container of archway/\(env):\(tag)",
      launcher: engine)
    runner.image = "archway/\(env):\(tag)"
    runner.containerPlatform = cell.target.platform
    runner.engineArguments = cell["engine_args"]?.items?.map(\.description) ?? engineArguments
    return runner
  }
}
