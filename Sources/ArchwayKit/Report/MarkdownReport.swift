/// The report as GitHub-flavoured Markdown for `$GITHUB_STEP_SUMMARY`: the grid of platforms by
/// libc/environment with a mark per cell, then every failure and error with its message and details.
package enum MarkdownReport {
  /// How many problems are listed before the rest are counted.
  package static let problemLimit = 50

  /// The Markdown text for `report`.
  package static func render(_ report: Report) -> String {
    let grid = ReportGrid(report)
    var md = "## Archway: \(cellText(report.plan.matrix))\n\n**\(report.summaryLine)**"
    if !report.plan.shards.isEmpty { md += " (shards \(report.plan.shards.joined(separator: ", ")))" }
    // Where people look first: what got worse since the last good run.
    if let changes = report.changes { md += "\n\n#" + changes.markdown.dropLast() }
    md += "\n\n| platform | " + grid.columns.map(cellText).joined(separator: " | ") + " |\n"
    md += "|---|" + String(repeating: "---|", count: grid.columns.count) + "\n"
    for row in grid.rows {
      let marks = grid.columns.map { column in
        (grid.cells[ReportGrid.Key(row: row, column: column)] ?? []).map { ReportGrid.mark($0) }.joined(
          separator: " ")
      }
      md += "| \(cellText(row)) | " + marks.joined(separator: " | ") + " |\n"
    }
    md += "\n" + ReportGrid.legend + "\n"
    let ranAgain = report.cells.compactMap { cell in cell.execution.reuse?.notReused.map { (cell.id, $0) } }
    if !ranAgain.isEmpty {
      md +=
        "\n<details><summary>\(ranAgain.count) cell\(ranAgain.count == 1 ? "" : "s") ran again (not reused)</summary>\n\n"
      for (id, why) in ranAgain.prefix(problemLimit) { md += "- **\(cellText(id))**: \(cellText(why))\n" }
      md += "\n</details>\n"
    }
    if let baseline = report.baseline {
      md += "\nAgainst the baseline: \(baseline.changed.count) changed, \(baseline.added.count) added, "
      md += "\(baseline.missing.count) missing.\n"
    }
    let problems = ReportGrid.problems(report)
    guard !problems.isEmpty else { return md }
    md += "\n### Failures\n\n"
    for (cell, check) in problems.prefix(problemLimit) {
      md += "- \(ReportGrid.mark(check.verdict)) **\(cellText(cell.id))** `\(cellText(check.title))`: "
      md += cellText(check.message) + "\n"
      if let details = check.details, !details.isEmpty {
        let shown = visible(String(details.prefix(3000)))
        let fence = self.fence(for: shown)
        md += "  <details><summary>details</summary>\n\n  \(fence)\n"
        md += shown.split(separator: "\n", omittingEmptySubsequences: false).map {
          "  " + $0
        }.joined(separator: "\n")
        md += "\n  \(fence)\n  </details>\n"
      }
    }
    if problems.count > problemLimit { md += "- … and \(problems.count - problemLimit) more (see the JSON report)\n" }
    return md
  }

  /// `text` on one line, with the characters Markdown tables, links and HTML would read escaped.
  static func cellText(_ text: String) -> String {
    visible(text).replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "|", with: "\\|")
      .replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: "`", with: "'")
      .replacingOccurrences(of: "[", with: "\\[").replacingOccurrences(of: "]", with: "\\]")
  }

  /// A code fence no line of `text` can close: backticks, one more than its longest run of them
  /// (CommonMark closes a fence only with one at least as long), and at least three.
  static func fence(for text: String) -> String {
    var longest = 0
    var run = 0
    for character in text {
      run = character == "`" ? run + 1 : 0
      longest = max(longest, run)
    }
    return String(repeating: "`", count: max(3, longest + 1))
  }

  /// `text` without what a terminal or a renderer would act on: escape sequences (`ESC [ … m`) are
  /// removed, and every other control character but newline and tab (NUL, a lone ESC, DEL, C1)
  /// becomes U+FFFD, so program output cannot recolour a summary or smuggle bytes into it.
  static func visible(_ text: String) -> String {
    var out = String.UnicodeScalarView()
    var scalars = text.unicodeScalars.makeIterator()
    while let scalar = scalars.next() {
      switch scalar.value {
      case 0x1B:
        // CSI: ESC [ parameters… final byte in 0x40…0x7E.
        var copy = scalars
        if copy.next() == "[" {
          scalars = copy
          while let next = scalars.next(), !(0x40...0x7E).contains(next.value) {}
        } else {
          out.append("\u{FFFD}")
        }
      case 0x09, 0x0A: out.append(scalar)
      case 0x00..<0x20, 0x7F..<0xA0: out.append("\u{FFFD}")
      default: out.append(scalar)
      }
    }
    return String(out)
  }
}

extension MarkdownReport {
  /// The most annotations a report makes (GitHub shows 10 a step and 50 a job).
  package static let annotationLimit = 50

  /// GitHub Actions workflow commands: an `::error` annotation per change since the baseline that the
  /// policy fails on, then per failed or errored check (a `::warning` per flaky one).
  package static func githubAnnotations(_ report: Report) -> [String] {
    let (data, property) = (GitHubCommands.data, GitHubCommands.property)
    let changes = (report.changes?.failures ?? []).map { "::error title=\(property($0.label))::\(data($0.message))" }
    let all =
      changes
      + ReportGrid.problems(report).map { cell, check in
        let level = check.verdict == .flaky ? "warning" : "error"
        return "::\(level) title=\(property("\(cell.id) \(check.title)"))::\(data(check.message))"
      }
    guard all.count > annotationLimit else { return all }
    return all.prefix(annotationLimit)
      + [
        "::warning title=Archway::\(all.count - annotationLimit) more failed checks are not annotated;"
          + " the report and its summary list every one"
      ]
  }
}
