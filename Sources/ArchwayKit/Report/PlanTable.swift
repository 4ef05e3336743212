/// The `archway plan` table: one row per cell, with its target and every user axis as a column.
package enum PlanTable {
  /// A table of `cells` with columns ID, PLATFORM, LIBC, CPU (when a cell names one), ENV and one
  /// per user axis.
  package static func make(_ cells: [Cell]) -> TextTable {
    var axes: [String] = []
    for cell in cells {
      for entry in cell.userValues where !axes.contains(entry.key) { axes.append(entry.key) }
    }
    let cpu = cells.contains { $0.target.cpu != nil }
    var table = TextTable(
      header: ["ID", "PLATFORM", "LIBC"] + (cpu ? ["CPU"] : []) + ["ENV"] + axes.map { $0.uppercased() })
    for cell in cells {
      table.rows.append(
        [cell.id, cell.target.platform.description, cell.target.libc.description]
          + (cpu ? [cell.target.cpu?.name ?? "-"] : []) + [cell.env ?? "-"]
          + axes.map { cell[$0]?.description ?? "-" })
    }
    return table
  }
}
