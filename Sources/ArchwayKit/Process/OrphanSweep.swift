import Foundation
import SystemPackage

/// Ends what a step left running outside its process group: a program that called `setsid` (or was
/// started through `setsid`, `nohup … &`, a daemonizing server) escapes the group kill. Every step
/// runs with `ARCHWAY_STEP=<unique id>` in its environment, which its descendants inherit; after the
/// step, every process of ours that still carries it is killed. Linux reads `/proc`; elsewhere this
/// does nothing.
enum OrphanSweep {
  /// The variable that marks a step's processes.
  static let variable = "ARCHWAY_STEP"

  /// A fresh marker value for one step.
  static func marker() -> String { UUID().uuidString }

  /// SIGKILL to every process whose environment holds `ARCHWAY_STEP=marker`, among those born
  /// since `births` (all of them when nil). Two passes, so a child forked while the first pass ran
  /// is found by the second.
  ///
  /// Returns once every process killed has exited (or after 2 s): a killed server (wine's
  /// `wineserver`, a test's daemon) still holding its socket would otherwise be met half-dead by the
  /// next step (`recvmsg: Connection reset by peer`).
  static func kill(marker: String, bornSince births: Births? = nil) {
    let needle = Array("\(variable)=\(marker)".utf8)
    var killed = Set<pid_t>()
    for _ in 0..<2 {
      let found = processes(carrying: needle, among: births?.window())
      for pid in found { Foundation.kill(pid, SIGKILL) }
      killed.formUnion(found)
      if found.isEmpty { break }
    }
    let deadline = ContinuousClock.now + .seconds(2)
    while !killed.isEmpty, ContinuousClock.now < deadline {
      killed = killed.filter(isRunning)
      if !killed.isEmpty { usleep(2000) }
    }
  }

  /// This process's ancestors, its parent up to pid 1, from `/proc/PID/stat`'s parent field.
  static func ancestors() -> Set<pid_t> {
    var found = Set<pid_t>()
    var pid = getppid()
    while pid > 1, found.insert(pid).inserted {
      guard let fields = statFields(pid), fields.count > 1, let parent = pid_t(fields[1]) else { break }
      pid = parent
    }
    return found
  }

  /// The value of the variable `name` in the environment `pid` was started with, or nil.
  static func value(of name: String, in pid: pid_t) -> String? {
    var buffer: [UInt8] = []
    let count = readAll("/proc/\(pid)/environ", into: &buffer)
    let prefix = Array("\(name)=".utf8)
    for entry in buffer[..<count].split(separator: 0) where entry.starts(with: prefix) {
      return String(decoding: entry.dropFirst(prefix.count), as: UTF8.self)
    }
    return nil
  }

  /// Whether `pid` still runs: it exists and is not a zombie (whose files are already closed).
  static func isRunning(_ pid: pid_t) -> Bool {
    guard let state = statFields(pid)?.first else { return false }
    return state != "Z" && state != "X"
  }

  /// The fields of `/proc/PID/stat` after the command (`STATE PPID …`), or nil when `pid` is gone.
  /// The line is `PID (COMMAND) STATE PPID …`, and the command may hold spaces and parentheses.
  private static func statFields(_ pid: pid_t) -> [Substring]? {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
      let close = text.lastIndex(of: ")")
    else { return nil }
    return text[text.index(after: close)...].split(separator: " ")
  }

