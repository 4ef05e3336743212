/// The report's cells laid out as people scan a matrix: a row per platform, a column per libc,
/// CPU, environment and user values (`gnu-2.17 · cc=zig`), each in the order it first appears.
package struct ReportGrid: Sendable {
  /// The platforms.
  package var rows: [String] = []
  /// The libc/env/values combinations.
  package var columns: [String] = []
  /// (row, column) → the cells there (usually one).
  package var cells: [Key: [VerifiedCell]] = [:]

  /// A grid position.
  package struct Key: Hashable, Sendable {
    /// The row.
    package var row: String
    /// The column.
    package var column: String
  }

  /// Lays out `report`'s cells.
  package init(_ report: Report) {
    for cell in report.cells {
      let column =
        ([cell.target.libc.description] + (cell.target.cpu.map { [$0.name] } ?? []) + (cell.env.map { [$0] } ?? [])
        + cell.values.sorted { $0.key < $1.key }.map {
          "\($0.key)=\($0.value)"
        }).joined(separator: " · ")
      let row = cell.target.platform.description
      if !rows.contains(row) { rows.append(row) }
      if !columns.contains(column) { columns.append(column) }
      cells[Key(row: row, column: column), default: []].append(cell)
    }
  }

  /// The mark people see for a verdict.
  package static func mark(_ verdict: Verdict) -> String {
    switch verdict {
    case .passed: "✅"
    case .failed: "❌"
    case .error: "⚠️"
    case .skipped: "⏭️"
    case .flaky: "🔁"
    }
  }

  /// A cell's mark: its verdict's, ☑️ for a pass that rests on static checks alone, or ♻️ for a pass
  /// whose run steps were taken from an earlier run.
  package static func mark(_ cell: VerifiedCell) -> String {
    if cell.checkedStaticallyOnly { return "☑️" }
    return cell.verdict == .passed && cell.reusedFrom != nil ? "♻️" : mark(cell.verdict)
  }

  /// The legend of the marks.
  package static let legend =
    "✅ passed · ☑️ passed, checked statically only (nothing here runs it) · ♻️ passed, its runs reused from an earlier"
    + " run (nothing it depends on changed) · ❌ failed · ⚠️ error (could not be checked) · ⏭️ skipped · 🔁 flaky"
    + " (passed on a retry)"

  /// Every check that did not pass or skip (flaky ones too), with its cell, in report order.
  package static func problems(_ report: Report) -> [(cell: VerifiedCell, check: Finding)] {
    report.cells.flatMap { cell in
      cell.findings.filter { [.failed, .error, .flaky].contains($0.verdict) }.map { (cell, $0) }
    }
  }
}
