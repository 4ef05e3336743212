/// A plain-text table with aligned columns, for terminal output.
package struct TextTable: Sendable {
  /// The column titles.
  package var header: [String]
  /// The cells, row by row.
  package var rows: [[String]] = []

  /// Creates a value from its parts.
  package init(header: [String]) { self.header = header }

  /// The table as lines; `style` may wrap a cell (by column and row, -1 for the header) in colour
  /// after its width is measured, so escapes never break alignment.
  package func render(style: (_ text: String, _ column: Int, _ row: Int) -> String = { text, _, _ in text }) -> String {
    let all = [header] + rows
    var widths = [Int](repeating: 0, count: header.count)
    for row in all {
      for (column, cell) in row.enumerated() where column < widths.count {
        widths[column] = max(widths[column], cell.count)
      }
    }
    var lines: [String] = []
    for (index, row) in all.enumerated() {
      var line = ""
      for (column, cell) in row.enumerated() where column < widths.count {
        let padded =
          column == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count + 2)
        line += style(padded, column, index - 1)
      }
      lines.append(line)
    }
    return lines.joined(separator: "\n")
  }
}
