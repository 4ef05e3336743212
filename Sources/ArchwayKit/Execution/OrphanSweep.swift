import Foundation

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
  static func kill(marker: String) {
    let needle = Data("\(variable)=\(marker)\0".utf8)
    for _ in 0..<2 {
      let found = processes(carrying: needle)
      for pid in found { Foundation.kill(pid, SIGKILL) }
      if found.isEmpty { break }
    }
  }

  /// The processes (other than this one) whose environment block contains `needle`.
  static func processes(carrying needle: Data) -> [pid_t] {
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
    let me = getpid()
    return entries.compactMap { name -> pid_t? in
      guard let pid = pid_t(name), pid != me,
        let environment = FileManager.default.contents(atPath: "/proc/\(name)/environ"),
        environment.range(of: needle) != nil || environment.suffix(needle.count - 1) == needle.dropLast()
      else { return nil }
      return pid
    }
  }
}
