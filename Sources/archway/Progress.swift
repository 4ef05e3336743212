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
        if record.verdict == .failed || record.verdict == .error { failures += 1 }
        report(record)
      }
      if live { status() }
    }
  }

  /// The final verdicts of cells that the cross-cell checks changed after their own line was printed.
  func revised(_ records: [CellRecord]) {
    guard !records.isEmpty else { return }
    lock.withLock {
      line(
        "after the cross-cell checks (reference outputs, same_as), \(records.count) cell\(records.count == 1 ? "" : "s") changed:"
      )
      for record in records { report(record, label: "final") }
    }
  }

  private func report(_ record: CellRecord, label: String? = nil) {
    let seconds = String(format: "%.1fs", record.duration)
    let verdict = record.checkedStaticallyOnly ? "static" : record.verdict.rawValue
    let head =
      "[\(label ?? "\(done)/\(total)")] \(verdict.padding(toLength: 8, withPad: " ", startingAt: 0)) \(record.id) (\(seconds), \(record.runner.kind.rawValue))"
    let problems = record.checks.filter { [.failed, .error, .flaky].contains($0.verdict) }
    if github {
      line("::group::\(head)")
      for step in record.steps { line("  \(step.name): \(step.status)") }
      for check in record.checks { line("  \(check.verdict.rawValue) \(check.title): \(check.message)") }
      line("::endgroup::")
    } else {
      let colour = record.verdict == .failed ? "31" : record.verdict == .flaky ? "35" : "33"
      line(problems.isEmpty ? head : Output.paint(head, colour))
      for check in problems {
        line("    \(check.title): \(check.message)")
        for words in Self.lastWords(check) { line("      | \(words)") }
      }
    }
  }

  /// The last lines a failed step wrote to standard error (at most three), from its check's details:
  /// a failed build says why on the console, not only in the reports. A step that wrote nothing
  /// gets the line saying what ran.
  static func lastWords(_ check: Check) -> [String] {
    if let details = check.details, details.hasPrefix("nothing on stdout or stderr") {
      return [String(details.prefix(300))]  // What ran, when the step said nothing.
    }
    guard let details = check.details, details.hasPrefix("stderr (end):\n") else { return [] }
    let lines = details.dropFirst("stderr (end):\n".count).split(separator: "\n").map(String.init)
    return lines.suffix(3).map { String($0.prefix(200)) }
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
}