  /// The processes (other than this one) whose environment block holds the entry `needle`
  /// (`NAME=value`), or with `child` an entry that is `needle` and one path component more
  /// (`ARCHWAY_CELL_OUT=OUT/` + a cell's id, not a folder deeper down). This runs after every step, so
  /// it reads `/proc` with plain system calls into one buffer (about 5 µs a process here) rather
  /// than through Foundation, and only the environments of the processes in `window` when one is
  /// given: reading another's environment waits for its memory map's lock, which a busy process
  /// holds for milliseconds. A window of a few pids (a step that started a handful of processes) is
  /// looked up pid by pid, without listing `/proc`; a pid that is a thread's reads as its process.
  static func processes(carrying needle: [UInt8], child: Bool = false, among window: PidWindow? = nil) -> [pid_t] {
    let me = getpid()
    var found: [pid_t] = []
    var buffer: [UInt8] = []
    func look(at pid: pid_t) {
      guard pid != me else { return }
      // A step's marker is set last, so it may sit at the end of a long environment: read it all.
      let count = readAll("/proc/\(pid)/environ", into: &buffer)
      if contains(entry: needle, in: buffer[..<count], child: child) { found.append(pid) }
    }
    if let pids = window?.pids(atMost: 64) {
      pids.forEach(look(at:))
      return found
    }
    for name in directoryEntries("/proc") {
      guard let pid = pid_t(name), window?.contains(pid) ?? true else { continue }
      look(at: pid)
    }
    return found
  }

  /// Whether the NUL-separated `block` has an entry that is exactly `entry` (or, with `child`,
  /// `entry` followed by one non-empty path component).
  static func contains(entry: [UInt8], in block: ArraySlice<UInt8>, child: Bool = false) -> Bool {
    var start = block.startIndex
    while start < block.endIndex {
      let end = block[start...].firstIndex(of: 0) ?? block.endIndex
      let fits =
        child
        ? end - start > entry.count && !block[(start + entry.count)..<end].contains(UInt8(ascii: "/"))
        : end - start == entry.count
      if fits, block[start..<(start + entry.count)].elementsEqual(entry) { return true }
      start = end + 1
    }
    return false
  }

  /// Where the kernel's pid counter stood when a step began: the pids it has handed out since are
  /// the only ones the step's processes can have. Linux hands out the next free pid after the last
  /// one, wrapping past `pid_max` to 300 (the ones below are the boot's), so the processes born
  /// since are those after the first reading up to the second, unless the counter has gone round,
  /// which the count of forks since boot bounds (``PidWindow``). (A `ns_last_pid` written meanwhile,
  /// as CRIU does, is not foreseen.)
  struct Births: Sendable {
    /// The last pid handed out before the step began (`/proc/loadavg`'s last field).
    var lastPid: pid_t
    /// The processes and threads made since boot, in every namespace (`/proc/stat`'s `processes`).
    var forks: Int
    /// The processes and threads that existed (`/proc/loadavg`'s fourth field, after the `/`).
    var tasks: Int

    /// The counters now; nil where they cannot be read or where `/proc` shows another PID
    /// namespace's pids than ours (its last pid is always our namespace's).
    static func now() -> Births? {
      guard procIsOurs, let (lastPid, tasks) = loadavg(), let forks = forksSinceBoot() else { return nil }
      return Births(lastPid: lastPid, forks: forks, tasks: tasks)
    }

    /// The pids handed out since, or nil when that may be every pid.
    func window() -> PidWindow? {
      guard let (last, tasks) = loadavg(), let forks = forksSinceBoot(), let limit = pidLimit() else { return nil }
      return PidWindow(
        after: lastPid, through: last, born: forks - self.forks, inUse: max(tasks, self.tasks), pidMax: limit)
    }

    /// Whether `/proc` is this process's PID namespace's (`/proc/self` names our own pid).
    private static let procIsOurs =
      (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self")) == String(getpid())
  }

  /// The pids the kernel handed out after ``after`` up to ``through``, wrapping past `pid_max` to 300.
  struct PidWindow: Equatable {
    var after: pid_t
    var through: pid_t
    var pidMax: pid_t

    /// The window, or nil when the counter may have gone round since ``after``. Going round, it
    /// passes each of the `pid_max - 300` pids once, handing it out or stepping over it because it
    /// is in use. `born` (processes and threads made meanwhile) counts the first; the second are
    /// the numbers of processes that were there (`inUse`) or were born meanwhile, each its own,
    /// its group's and its session's: at most `3 × (inUse + born)`. So it has not gone round while
    /// `4 × born + 3 × inUse` is below `pid_max - 300`.
    init?(after: pid_t, through: pid_t, born: Int, inUse: Int, pidMax: pid_t) {
      guard born >= 0, inUse >= 0, 4 * born + 3 * inUse < Int(pidMax) - Self.firstAfterWrap else { return nil }
      (self.after, self.through, self.pidMax) = (after, through, pidMax)
    }

