import Foundation

/// A control group per step, where the system allows one (Archway as root): every process a step
/// starts is born in it and cannot leave it, whatever it does (`setsid`, `env -u ARCHWAY_STEP`,
/// double forks), so at the step's end every one is found and killed. In a cgroup v2 hierarchy
/// the step's first process is born in it (``descriptor``, clone3's `CLONE_INTO_CGROUP`); in a v1
/// hierarchy it joins it before it `exec`s the program (``wrap(executable:arguments:)``, through
/// `sh`), which costs an RCU grace period (10–30 ms here) per step. Either way nothing forks
/// outside. Without cgroups the environment marker (``OrphanSweep``) is what finds them.
struct StepCgroup {
  /// The folder of Archway's step groups (`…/unified/archway`, `…/pids/archway`), or nil where none
  /// can be made. Any hierarchy serves: only membership is used, no controller's limits; a v2 one
  /// (``unified``) is preferred.
  static let parent: String? = hierarchy?.folder

  /// Whether ``parent`` is in a cgroup v2 hierarchy, whose groups a process can be born in.
  static var unified: Bool { hierarchy?.unified ?? false }

  private static let hierarchy: (folder: String, unified: Bool)? = {
    #if os(Linux)
      let v2: [String] = ["/sys/fs/cgroup", "/sys/fs/cgroup/unified"].filter { isCgroup2($0) }
      let v1 = ["/sys/fs/cgroup/pids", "/sys/fs/cgroup/freezer"]
      for hierarchy in v2 + v1 where FileManager.default.fileExists(atPath: hierarchy + "/cgroup.procs") {
        let folder = hierarchy + "/archway"
        if mkdir(folder, 0o755) == 0 || errno == EEXIST, access(folder, W_OK) == 0 {
          return (folder, v2.contains(hierarchy))
        }
      }
    #endif
    return nil
  }()

  /// Whether `folder` is a cgroup v2 group (only v2 has `cgroup.controllers`).
  private static func isCgroup2(_ folder: String) -> Bool {
    FileManager.default.fileExists(atPath: folder + "/cgroup.controllers")
  }

  /// The group's folder.
  let path: String
  /// In a v2 hierarchy, the group's folder open, for a process to be born in; -1 otherwise.
  let descriptor: Int32

  /// This process's PID namespace (the inode number in `/proc/self/ns/pid`), "0" where unknown.
  /// Pids mean something only inside their namespace, and an Archway in a container that shares
  /// the host's cgroups (privileged, on a v1 or hybrid host) sees the host's as not running.
  static let pidNamespace: String = {
    let link = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/pid")) ?? ""
    let number = String(link.filter(\.isNumber))
    return number.isEmpty ? "0" : number
  }()

  /// A new group for one step of this Archway, named `PID@NAMESPACE-MARKER` so that a later run
  /// in the same namespace can tell an abandoned one; nil where there are no cgroups for us.
  static func make(marker: String) -> StepCgroup? {
    guard let parent else { return nil }
    let path = "\(parent)/\(getpid())@\(pidNamespace)-\(marker)"
    guard mkdir(path, 0o755) == 0 else { return nil }
    return StepCgroup(path: path, descriptor: unified ? open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1)
  }

  /// Closes ``descriptor`` (once the step's first process is born).
  func closeDescriptor() {
    if descriptor >= 0 { close(descriptor) }
  }

  /// `argv` (its program resolved) run so that its first process joins the group first (a v1
  /// group, which no process is born in). A group that cannot be joined does not stop the step;
  /// the marker sweep still runs.
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
    // A v2 group ends all its members at once, forks in flight included (Linux 5.14 and later).
    let present = Self.members(of: path)
    if !present.isEmpty, let kill = FileHandle(forWritingAtPath: path + "/cgroup.kill") {
      try? kill.write(contentsOf: Data("1".utf8))
      try? kill.close()
      killed.formUnion(present)
    }
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

  /// The processes in the group at `path` (read twice after every step: plain system calls).
  static func members(of path: String) -> [pid_t] {
    var buffer: [UInt8] = []
    let count = OrphanSweep.readAll(path + "/cgroup.procs", into: &buffer)
    return buffer[..<count].split(separator: UInt8(ascii: "\n")).compactMap {
      pid_t(String(decoding: $0, as: UTF8.self))
    }
  }

  /// The pid of the Archway that made the group `name` (``make(marker:)``), when it is of this
  /// PID namespace; nil for another namespace's group or a name not made by ``make(marker:)``.
  static func owner(ofGroup name: String) -> pid_t? {
    let owner = name.prefix { $0 != "-" }.split(separator: "@", omittingEmptySubsequences: false)
    guard owner.count == 2, owner[1] == pidNamespace else { return nil }
    return pid_t(owner[0])
  }

  /// Ends what runs in the groups of Archways of this PID namespace that are gone (killed with
  /// `kill -9`, or on a lost machine session) and removes those groups. Returns how many processes
  /// were killed.
  static func sweepAbandoned() -> Int {
    guard let parent, let names = try? FileManager.default.contentsOfDirectory(atPath: parent) else { return 0 }
    var killed = 0
    for name in names {
      guard let pid = owner(ofGroup: name), pid != getpid(), !OrphanSweep.isRunning(pid) else { continue }
      killed += StepCgroup(path: "\(parent)/\(name)", descriptor: -1).killAll()
    }
    return killed
  }
}
