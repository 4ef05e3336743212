/// What the report says of the runner a cell's steps used: which, why, and what it ran with. Data
/// for the report and its readers; what a runner does is its backend's (``StepRunner``).
public struct RunnerRecord: Sendable, Hashable, Codable {
  /// Which runner.
  public var kind: RunnerKind
  /// Why it was chosen, or why nothing can run (for `none`).
  public var reason: String
  /// The program that runs the target's binaries: the emulator, wine, bwrap (a `rootfs` runner
  /// without root) or the container engine.
  package var launcher: String?
  /// The sysroot handed to qemu with `-L` (a cross toolchain's or an environment's root filesystem),
  /// the root filesystem a `rootfs` runner enters, or wine's prefix (its `C:` drive and registry).
  package var sysroot: String?
  /// For `none`: whether the host lacks something it could have (an emulator, a sysroot), which
  /// makes the cell an infrastructure problem rather than a build-only target.
  package var hostLacksIt = false
  /// For `container`: the image (`archway/ENV:DEBIAN-ARCH`), the `--platform`, and extra engine
  /// arguments from the cell's `engine_args:` (the flags a host needs, e.g. `--runtime runc`).
  package var image: String?
  /// See ``image``.
  package var containerPlatform: String?
  /// See ``image``.
  package var engineArguments: [String] = []
  /// For `container`: the seccomp profile (a JSON file, the cell's `seccomp:`) the container runs under.
  package var seccomp: String?
  /// For `rootfs`: the cell's folder (absolute), bound into the root filesystem at the same path.
  package var boundFolder: String?
  /// For `rootfs` and `container`: the user's project (where Archway runs), shown read-only at its
  /// own path, so a suite reads its sources and data without copying them into every cell.
  package var projectFolder: String?
  /// The qemu CPU model the target's programs are emulated on (`-cpu`, and `QEMU_CPU` for those
  /// binfmt_misc starts): the cell's `cpu:`, else for arm its variant's model; nil for qemu's default.
  package var cpuModel: String?
  /// The kernel release uname reports to the emulated programs (qemu's `-r`): the cell's linux
  /// `os_version:`; nil for the host's.
  package var unameRelease: String?
  /// What run steps' time limits are multiplied by under this runner (`timeout_scale:`; 5 under
  /// qemu, 8 for a foreign arch in a root filesystem or container, 1 natively).
  package var timeoutScale: Double?
  /// For `ssh`: the machine the steps ran on.
  package var remoteHost: RemoteHost?

  enum CodingKeys: String, CodingKey {
    case kind, reason, launcher, sysroot, hostLacksIt = "host_lacks_it", image
    case containerPlatform = "container_platform", engineArguments = "engine_args", seccomp
    case boundFolder = "bound_folder", projectFolder = "project_folder", timeoutScale = "timeout_scale"
    case cpuModel = "cpu_model", unameRelease = "uname_release", remoteHost = "host"
  }

  /// A record of `kind`, chosen for `reason`.
  package init(kind: RunnerKind, reason: String) {
    self.kind = kind
    self.reason = reason
  }

  /// The record of a cell that never reached a runner: nothing ran it, for `reason`.
  package static func none(_ reason: String) -> RunnerRecord { RunnerRecord(kind: .none, reason: reason) }
}
