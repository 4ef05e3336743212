import Foundation

/// A control group per step, where the system allows one (Archway as root): every process a step
/// starts is born in it and cannot leave it, whatever it does (`setsid`, `env -u ARCHWAY_STEP`,
/// double forks), so at the step's end every one is found and killed. The step's first process
/// joins it before it `exec`s the program (through `sh`), so nothing forks outside. Without
/// cgroups the environment marker (``OrphanSweep``) is what finds them.
struct StepCgroup {
  /// The folder of Archway's step groups (`…/pids/archway`), or nil where none can be made. Any
  /// hierarchy serves: only membership is used, no controller's limits.
  static let parent: String? = {
    #if os(Linux)
      for hierarchy in ["/sys/fs/cgroup/pids", "/sys/fs/cgroup/freezer", "/sys/fs/cgroup/unified", "/sys/fs/cgroup"]
      where FileManager.default.fileExists(atPath: hierarchy + "/cgroup.procs") {
        let folder = hierarchy + "/archway"
        if mkdir(folder, 0o755) == 0 || errno == EEXIST, access(folder, W_OK) == 0 { return folder }
      }
    #endif
    return nil
  }()

  /// The group's folder.
  let path: String

  /// A new group for one step of this Archway, named `PID-MARKER` so that a later run can tell
  /// an abandoned one; nil where there are no cgroups for us.
  static func make(marker: String) -> StepCgroup? {
    guard let parent else { return nil }
    let path = "\(parent)/\(getpid())-\(marker)"
    return mkdir(path, 0o755) == 0 ? StepCgroup(path: path) : nil
  }

  /// `argv` (its program resolved) run so that its first process joins the group first. A group
  /// that cannot be joined does not stop the step; the marker sweep still runs.
  func wrap(executable: String, arguments: [String]) -> (executable: String, arguments: [String]) {
    (
      "/bin/sh",
      ["-c", "{ echo $$ > \"$0\"; } 2>/dev/null; exec \"$@\"", path + "/cgroup.procs", executable] + arguments
    )
  }

  /// SIGKILL to every member until none is left, then the group removed (waiting at most 2 s for
  /// the dying to leave it). Returns how many processes were killed.
  @discardableResult
  func killAll() -> Int {
    var killed = Set<pid_t>()
    let deadline = ContinuousClock.now + .seconds(2)
    while ContinuousClock.now < deadline {
      let members = Self.members(of: path)
      for pid in members { kill(pid, SIGKILL) }
      killed.formUnion(members)
      if members.isEmpty, rmdir(path) == 0 || errno == ENOENT { break }
      usleep(2000)
    }
    return killed.count
  }

  static func members(of path: String) -> [pid_t] {
    let text = (try? String(contentsOfFile: path + "/cgroup.procs", encoding: .utf8)) ?? ""
    return text.split(separator: "\n").compactMap { pid_t($0) }
  }

  /// Ends what runs in the groups of Archways that are gone (killed with `kill -9`, or on a lost
  /// machine session) and removes those groups. Returns how many processes were killed.
  static func sweepAbandoned() -> Int {
    guard let parent, let names = try? FileManager.default.contentsOfDirectory(atPath: parent) else { return 0 }
    var killed = 0
    for name in names {
      guard let owner = pid_t(name.prefix { $0 != "-" }), owner != getpid(), !OrphanSweep.isRunning(owner)
      else { continue }
      killed += StepCgroup(path: "\(parent)/\(name)").killAll()
    }
    return killed
  }
}
