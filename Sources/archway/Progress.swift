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
  private let github = Output.github

  init(total: Int) { self.total = total }

  /// A cell started.
  func started(_ id: String) {
    lock.withLock {
      running.append(id)
      if !live && !github { line("start  \(id)") }
      if live { status() }
    }
  }

  /// A cell ended, its verdict final.
  func finished(_ record: VerifiedCell) {
    lock.withLock {
      running.removeAll { $0 == record.id }
      done += 1
      if record.verdict == .failed || record.verdict == .error { failures += 1 }
      report(record)
      if live { status() }
    }
  }

  private func report(_ record: VerifiedCell) {
    let seconds = String(format: "%.1fs", record.duration)
    let verdict = record.checkedStaticallyOnly ? "static" : record.verdict.rawValue
    let reused =
      (record.buildReusedFrom.map { ", build reused from the run of \($0.started)" } ?? "")
      + (record.reusedFrom.map { ", runs reused from the run of \($0.started)" } ?? "")
    let head =
      "[\(done)/\(total)] \(verdict.padding(toLength: 8, withPad: " ", startingAt: 0)) \(record.id) (\(seconds), \(record.runner.kind.rawValue)\(reused))"
    let problems = record.findings.filter { [.failed, .error, .flaky].contains($0.verdict) }
    if github {
      // The group's lines hold what the project wrote: none of them may become a command.
      line("::group::" + GitHubCommands.data(head))
      for step in record.steps { line(GitHubCommands.inert("  \(step.name): \(step.status)")) }
      for check in record.findings {
        line(GitHubCommands.inert("  \(check.verdict.rawValue) \(check.title): \(check.message)"))
      }
      line("::endgroup::")
    } else {
      let colour = record.verdict == .failed ? "31" : record.verdict == .flaky ? "35" : "33"
      line(problems.isEmpty ? head : Output.paint(head, colour))
      for check in problems {
        line("    \(check.title): \(check.message)")
        for words in check.lastWords { line("      | \(words)") }
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
}
