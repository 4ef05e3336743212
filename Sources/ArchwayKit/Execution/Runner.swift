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
  /// The program that runs the target's binaries: the emulator, wine, or bwrap (a `rootfs` runner
  /// without root).
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
  /// For `rootfs` and `container`: the user's project (where Archway runs), shown read-only at its
  /// own path, so a suite reads its sources and data without copying them into every cell.
  public var projectFolder: String?
  /// The qemu CPU model the target's programs are emulated on (`-cpu`, and `QEMU_CPU` for those
  /// binfmt_misc starts): the cell's `cpu:`, else for arm its variant's model; nil for qemu's default.
  public var cpuModel: String?
  /// What run steps' time limits are multiplied by under this runner (`timeout_scale:`; 5 under
  /// qemu, 8 for a foreign arch in a root filesystem or container, 1 natively).
  public var timeoutScale: Double?

  enum CodingKeys: String, CodingKey {
    case kind, reason, launcher, sysroot, hostLacksIt = "host_lacks_it", image
    case containerPlatform = "container_platform", engineArguments = "engine_args", seccomp
    case boundFolder = "bound_folder", projectFolder = "project_folder", timeoutScale = "timeout_scale"
    case cpuModel = "cpu_model"
  }

  /// How `rootfs` enters the root filesystem as root: in a private mount namespace, an overlay of the
  /// root filesystem with a tmpfs on top (so a step never changes the cached environment, nor leaves
  /// mount points in it), which bwrap makes the root by `pivot_root` — the host's root is then gone
  /// from the step's view, so the double-`chroot` escape leads nowhere — with the cell's folder
  /// bound at its own path, a minimal /dev (no host disks), a fresh /proc in a PID namespace, and
  /// the capabilities of a container's root (``rootCapabilities``): no `CAP_SYS_ADMIN` to mount the
  /// host's disks, no `CAP_SYS_CHROOT`, no `CAP_MKNOD`. A foreign arch runs through binfmt_misc's
  /// qemu (F flag). The tmpfs sits on the cell's `.archway-root`, which stays empty outside and is
  /// masked inside. The project (`$4`; the cell's folder again when there is none) is bound
  /// read-only first. The step starts in `$3`. The overlay's options name its folders relative to
  /// the tmpfs (the root filesystem bound in there first): its option list splits at `,` and its
  /// lower layers at `:`, which any of these paths may hold.
  static let rootfsScript = """
    root=$1 folder=$2 workdir=$3 project=$4; shift 4; top=$folder/.archway-root
    mkdir -p "$top" && mount -t tmpfs tmpfs "$top" && cd "$top" && mkdir lower upper work root \
      && mount --bind "$root" lower && mount -t overlay overlay -o lowerdir=lower,upperdir=upper,workdir=work root \
      && exec bwrap --bind "$top/root" / --ro-bind "$project" "$project" --bind "$folder" "$folder" \
        --tmpfs "$top" --dev /dev --proc /proc \
        --unshare-pid --die-with-parent --cap-drop ALL \
        \(rootCapabilities.map { "--cap-add \($0)" }.joined(separator: " ")) --chdir "$workdir" -- "$@"
    """

  /// What a root step keeps in a root filesystem: Docker's default set for a container's root,
  /// less `CAP_SYS_CHROOT` and `CAP_MKNOD` (a block device node would reach the host's disk).
  static let rootCapabilities = [
    "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID",
    "CAP_SETPCAP", "CAP_SETFCAP", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW", "CAP_AUDIT_WRITE",
  ]

  /// bwrap's arguments that make `rootfs` the root, unprivileged, with `folder` bound at its own path.
  /// bwrap's own root is a fresh tmpfs: the root filesystem's entries are bound into it read-only,
  /// except along the path to `folder`, where each directory is made afresh and its other entries
  /// bound, so no mount point has to be made inside the (read-only, root-owned) root filesystem.
  static func bubblewrapArguments(rootfs: String, folder: String, project: String? = nil) -> [String] {
    var arguments = ["--unshare-pid", "--die-with-parent", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
    let own: Set = ["dev", "proc", "sys", "tmp", "run"]
    let components = folder.split(separator: "/").map(String.init)
    var inside = ""
    for (level, next) in (components.map(Optional.some) + [nil]).enumerated() {
      let entries = ((try? FileManager.default.contentsOfDirectory(atPath: rootfs + inside)) ?? []).sorted()
      for entry in entries where entry != next && !(level == 0 && own.contains(entry)) {
        let path = "\(rootfs)\(inside)/\(entry)"
        if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: path) {
          arguments += ["--symlink", target, "\(inside)/\(entry)"]
        } else {
          arguments += ["--ro-bind", path, "\(inside)/\(entry)"]
        }
      }
      var isFolder: ObjCBool = false
      guard let next, !(level == 0 && own.contains(next)), entries.contains(next),
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "\(rootfs)\(inside)/\(next)")) == nil,
        FileManager.default.fileExists(atPath: "\(rootfs)\(inside)/\(next)", isDirectory: &isFolder), isFolder.boolValue
      else { break }
      inside += "/" + next
      arguments += ["--dir", inside]
    }
    // The project is spliced in only when it holds the cell's folder (the path made afresh above
    // is then its path too); elsewhere its parent may be a read-only part of the root filesystem.
    let shown = project.map { folder.hasPrefix($0 + "/") && $0 != "/" ? ["--ro-bind", $0, $0] : [] } ?? []
    return arguments + shown + ["--bind", folder, folder]
  }

  /// The environment a step's programs need under this runner: `QEMU_CPU` where a model is chosen.
  public var environment: [String: String] { cpuModel.map { ["QEMU_CPU": $0] } ?? [:] }

  /// The argv that runs `argv` on the target, starting in `workdir` (a root filesystem's steps
  /// start in the cell's folder when nil; elsewhere the process's own folder holds); nil for `none`.
  public func wrap(_ argv: [String], workdir: String? = nil) -> [String]? {
    switch kind {
    case .native: argv
    case .qemu:
      [launcher ?? "qemu"] + (cpuModel.map { ["-cpu", $0] } ?? []) + (sysroot.map { ["-L", $0] } ?? []) + argv
    case .wine:
      ["env"] + (sysroot.map { ["WINEPREFIX=\($0)"] } ?? []) + ["WINEDEBUG=-all", launcher ?? "wine"] + argv
    case .rootfs:
      if let bwrap = launcher {
        [bwrap] + Self.bubblewrapArguments(rootfs: sysroot ?? "/", folder: boundFolder ?? "/", project: projectFolder)
          + ["--chdir", workdir ?? boundFolder ?? "/", "--"] + argv
      } else {
        ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", Self.rootfsScript, "rootfs"]
          + [
            sysroot ?? "/", boundFolder ?? "/", workdir ?? boundFolder ?? "/",
            Self.shown(projectFolder) ?? boundFolder ?? "/",
          ]
          + argv
      }
    case .container, .none: nil
    }
  }

  /// `project` when it can be shown in a root filesystem: not the root itself (nor empty).
  static func shown(_ project: String?) -> String? {
    guard let project, project != "/", !project.isEmpty else { return nil }
    return project
  }

  /// Removes what the runner put in the cell's folder to run its steps: wine's prefix, the rootfs
  /// runner's (empty) mount point. The folder then holds only what the steps wrote.
  func removeScaffolding() {
    switch kind {
    case .wine: sysroot.map { try? FileManager.default.removeItem(atPath: $0) }
    case .rootfs where launcher == nil: boundFolder.map { _ = rmdir($0 + "/.archway-root") }
    default: break
    }
  }

  /// Where Debian's cross toolchain keeps a target's glibc: `/usr/` + the GNU triple
  /// (`/usr/i686-linux-gnu` for 386, whose multiarch name is `i386-linux-gnu`).
  public static func crossSysroot(for spec: ArchitectureSpec) -> String? {
    guard spec.platform.os == "linux" else { return nil }
    return "/usr/\(spec.gnuArch)-linux-\(spec.gnuABI)"
  }
}
