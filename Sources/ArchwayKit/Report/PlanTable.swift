/// The `archway plan` table: one row per cell, with its target and every user axis as a column.
public enum PlanTable {
  /// A table of `cells` with columns ID, PLATFORM, LIBC, ENV and one per user axis.
  public static func make(_ cells: [Cell]) -> TextTable {
    var axes: [String] = []
    for cell in cells {
      for entry in cell.userValues where !axes.contains(entry.key) { axes.append(entry.key) }
    }
    var table = TextTable(header: ["ID", "PLATFORM", "LIBC", "ENV"] + axes.map { $0.uppercased() })
    for cell in cells {
      table.rows.append(
        [cell.id, cell.target.platform, cell.target.libc, cell.env ?? "-"] + axes.map { cell[$0]?.description ?? "-" })
    }
    return table
  }
}
