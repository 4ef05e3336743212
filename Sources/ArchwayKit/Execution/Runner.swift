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
  /// The sysroot handed to qemu with `-L` (a cross toolchain's or an environment's root filesystem),
  /// the root filesystem a `rootfs` runner enters, or wine's prefix (its `C:` drive and registry).
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
  /// For `container`: the seccomp profile (a JSON file, the cell's `seccomp:`) the container runs under.
  public var seccomp: String?
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
    case .wine:
      ["env"] + (sysroot.map { ["WINEPREFIX=\($0)"] } ?? []) + ["WINEDEBUG=-all", launcher ?? "wine"] + argv
    case .rootfs:
      ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", Self.rootfsScript, "rootfs"]
        + [sysroot ?? "/", boundFolder ?? "/"] + argv
    case .container, .none: nil
    }
  }

  /// Where Debian's cross toolchain keeps a target's glibc: `/usr/` + the GNU triple
  /// (`/usr/i686-linux-gnu` for 386, whose multiarch name is `i386-linux-gnu`).
  public static func crossSysroot(for spec: ArchitectureSpec) -> String? {
    guard spec.platform.os == "linux" else { return nil }
    return "/usr/\(spec.gnuArch)-linux-\(spec.gnuABI)"
  }
}