    /// Where the kernel starts again after `pid_max` (`RESERVED_PIDS`).
    static let firstAfterWrap = 300

    func contains(_ pid: pid_t) -> Bool {
      after <= through ? pid > after && pid <= through : pid > after || pid <= through
    }

    /// The pids handed out, in turn, when there are at most `limit`; nil when there are more.
    func pids(atMost limit: Int) -> [pid_t]? {
      let restart = pid_t(Self.firstAfterWrap)
      var stretches: [ClosedRange<pid_t>] = []
      if after < through { stretches.append((after + 1)...through) }
      if after > through, after + 1 < pidMax { stretches.append((after + 1)...(pidMax - 1)) }
      if after > through, through >= restart { stretches.append(restart...through) }
      guard stretches.reduce(0, { $0 + $1.count }) <= limit else { return nil }
      return stretches.flatMap { Array($0) }
    }
  }

  /// The last pid handed out in this process's PID namespace and how many processes and threads
  /// there are: the last field of `/proc/loadavg` (`0.52 0.58 0.59 3/108 23938`) and the number
  /// after the `/` before it.
  private static func loadavg() -> (lastPid: pid_t, tasks: Int)? {
    let fields = small("/proc/loadavg").split(whereSeparator: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\n") })
    guard fields.count == 5, let slash = fields[3].firstIndex(of: UInt8(ascii: "/")),
      let tasks = number(fields[3][(slash + 1)...]), let last = number(fields[4])
    else { return nil }
    return (pid_t(truncatingIfNeeded: last), tasks)
  }

  /// How many processes and threads were made since boot: `/proc/stat`'s `processes` line.
  private static func forksSinceBoot() -> Int? {
    let text = small("/proc/stat")
    let key = Array("\nprocesses ".utf8)
    guard let start = text.indices.first(where: { text[$0...].starts(with: key) }) else { return nil }
    return number(text[(start + key.count)...].prefix { $0 != UInt8(ascii: "\n") })
  }

  /// `/proc/sys/kernel/pid_max`.
  private static func pidLimit() -> pid_t? {
    number(small("/proc/sys/kernel/pid_max").prefix { $0 != UInt8(ascii: "\n") }).map { pid_t(truncatingIfNeeded: $0) }
  }

  /// The decimal number `digits` spell (nothing else, at most 18 of them), or nil.
  private static func number(_ digits: ArraySlice<UInt8>) -> Int? {
    guard !digits.isEmpty, digits.count <= 18 else { return nil }
    var value = 0
    for digit in digits {
      guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else { return nil }
      value = value * 10 + Int(digit - UInt8(ascii: "0"))
    }
    return value
  }

  /// A small file of `/proc`, whole; empty when it cannot be read. (These are read before and
  /// after every step: bytes, not Foundation's strings.)
  private static func small(_ path: String) -> ArraySlice<UInt8> {
    var bytes = [UInt8](repeating: 0, count: 4096)
    return bytes[..<readAll(path, into: &bytes)]
  }

  /// Reads the whole file at `path` into the start of `buffer`, grown as needed (a file of `/proc`
  /// has no size to ask), with plain system calls; returns how many bytes it holds, 0 when it cannot
  /// be opened.
  static func readAll(_ path: String, into buffer: inout [UInt8]) -> Int {
    guard let descriptor = try? FileDescriptor.open(path, .readOnly) else { return 0 }
    defer { try? descriptor.close() }
    if buffer.isEmpty { buffer = [UInt8](repeating: 0, count: 16 * 1024) }
    var count = 0
    while true {
      if count == buffer.count { buffer += [UInt8](repeating: 0, count: buffer.count) }
      let read = (try? buffer.withUnsafeMutableBytes { try descriptor.read(into: .init(rebasing: $0[count...])) }) ?? 0
      guard read > 0 else { return count }
      count += read
    }
  }
}
