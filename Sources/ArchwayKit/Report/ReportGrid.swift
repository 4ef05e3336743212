/// The report's cells laid out as people scan a matrix: a row per platform, a column per libc,
/// CPU, environment and user values (`gnu-2.17 · cc=zig`), each in the order it first appears.
public struct ReportGrid: Sendable {
  /// The platforms.
  public var rows: [String] = []
  /// The libc/env/values combinations.
  public var columns: [String] = []
  /// (row, column) → the cells there (usually one).
  public var cells: [Key: [VerifiedCell]] = [:]

  /// A grid position.
  public struct Key: Hashable, Sendable {
    /// The row.
    public var row: String
    /// The column.
    public var column: String
  }

  /// Lays out `report`'s cells.
  public init(_ report: Report) {
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
  public static func mark(_ verdict: Verdict) -> String {
    switch verdict {
    case .passed: "✅"
    case .failed: "❌"
    case .error: "⚠️"
    case .skipped: "⏭️"
    case .flaky: "🔁"
    }
  }

  /// A cell's mark: its verdict's, or ☑️ for a pass that rests on static checks alone.
  public static func mark(_ cell: VerifiedCell) -> String {
    cell.checkedStaticallyOnly ? "☑️" : mark(cell.verdict)
  }

  /// The legend of the marks.
  public static let legend =
    "✅ passed · ☑️ passed, checked statically only (nothing here runs it) · ❌ failed · ⚠️ error (could not be checked)"
    + " · ⏭️ skipped · 🔁 flaky (passed on a retry)"

  /// Every check that did not pass or skip (flaky ones too), with its cell, in report order.
  public static func problems(_ report: Report) -> [(cell: VerifiedCell, check: Finding)] {
    report.cells.flatMap { cell in
      cell.findings.filter { [.failed, .error, .flaky].contains($0.verdict) }.map { (cell, $0) }
    }
  }
}
