import Foundation

/// Something that happened during a run, for progress output.
public enum RunEvent: Sendable {
  /// A cell started.
  case cellStarted(String)
  /// A cell ended.
  case cellFinished(CellRecord)
}

/// Runs cells at most `jobs` at a time with structured concurrency. Keeps going after a failure
/// unless `failFast`; when the calling task is cancelled it starts nothing more, the running cells'
/// process trees are ended, and every cell still has a record (unfinished ones `interrupted`).
public struct Scheduler: Sendable {
  /// How many cells run at once.
  public var jobs: Int
  /// Whether to stop starting cells after the first one that does not pass.
  public var failFast: Bool
  /// The executor that runs each cell.
  public var executor: CellExecutor

  /// A scheduler.
  public init(jobs: Int, failFast: Bool, executor: CellExecutor) {
    self.jobs = max(1, jobs)
    self.failFast = failFast
    self.executor = executor
  }

  /// Runs `cells` and returns their records in plan order; `finish` turns each record into its
  /// final form (the verifier's checks) in the cell's own task, before `events` hears of its end.
  public func run(
    _ cells: [Cell], finish: @escaping @Sendable (Cell, CellRecord) async -> CellRecord = { $1 },
    events: @escaping @Sendable (RunEvent) -> Void = { _ in }
  ) async -> [CellRecord] {
    await run(cells, runners: nil, finish: finish, events: events)
  }

  /// ``run(_:finish:events:)`` with each cell's runner made already (`runners[i]` for `cells[i]`),
  /// else chosen as the cell starts.
  package func run(
    _ cells: [Cell], runners: [any StepRunner]?, finish: @escaping @Sendable (Cell, CellRecord) async -> CellRecord,
    events: @escaping @Sendable (RunEvent) -> Void = { _ in }
  ) async -> [CellRecord] {
    var records = [CellRecord?](repeating: nil, count: cells.count)
    var stopReason: String?
    await withTaskGroup(of: (Int, CellRecord).self) { group in
      var next = 0
      var running = 0
      while next < cells.count || running > 0 {
        while running < jobs, next < cells.count, stopReason == nil, !Task.isCancelled {
          let (index, cell) = (next, cells[next])
          events(.cellStarted(cell.id))
          let runner = runners?[index]
          group.addTask {
            let record: CellRecord
            if let runner {
              record = await executor.execute(cell, runner: runner)
            } else {
              record = await executor.execute(cell)
            }
            return (index, await finish(cell, record))
          }
          next += 1
          running += 1
        }
        guard running > 0, let (index, record) = await group.next() else { break }
        running -= 1
        records[index] = record
        events(.cellFinished(record))
        let failed = record.outcome != .passed || record.verdict == .failed || record.verdict == .error
        if failFast, failed, stopReason == nil {
          stopReason = "--fail-fast: \(record.id) did not pass"
        }
      }
    }
    let cancelled = Task.isCancelled
    var result: [CellRecord] = []
    for (index, cell) in cells.enumerated() {
      if let record = records[index] {
        result.append(record)
        continue
      }
      let unstarted = CellRecord(
        id: cell.id, target: cell.target, env: cell.env,
        runner: .none(cancelled ? "interrupted" : stopReason ?? "not started"),
        outcome: cancelled ? .interrupted : .notRun,
        problems: [cancelled ? "interrupted before it started" : stopReason ?? ""])
      result.append(await finish(cell, unstarted))
    }
    return result
  }
}
