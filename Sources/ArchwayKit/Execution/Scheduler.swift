/// Runs a plan's cells at most `jobs` at a time with structured concurrency. Keeps going after a
/// failure unless `failFast`; when the calling task is cancelled it starts nothing more, the running
/// cells' process trees are ended, and every cell still has a result (unstarted ones made by the
/// caller, interrupted or stopped).
package struct Scheduler: Sendable {
  /// How many cells run at once.
  package var jobs: Int
  /// Whether to stop starting cells after the first one that does not pass.
  package var failFast: Bool

  /// A scheduler.
  package init(jobs: Int, failFast: Bool) {
    self.jobs = max(1, jobs)
    self.failFast = failFast
  }

  /// Why a cell was never started.
  package enum NotStarted: Sendable {
    /// The run was interrupted first.
    case interrupted
    /// `--fail-fast` stopped the run: the reason names the cell that did not pass.
    case stopped(String)
  }

  /// Runs `work(i)` for the cells `ids` (in plan order) and returns the results in that order.
  /// `started` hears of each cell as it starts, and `finished` of each result as it comes (on the
  /// calling task, so it may keep state of its own); `passed` says whether a result lets a
  /// `--fail-fast` run go on; `unstarted` makes the result of a cell that never started.
  package func run<Result: Sendable>(
    _ ids: [String], work: @escaping @Sendable (Int) async -> Result, passed: (Result) -> Bool,
    unstarted: (Int, NotStarted) -> Result, started: (String) -> Void = { _ in },
    finished: (Int, Result) -> Void = { _, _ in }
  ) async -> [Result] {
    var results = [Result?](repeating: nil, count: ids.count)
    var stopReason: String?
    await withTaskGroup(of: (Int, Result).self) { group in
      var next = 0
      var running = 0
      while next < ids.count || running > 0 {
        while running < jobs, next < ids.count, stopReason == nil, !Task.isCancelled {
          let index = next
          started(ids[index])
          group.addTask { (index, await work(index)) }
          next += 1
          running += 1
        }
        guard running > 0, let (index, result) = await group.next() else { break }
        running -= 1
        results[index] = result
        finished(index, result)
        if failFast, !passed(result), stopReason == nil {
          stopReason = "--fail-fast: \(ids[index]) did not pass"
        }
      }
    }
    let reason: NotStarted = Task.isCancelled ? .interrupted : .stopped(stopReason ?? "not started")
    for index in ids.indices where results[index] == nil { results[index] = unstarted(index, reason) }
    return results.map { $0! }
  }
}
