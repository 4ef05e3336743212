import Foundation

/// The cells a `plan` or `run` selects: the matrix file planned, filtered, then sharded.
public struct PlanSelection: Sendable {
  /// The matrix file.
  public var path: String
  /// Its bytes as planned (a report's plan id hashes them).
  /// The values given on the command line (`--set version=1.2`), as `KEY=VALUE`.
  package var set: [String] = []
  package var matrixBytes: Data
  /// The `--filter` and `--shard` the cells were selected with, if any.
  package var filter: String?
  /// See ``filter``.
  package var shard: String?
  /// The selected cells, in plan order.
  public var cells: [Cell]
  /// How many cells the whole plan has.
  package var total: Int
  /// The cells the filter kept, before sharding: what every shard of this run shares.
  package var planned: [Cell]
  /// Every cell of the matrix, before the filter.
  package var all: [Cell]
  /// The matrix's `regressions:` policy, for a run compared with a baseline report.
  package var regressions: RegressionPolicy

  /// Plans `path` with `planner`, keeps the cells matching `filter` (see ``CellFilter``), then shard
  /// `shard` (`I/N`), balanced by the durations recorded in the report at `durationsReport`.
  ///
  /// Throws a ``MatrixError``: with a location for a bad matrix file; without one for a bad filter or
  /// shard, a filter that matches nothing, or a report that cannot be read.
  public init(
    path: String, filter: String? = nil, shard: String? = nil, durationsReport: String? = nil, planner: Planner
  ) throws(MatrixError) {
    let bytes = try MatrixFile.contents(of: path)
    let file = try MatrixFile.load(bytes, path: path)
    let all = try planner.plan(file)
    var cells = all
    if let filter {
      let parsed = try CellFilter(filter)
      cells = cells.filter(parsed.matches)
      if cells.isEmpty {
        throw MatrixError("filter '\(filter)' matches none of the \(all.count) cells of \(path)", at: nil)
      }
    }
    let planned = cells
    if let shard {
      var recorded: [String: Double] = [:]
      if let durationsReport {
        let data: Data
        do {
          data = try RegularFile.contents(atPath: durationsReport, limit: RegularFile.reportLimit)
        } catch {
          throw MatrixError("the report '\(durationsReport)' \(error)", at: nil)
        }
        recorded = try Shard.durations(fromReport: data, named: durationsReport)
      }
      cells = try Shard(shard).select(cells, durations: recorded)
    }
    self.path = path
    self.set = planner.set.map { "\($0.key)=\($0.value)" }
    self.matrixBytes = bytes
    self.regressions = file.regressions
    self.filter = filter
    self.shard = shard
    self.cells = cells
    self.total = all.count
    self.planned = planned
    self.all = all
  }
}
