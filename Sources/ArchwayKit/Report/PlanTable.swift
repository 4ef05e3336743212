/// The `archway plan` table: one row per cell, with its target and every user axis as a column.
package enum PlanTable {
  /// A table of `cells` with columns ID, PLATFORM, LIBC, CPU (when a cell names one), ENV, HOST
  /// (when a cell's steps may go to a machine over ssh: its `host:`, or the host of its platform)
  /// and one per user axis.
  package static func make(_ cells: [Cell]) -> TextTable {
    let hosts = cells.contains { $0.settings.host != nil }
    var axes: [String] = []
    for cell in cells {
      for entry in cell.userValues where !axes.contains(entry.key) && !(hosts && entry.key == "host") {
        axes.append(entry.key)
      }
    }
    let cpu = cells.contains { $0.target.cpu != nil }
    var table = TextTable(
      header: ["ID", "PLATFORM", "LIBC"] + (cpu ? ["CPU"] : []) + ["ENV"] + (hosts ? ["HOST"] : [])
        + axes.map { $0.uppercased() })
    for cell in cells {
      table.rows.append(
        [cell.id, cell.target.platform.description, cell.target.libc.description]
          + (cpu ? [cell.target.cpu?.name ?? "-"] : []) + [cell.env ?? "-"]
          + (hosts ? [cell.settings.host?.name ?? "-"] : []) + axes.map { cell[$0]?.description ?? "-" })
    }
    return table
  }
}
