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

  /// SIGKILL to every process whose environment holds `ARCHWAY_STEP=marker`. Two passes, so a
  /// child forked while the first pass ran is found by the second.
  ///
  /// Returns once every process killed has exited (or after 2 s): a killed server (wine's
  /// `wineserver`, a test's daemon) still holding its socket would otherwise be met half-dead by the
  /// next step (`recvmsg: Connection reset by peer`).
  static func kill(marker: String) {
    let needle = Array("\(variable)=\(marker)".utf8)
    var killed = Set<pid_t>()
    for _ in 0..<2 {
      let found = processes(carrying: needle)
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

  /// Whether `pid` still runs: it exists and is not a zombie (whose files are already closed).
  static func isRunning(_ pid: pid_t) -> Bool {
    // `/proc/PID/stat` is `PID (COMMAND) STATE …`; the command may hold spaces and parentheses.
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
      let close = text.lastIndex(of: ")")
    else { return false }
    let state = text[text.index(after: close)...].drop { $0 == " " }.first
    return state != "Z" && state != "X"
  }

  /// The processes (other than this one) whose environment block holds the entry `needle`
  /// (`NAME=value`), or with `child` an entry that is `needle` and one path component more
  /// (`ARCHWAY_CELL_OUT=OUT/` + a cell's id, not a folder deeper down). This runs after every step, so
  /// it reads `/proc` with plain system calls into one buffer (about 5 µs a process here) rather
  /// than through Foundation.
  static func processes(carrying needle: [UInt8], child: Bool = false) -> [pid_t] {
    guard let folder = opendir("/proc") else { return [] }
    defer { closedir(folder) }
    let me = getpid()
    var found: [pid_t] = []
    var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    while let entry = readdir(folder) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
      guard let pid = pid_t(name), pid != me else { continue }
      guard let descriptor = try? FileDescriptor.open("/proc/\(name)/environ", .readOnly) else { continue }
      // A step's marker is set last, so it may sit at the end of a long environment: read it all.
      var count = 0
      while true {
        if count == buffer.count { buffer += [UInt8](repeating: 0, count: buffer.count) }
        let read =
          (try? buffer.withUnsafeMutableBytes { try descriptor.read(into: .init(rebasing: $0[count...])) }) ?? 0
        guard read > 0 else { break }
        count += read
      }
      try? descriptor.close()
      if contains(entry: needle, in: buffer[..<count], child: child) { found.append(pid) }
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
}
