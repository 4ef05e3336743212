/// How a ``ReportDiff`` reads: a line per change for a terminal, a section for summary.md.
extension ReportDiff {
  /// The category's name in words (`floor rose`).
  static func words(_ category: Category) -> String { category.rawValue.replacingOccurrences(of: "-", with: " ") }

  /// The changes the policy fails on first, then the notes; nothing changed is said as such.
  var ordered: [Change] { failures + changes.filter { !$0.fails } }

  /// One line per change, `floor rose  CELL ARTIFACT: GLIBC floor 2.17 → 2.34 (…)`, then a count.
  package var text: String {
    guard !changes.isEmpty else { return "no changes since the baseline\n" }
    let ordered = self.ordered
    let width = ordered.map { Self.words($0.category).count }.max() ?? 0
    var lines = ordered.map { change in
      let name = Self.words(change.category).padding(toLength: width, withPad: " ", startingAt: 0)
      let line = "\(change.fails ? "✗" : "·") \(name)  \(change.title): \(change.message)"
      // A changed output is quoted: nothing in it may act on the terminal.
      return MarkdownReport.visible(line).replacingOccurrences(of: "\n", with: " ")
    }
    let failing = failures.count
    let failOn = policy.failOnInOrder.map(\.rawValue).joined(separator: ", ")
    lines.append(
      "\(failing) change\(failing == 1 ? "" : "s") the policy fails on (\(failOn)), \(changes.count - failing) note"
        + (changes.count - failing == 1 ? "" : "s"))
    return lines.joined(separator: "\n") + "\n"
  }

  /// A Markdown section, `## Changes since the baseline`: what fails first, every text escaped so
  /// nothing in it renders.
  package var markdown: String {
    var lines = ["## Changes since the baseline", ""]
    guard !changes.isEmpty else { return (lines + ["No changes.", ""]).joined(separator: "\n") }
    lines += ["| | change | cell | subject | what |", "|---|---|---|---|---|"]
    for change in ordered {
      let mark = change.fails ? "❌" : "ℹ️"
      let cells = [change.cell, change.subject ?? "", change.message].map(MarkdownReport.cellText)
      lines.append("| \(mark) | \(Self.words(change.category)) | " + cells.joined(separator: " | ") + " |")
    }
    return (lines + [""]).joined(separator: "\n")
  }
}
