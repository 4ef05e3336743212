import Foundation

/// `archway run` as one call: the environments its cells need provisioned, every cell executed and
/// verified `jobs` at a time, the host described, the cross-cell checks made, the report built.
/// Progress goes to an observer; cancelling the calling task is the interruption (running cells'
/// process trees are ended and the report says so). Nothing here prints.
public struct RunPipeline: Sendable {
  /// What the pipeline tells its observer, in order.
  public enum Event: Sendable {
    /// An environment is being built (debootstrap, an image import), in words.
    case provisioning(String)
    /// An environment could not be made; its cells will report it as an infrastructure problem.
    case provisionFailed(String)
    /// A cell started.
    case cellStarted(String)
    /// A cell ended, verified, its cross-cell checks made: its verdict is final.
    case cellFinished(VerifiedCell)
    /// What an earlier run into the same folder left running was ended first, in words.
    case sweptLeftovers(String)
  }

  /// How many cells run at once.
  public var jobs: Int
  /// Whether to start no more cells after the first one that does not pass.
  public var failFast = false
  /// Whether to build the environments the cells need first.
  public var provision = true
  /// Path → SHA-256 of a baseline `SHA256SUMS`, compared when given.
  package var baseline: [String: String]?
  /// An earlier run's report, compared by the matrix's `regressions:` policy when given.
  package var baselineReport: Report?
  /// An earlier run's passed cells, which cells of equal keys take instead of running their steps
  /// again (`run --reuse`).
  package var reuse = ReuseOffers()
  /// The executor that runs each cell.
  package var executor: CellExecutor
  /// The clock that stamps the start and end (injected so tests can fix it).
  package var now: @Sendable () -> Date = { Date() }

  /// A pipeline that runs cells with `executor`, `jobs` at a time.
  public init(executor: CellExecutor, jobs: Int) {
    self.executor = executor
    self.jobs = jobs
  }

  /// Runs `selection`'s cells and returns the report (interrupted when the calling task was
  /// cancelled); `observe` hears of each event as it happens.
  public func run(_ selection: PlanSelection, observe: @escaping @Sendable (Event) -> Void = { _ in }) async -> Report {
    let cells = selection.cells
    let runners = await prepare(cells, observe: observe)
    let started = ISO8601DateFormatter().string(from: now())
    // The host is described while the cells run (each emulator's `--version` is a program to
    // start), for the runners they will use, then for those they used. The compilers the builds
    // name are asked at the same time: a cell then finds every version its key holds asked,
    // rather than waiting for each in turn (`python3 -m ziglang version` and `wine --version` take
    // a tenth of a second each).
    async let described = HostProbe.info(
      tools: Set(runners.compactMap(\.record.launcher)), versions: executor.versionLines)
    async let compilers: Void = executor.askCompilerVersions(of: cells)
    let folders = Dictionary(cells.map { ($0.id, $0.out) }) { one, _ in one }
    // Hashed again now that every cell's steps have ended: SHA256SUMS lists what is on disk.
    let verified = await runCells(cells, runners: runners, definitions: selection.all, observe: observe).map { cell in
      folders[cell.id].map { cell.rehashed(in: $0) } ?? cell
    }
    let interrupted = Task.isCancelled
    await compilers
    let host = await described.limited(to: Set(verified.compactMap(\.runner.launcher)))
    var report = ReportBuilder.build(
      selection, cells: verified, host: host, started: started, finished: ISO8601DateFormatter().string(from: now()),
      interrupted: interrupted, baseline: baseline)
    if let baselineReport {
      report.changes = ReportDiff(from: baselineReport, to: report, policy: selection.regressions)
    }
    return report
  }

  /// Sweeps what a killed run left in the output folder, provisions the environments the cells
  /// need, and then chooses each cell's runner, once, now that its environment is built.
  private func prepare(_ cells: [Cell], observe: @escaping @Sendable (Event) -> Void) async -> [any StepRunner] {
    // What each cell needs as the host stands before provisioning: the containers a killed run
    // left are swept with its engines, and its environment is provisioned for it.
    let needs = cells.map { executor.choice(for: $0).containerEngine }
    if let first = cells.first {
      let out = URL(fileURLWithPath: first.out).deletingLastPathComponent().path
      if let swept = await Leftovers.sweep(out: out, engines: Self.enginePaths(needs)) {
        observe(.sweptLeftovers(swept))
      }
    }
    if provision {
      let store = EnvironmentStore(
        root: EnvironmentStore.defaultRoot(environment: executor.passThrough), environment: executor.passThrough)
      let problems = await store.provision(cells, engines: needs, jobs: jobs) { observe(.provisioning($0)) }
      for problem in problems { observe(.provisionFailed(problem)) }
    }
    return cells.map { executor.runner(for: $0, choice: executor.choice(for: $0)) }
  }

  /// The container engines (their paths) that `cells` run in: whose containers a killed run may
  /// have left.
  package func containerEngines(for cells: [Cell]) -> [String] {
    Self.enginePaths(cells.map { executor.choice(for: $0).containerEngine })
  }

  /// The engines' paths among the cells' `needs`, each once, sorted.
  private static func enginePaths(_ needs: [(path: String, arguments: [String])?]) -> [String] {
    Set(needs.compactMap { $0?.path }).sorted()
  }

  /// Executes and verifies the cells `jobs` at a time; each is told once its cross-cell checks are
  /// made, its verdict final (a cell that never started is in the report only). Returns every cell
  /// as reported, in plan order.
  private func runCells(
    _ cells: [Cell], runners: [any StepRunner], definitions: [Cell], observe: @Sendable (Event) -> Void
  ) async -> [VerifiedCell] {
    var gate = CrossCellGate(cells: cells, definitions: definitions, baseline: baseline)
    var ended = Set<Int>()
    var executor = executor
    executor.offers = reuse.offers
    let results = await Scheduler(jobs: jobs, failFast: failFast).run(
      cells.map(\.id),
      work: { [executor, reuse] (index: Int) async -> VerifiedCell in
        let execution = await executor.execute(cells[index], runner: runners[index])
        let earlier = execution.reuse?.from == nil ? [] : reuse.findings[execution.id] ?? []
        return CellVerifier.verify(execution, cell: cells[index], earlier: earlier)
      },
      passed: { $0.outcome == .passed && $0.verdict != .failed && $0.verdict != .error },
      unstarted: { index, why in
        let execution: ExecutionRecord =
          switch why {
          case .interrupted: .notStarted(cells[index], interrupted: true, reason: "interrupted")
          case .stopped(let reason): .notStarted(cells[index], interrupted: false, reason: reason)
          }
        return CellVerifier.verify(execution, cell: cells[index])
      },
      started: { observe(.cellStarted($0)) },
      finished: { index, cell in
        ended.insert(index)
        for ready in gate.ended(index, cell) { observe(.cellFinished(ready.cell)) }
      })
    // The cells that never started are reported only in the report; those that waited for them now.
    for index in results.indices where !ended.contains(index) {
      for ready in gate.ended(index, results[index]) where ended.contains(ready.index) {
        observe(.cellFinished(ready.cell))
      }
    }
    for held in gate.flush() where ended.contains(held.index) { observe(.cellFinished(held.cell)) }
    return gate.released.compactMap { $0 }
  }
}
