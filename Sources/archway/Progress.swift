import ArchwayKit
import Foundation

/// Progress of a run: on a terminal a live status line; off a terminal one line per event; with
/// GITHUB_ACTIONS=true a folded group per cell.
// @unchecked Sendable: every stored property is read and written under `lock`.
final class Progress: @unchecked Sendable {
  private let lock = NSLock()
  private let total: Int
  private var running: [String] = []
  private var done = 0
  private var failures = 0
  private let start = ContinuousClock.now
  private let live = isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb"
  private let github = ProcessInfo.processInfo.environment["GITHUB_ACTIONS"] == "true"

  init(total: Int) { self.total = total }

  func handle(_ event: RunEvent) {
    lock.withLock {
      switch event {
      case .cellStarted(let id):
        running.append(id)
        if !live && !github { line("start  \(id)") }
      case .cellFinished(let record):
        running.removeAll { $0 == record.id }
        done += 1
        if record.outcome != .passed { failures += 1 }
        report(record)
      }
      if live { status() }
    }
  }

  private func report(_ record: CellRecord) {
    let seconds = String(format: "%.1fs", record.duration)
    let head =
      "[\(done)/\(total)] \(record.outcome.rawValue.padding(toLength: 14, withPad: " ", startingAt: 0)) \(record.id) (\(seconds), \(record.runner.kind.rawValue))"
    if github {
      line("::group::\(head)")
      for step in record.steps { line("  \(step.name): \(step.status)") }
      for problem in record.problems { line("  \(problem)") }
      line("::endgroup::")
    } else {
      line(record.outcome == .passed ? head : Output.paint(head, "31"))
      if record.outcome != .passed {
        for step in record.steps where !step.status.succeeded { line("    \(step.name): \(step.status)") }
        for problem in record.problems { line("    \(problem)") }
      }
    }
  }

  private func status() {
    let elapsed = Int((ContinuousClock.now - start).components.seconds)
    let text =
      "[\(done)/\(total)] running \(running.count): \(running.prefix(3).joined(separator: ", "))"
      + (running.count > 3 ? ", …" : "") + " · failures \(failures) · \(elapsed)s"
    FileHandle.standardError.write(Data(("\r\u{1B}[K" + String(text.prefix(160))).utf8))
  }

  private func line(_ text: String) {
    FileHandle.standardError.write(Data(((live ? "\r\u{1B}[K" : "") + text + "\n").utf8))
  }

  func finish() {
    if live { lock.withLock { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) } }
  }

  func summary(_ cells: [CellRecord], record: String) -> String {
    var counts: [CellRecord.Outcome: Int] = [:]
    for cell in cells { counts[cell.outcome, default: 0] += 1 }
    let parts = [CellRecord.Outcome.passed, .failed, .infrastructure, .interrupted, .notRun].compactMap { outcome in
      counts[outcome].map { "\($0) \(outcome.rawValue)" }
    }
    return "\(cells.count) cells: \(parts.joined(separator: ", ")); record: \(record)"
  }
}
