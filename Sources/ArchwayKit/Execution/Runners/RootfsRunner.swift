import Foundation

/// ``RunnerChoice/rootfs(_:)``'s setup: the root filesystem and how it is entered.
package struct RootfsSetup: RunnerSetup {
  package var basis: RunnerBasis
  /// The environment's root filesystem.
  package var rootfs: String
  /// bwrap, for a runner without root; nil as root (unshare, an overlay, then bwrap).
  package var bwrap: String?
  /// The cell's folder, bound at its own path.
  package var folder: String
  /// The project, shown read-only at its own path; nil for none.
  package var project: String?

  var record: RunnerRecord {
    basis.record(.rootfs) {
      ($0.launcher, $0.sysroot, $0.boundFolder, $0.projectFolder) = (bwrap, rootfs, folder, project)
    }
  }

  func runner(context: RunnerContext) -> any StepRunner { RootfsRunner(setup: self) }
}

/// Runs the cell's steps inside an environment's root filesystem (the libc the release will meet):
/// as root, `pivot_root` onto an overlay of it in a private mount namespace; without root, bwrap.
/// A foreign arch runs through binfmt_misc's qemu (F flag). The cell's folder is bound at its own
/// path, the project read-only at its own.
struct RootfsRunner: StepRunner, SetupBacked {
  let setup: RootfsSetup

  private var rootfs: String { setup.rootfs }
  private var folder: String { setup.folder }
  private var project: String? { setup.project }
  var environment: [String: String] { setup.basis.emulatorEnvironment }
  var loaderRoot: String? { rootfs }

  /// Inside the root filesystem the working folder is the runner's to enter, not the host's.
  func launch(_ command: StepCommand) -> StepLaunch {
    .run(
      argv: ResourceLimit.wrap(enter(command.argv, workdir: command.workingDirectory), options: command.prlimitOptions),
      workingDirectory: nil)
  }

  /// The build starts in its `workdir:`, else the project, and writes to the cell's folder.
  func launchBuild(_ command: StepCommand) -> StepLaunch {
    .run(
      argv: ResourceLimit.wrap(
        enter(command.argv, workdir: command.workingDirectory ?? project), options: command.prlimitOptions),
      workingDirectory: nil)
  }

  func probe(_ argv: [String], limits: [String]) -> [String]? {
    ResourceLimit.wrap(enter(argv, workdir: nil), options: limits)
  }

  /// The root filesystem's (empty) mount point in the cell's folder, as root.
  func finish() async {
    if setup.bwrap == nil { _ = rmdir(folder + "/.archway-root") }
  }

  /// The argv that runs `argv` in the root filesystem, starting in `workdir` (the cell's folder when nil).
  func enter(_ argv: [String], workdir: String?) -> [String] {
    if let bwrap = setup.bwrap {
      return [bwrap] + Self.bubblewrapArguments(rootfs: rootfs, folder: folder, project: project)
        + ["--chdir", workdir ?? folder, "--"] + argv
    }
    return ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", Self.rootfsScript, "rootfs"]
      + [rootfs, folder, workdir ?? folder, Self.shown(project) ?? folder] + argv
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

  /// `project` when it can be shown in a root filesystem: not the root itself (nor empty).
  static func shown(_ project: String?) -> String? {
    guard let project, project != "/", !project.isEmpty else { return nil }
    return project
  }
}
