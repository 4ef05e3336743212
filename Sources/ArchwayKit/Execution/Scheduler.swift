import Foundation

/// What a run produced: the host, every cell's record, and whether it was interrupted.
public struct RunRecord: Sendable, Hashable, Codable {
  /// The record's format version.
  public var version = 1
  /// The matrix file.
  public var matrix: String
  /// The host's platform.
  public var host: String
  /// When the run started (ISO 8601, from the injected clock).
  public var started: String
  /// Every selected cell, in plan order.
  public var cells: [CellRecord]
  /// Whether SIGINT or SIGTERM ended the run early.
  public var interrupted: Bool

  /// Archway's exit code for this run: 130 interrupted; 3 when every cell hit an infrastructure
  /// problem (the host lacks what they need); 1 when any cell did not pass; else 0.
  public var exitStatus: Int32 {
    if interrupted { return 130 }
    if !cells.isEmpty, cells.allSatisfy({ $0.outcome == .infrastructure }) { return 3 }
    return cells.allSatisfy { $0.outcome == .passed } ? 0 : 1
  }

  /// Creates a record.
  public init(matrix: String, host: String, started: String, cells: [CellRecord], interrupted: Bool) {
    self.matrix = matrix
    self.host = host
    self.started = started
    self.cells = cells
    self.interrupted = interrupted
  }
}

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

  /// Runs `cells` and returns their records in plan order; `events` hears of each start and end.
  public func run(_ cells: [Cell], events: @escaping @Sendable (RunEvent) -> Void = { _ in }) async -> [CellRecord] {
    var records = [CellRecord?](repeating: nil, count: cells.count)
    var stopReason: String?
    await withTaskGroup(of: (Int, CellRecord).self) { group in
      var next = 0
      var running = 0
      while next < cells.count || running > 0 {
        while running < jobs, next < cells.count, stopReason == nil, !Task.isCancelled {
          let (index, cell) = (next, cells[next])
          events(.cellStarted(cell.id))
          group.addTask { (index, await executor.execute(cell)) }
          next += 1
          running += 1
        }
        guard running > 0, let (index, record) = await group.next() else { break }
        running -= 1
        records[index] = record
        events(.cellFinished(record))
        if failFast, record.outcome != .passed, stopReason == nil {
          stopReason = "--fail-fast: \(record.id) did not pass"
        }
      }
    }
    let cancelled = Task.isCancelled
    return cells.enumerated().map { index, cell in
      records[index]
        ?? CellRecord(
          id: cell.id, target: cell.target, env: cell.env,
          runner: Runner(kind: .none, reason: cancelled ? "interrupted" : stopReason ?? "not started"),
          outcome: cancelled ? .interrupted : .notRun,
          problems: [cancelled ? "interrupted before it started" : stopReason ?? ""])
    }
  }
}
