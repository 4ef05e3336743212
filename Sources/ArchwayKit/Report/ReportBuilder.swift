import Foundation

/// Puts verified cells into the report: the plan and host described, a baseline's comparison
/// listed. Runs no process and makes no check: every finding was made before its cell was reported.
package enum ReportBuilder {
  /// The report of `selection`, whose cells ended as `cells` (plan order, each verified, the
  /// cross-cell checks made) on `host` between `started` and `finished` (ISO 8601); with
  /// `baseline` (path → SHA-256 from a `SHA256SUMS`), how the artifacts compare with it.
  package static func build(
    _ selection: PlanSelection, cells: [VerifiedCell], host: HostInfo, started: String, finished: String,
    interrupted: Bool, baseline: [String: String]? = nil
  ) -> Report {
    let plan = Report.PlanInfo(
      matrix: selection.path, matrixBytes: selection.matrixBytes, filter: selection.filter, set: selection.set,
      shard: selection.shard,
      planned: selection.planned, all: selection.all)
    var report = Report(
      plan: plan, hosts: [host], started: started, finished: finished, interrupted: interrupted, cells: cells)
    if let baseline {
      var comparison = Checksums.compare(report.checksums, baseline: baseline)
      // A run of part of the matrix (--filter, a shard) answers only for its own cells; a run of
      // the whole also lists the artifacts of cells no longer in it.
      let ran = Set(cells.map(\.id))
      if plan.filter != nil || cells.count < plan.cellIDs.count {
        comparison.missing.removeAll { !ran.contains(String($0.prefix { $0 != "/" })) }
      }
      report.baseline = comparison
    }
    return report
  }
}

extension Report {
  /// The reports of the parts of one run combined into one: cells in plan order, hosts and shards
  /// listed, cross-cell checks made again now that every cell is in; a planned cell that no part
  /// ran is an error of its own (parts with different filters, one job per cell, plan the whole
  /// matrix). Throws a ``ReportError`` for reports of different matrices or a cell two reports
  /// both ran.
  ///
  /// Each report's `name` is its path: its cells are read from the folder it sits in
  /// (``ShardFolders``), never from where its plan says they were.
  package static func merge(_ reports: [(name: String, report: Report)]) throws(ReportError) -> Report {
    guard let (firstName, first) = reports.first else {
      throw ReportError("nothing to merge: name the shards' reports")
    }
    var byID: [String: VerifiedCell] = [:]
    let definitions = Dictionary(first.plan.cells.map { ($0.id, $0) }) { one, _ in one }
    var owner: [String: String] = [:]
    for (name, report) in reports {
      guard report.plan.id == first.plan.id else {
        throw ReportError(
          "\(name) is a report of another matrix than \(firstName) (\(report.plan.matrix), plan \(report.plan.id.prefix(12))"
            + " vs \(first.plan.matrix), plan \(first.plan.id.prefix(12))); merge only the parts of one run")
      }
      let recorded = Dictionary(report.plan.cells.map { ($0.id, $0.out) }) { one, _ in one }
      for cell in report.cells {
        if let other = owner[cell.id] {
          throw ReportError("cell \(cell.id) is in both \(other) and \(name); each shard's report should be named once")
        }
        owner[cell.id] = name
        byID[cell.id] = cell.moved(from: recorded[cell.id], to: ShardFolders.cell(cell.id, ofReportAt: name))
      }
    }
    var plan = first.plan
    for index in plan.cells.indices {
      let id = plan.cells[index].id
      plan.cells[index].out = ShardFolders.cell(id, ofReportAt: owner[id] ?? firstName)
    }
    plan.shards = reports.flatMap(\.report.plan.shards).sorted()
    // Shards of one filtered run answer for that filter's cells; parts with different filters
    // (a fan-out job per cell) are assembled into the whole matrix.
    if Set(reports.map(\.report.plan.filter)).count > 1 {
      plan.filter = nil
      plan.cellIDs = plan.cells.map(\.id)
    }
    var cells: [VerifiedCell] = []
    for id in plan.cellIDs {
      guard let definition = definitions[id] else {
        throw ReportError("\(firstName) plans the cell \(id) but does not define it")
      }
      cells.append(byID[id] ?? Self.unrun(definition))
    }
    let context = CrossCellChecks.Context(cells: cells, definitions: plan.cells)
    let located = Dictionary(plan.cells.map { ($0.id, $0) }) { one, _ in one }
    let rechecked = cells.map { cell in
      CrossCellChecks.apply(
        to: cell.replacing(CrossCellChecks.kinds, with: []), definition: located[cell.id]!, in: context)
    }
    return Report(
      plan: plan, hosts: Array(Set(reports.flatMap(\.report.hosts))).sorted { $0.platform < $1.platform },
      started: reports.map(\.report.started).min() ?? first.started,
      finished: reports.map(\.report.finished).max() ?? first.finished,
      interrupted: reports.contains { $0.report.interrupted }, cells: rechecked)
  }

  /// The cell of a planned cell no shard ran.
  static func unrun(_ definition: Cell) -> VerifiedCell {
    VerifiedCell(
      execution: ExecutionRecord(
        id: definition.id, target: definition.target, env: definition.env, runner: .none("no shard ran this cell"),
        outcome: .notRun),
      artifacts: [],
      findings: [Finding(.cell, .cell, .error, "no shard's report has this cell; was a shard's job lost?")])
  }
}
