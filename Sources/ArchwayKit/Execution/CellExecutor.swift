import Foundation

/// Runs one cell: its build step natively, a check that the declared artifacts exist, then its run
/// steps through the cell's runner. Every step is supervised by ``ProcessSupervisor``.
public struct CellExecutor: Sendable {
  /// The time limit of a step that names none.
  public var defaultTimeout: Duration
  /// Variables passed from Archway's environment to every step (the rest is not inherited).
  public var passThrough: [String: String]
  /// Engine arguments for container cells that name none (`engine_args:`): `$ARCHWAY_ENGINE_ARGS`,
  /// split at spaces, so a self-hosted runner states its engine's needs once.
  public var defaultEngineArguments: [String]
  /// What the runner choice asks of this host (its platform, programs, binfmt_misc), probed once for
  /// every cell.
  public var hostFacts: HostFacts
  /// The host's platform.
  public var host: Platform { hostFacts.platform }
  /// The compilers' versions asked for so far (each once per run).
  let toolchainVersions = Toolchains.VersionCache()
  /// The environments' fingerprints taken so far (each runner's once per run).
  let fingerprints = Fingerprint.Cache()

  /// The variables steps get from Archway's own environment when present.
  public static let passThroughNames = [
    "PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TERM", "USER", "GOCACHE", "GOPATH",
    "ZIG_GLOBAL_CACHE_DIR", "XDG_CACHE_HOME", "SOURCE_DATE_EPOCH",
  ]

  /// An executor for `host` with Archway's environment `environment`.
  public init(host: Platform, defaultTimeout: Duration, environment: [String: String]) {
    self.defaultTimeout = defaultTimeout
    passThrough = environment.filter { Self.passThroughNames.contains($0.key) }
    defaultEngineArguments = Self.engineArguments(environment)
    hostFacts = .probe(platform: host, path: passThrough["PATH"], environment: passThrough)
  }

  /// `$ARCHWAY_ENGINE_ARGS`, split at spaces.
  public static func engineArguments(_ environment: [String: String]) -> [String] {
    (environment["ARCHWAY_ENGINE_ARGS"] ?? "").split(separator: " ").map(String.init)
  }

  /// Runs `cell` to its end (or until the calling task is cancelled) and records what happened.
  public func execute(_ cell: Cell) async -> CellRecord {
    let start = ContinuousClock.now
    var record = await steps(of: cell)
    record.duration = (ContinuousClock.now - start).seconds
    return record
  }

  /// The runner `cell`'s run steps use on this host (see ``Runner/choose(for:on:engineArguments:)``),
  /// with ``defaultEngineArguments`` for a container cell that names none.
  public func runner(for cell: Cell) -> Runner {
    Runner.choose(for: cell, on: hostFacts, engineArguments: defaultEngineArguments)
  }

  private func steps(of cell: Cell) async -> CellRecord {
    let runner = runner(for: cell)
    let steps = cell.steps
    var record = CellRecord(id: cell.id, target: cell.target, env: cell.env, runner: runner, outcome: .passed)
    record.values = Dictionary(cell.identityValues.map { ($0.key, $0.value.description) }) { first, _ in first }
    do {
      try Self.ownFolders(cell.out, ["logs", "logs/archway"])
    } catch {
      record.outcome = .infrastructure
      record.problems.append("cannot make the cell's folder \(cell.out): \(systemReason(error))")
      return record
    }
    // A limit the host cannot grant would fail `prlimit`, and look like the program's own exit 1.
    let allSteps = (steps.build.map { [$0] } ?? []) + steps.run.map(\.command)
    if let problem = allSteps.lazy.compactMap({ ResourceLimit.hostProblem($0.limits) }).first {
      record.outcome = .infrastructure
      record.problems.append(problem)
      return record
    }
    var session: ContainerSession?
    if let build = steps.build {
      // What an earlier run left is not this build's: an artifact the build does not write is missing.
      for path in steps.artifacts.values { unlink(path) }
      var outcome: StepOutcome
      let versions: [String: String]
      if steps.buildIn == .target {
        let inside: @Sendable ([String]) -> [String]?
        (outcome, session, inside) = await buildInside(build, of: cell, runner: runner)
        versions = await Toolchains.versions(in: build.argv, cache: toolchainVersions, inside: inside)
      } else {
        outcome = await run(
          build, id: .build, argv: ResourceLimit.wrap(build.argv, options: build.prlimitOptions), in: cell,
          workingDirectory: build.workingDirectory)
        versions = await Toolchains.versions(
          in: build.argv, path: build.environment["PATH"] ?? passThrough["PATH"], cache: toolchainVersions)
      }
      record.toolchains = versions.isEmpty ? nil : versions
      record.steps.append(outcome)
      guard outcome.status.succeeded else {
        record.outcome = Self.outcome(of: outcome.status)
        record.steps += steps.run.map { .notRun($0.id, .skipped("the build did not succeed")) }
        await session?.stop(environment: passThrough, logs: Self.archwayLogs(cell))
        runner.removeScaffolding()
        return record
      }
    }
    for (name, path) in steps.artifacts.sorted(by: { $0.key < $1.key }) {
      switch ArtifactFile.check(path, folder: cell.out) {
      case .file(let resolved): record.artifacts.append(ArtifactRecord(name: name, path: resolved))
      case .missing:
        record.problems.append("the build left no artifact '\(name)' at \(path)")
        record.outcome = .failed
      case .refused(let why):
        record.problems.append("artifact '\(name)': \(why)")
        record.outcome = .failed
      }
    }
    var failed: StepOutcome?
    if session == nil, !steps.run.isEmpty { (session, failed) = await prepare(runner, for: cell) }
    if let failed {
      record.steps.append(failed)
      record.steps += steps.run.map { .notRun($0.id, argv: $0.command.argv, failed.status) }
      if record.outcome == .passed { record.outcome = Self.outcome(of: failed.status) }
      return record
    }
    // The fingerprint is taken while the steps run: it only describes their environment.
    let started = session
    async let fingerprint =
      steps.run.isEmpty || runner.kind == .none
      ? nil
      : fingerprints.take(
        runner: runner, session: started, limits: ResourceLimit.prlimitOptions(steps.limits),
        folder: Self.archwayLogs(cell), environment: passThrough)
    await runSteps(steps, of: cell, runner: runner, session: session, into: &record)
    record.fingerprint = await fingerprint
    await session?.stop(environment: passThrough, logs: Self.archwayLogs(cell))
    runner.removeScaffolding()
    if record.outcome != .interrupted {
      for rebuild in steps.rebuilds {
        try? Self.ownFolders(rebuild.folder, ["logs"])
        for path in rebuild.artifacts.values { unlink(path) }
        let command = rebuild.command
        let outcome = await run(
          command, id: rebuild.id, argv: ResourceLimit.wrap(command.argv, options: command.prlimitOptions),
          cell: cell.id, out: rebuild.folder, workingDirectory: command.workingDirectory)
        record.steps.append(outcome)
        if !outcome.status.succeeded { break }
      }
    }
    return record
  }

  /// Makes `folder` and its `subfolders` real folders: whatever else is at one of those paths (a
  /// symbolic link to elsewhere, a FIFO, a file, planted in a predictable out folder) is removed
  /// first, so no log or artifact is written through it. Folders already there are kept.
  static func ownFolders(_ folder: String, _ subfolders: [String]) throws {
    try FileManager.default.createDirectory(
      atPath: URL(fileURLWithPath: folder).deletingLastPathComponent().path, withIntermediateDirectories: true)
    for path in [folder] + subfolders.map({ folder + "/" + $0 }) {
      var status = stat()
      if lstat(path, &status) == 0, status.st_mode & S_IFMT != S_IFDIR { unlink(path) }
      if mkdir(path, 0o755) != 0, errno != EEXIST {
        throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
      }
    }
  }

  /// Where the logs of what Archway runs for a cell's runner go (fingerprint, container start and
  /// stop, wine prefix): apart from the steps' logs, so no step name can collide with them.
  static func archwayLogs(_ cell: Cell) -> String { cell.out + "/logs/archway" }

  /// What `runner` needs before a cell's run steps: the container session it then runs them in, or
  /// wine's prefix. Returns the session (nil for other runners) or the outcome of what failed.
  private func prepare(_ runner: Runner, for cell: Cell) async -> (ContainerSession?, StepOutcome?) {
    switch runner.kind {
    case .container:
      switch await ContainerSession.start(runner: runner, cell: cell, environment: passThrough) {
      case .started(let session): (session, nil)
      case .failed(let outcome): (nil, outcome)
      }
    case .wine: (nil, await WinePrefix.prepare(for: runner, environment: passThrough, logs: Self.archwayLogs(cell)))
    default: (nil, nil)
    }
  }

  /// Runs the build inside the cell's environment (`build: {in: target}`): through the rootfs
  /// runner, or in the cell's container, which is started for it and kept for the run steps; it
  /// starts in its `workdir:` or the project, seen read-only at its own path, and writes to the
  /// cell's folder. Returns the outcome, the session, and how to run a command there (for the
  /// compilers' versions); another runner cannot build inside and is the host's shortfall.
  private func buildInside(
    _ build: StepCommand, of cell: Cell, runner: Runner
  ) async -> (StepOutcome, ContainerSession?, @Sendable ([String]) -> [String]?) {
    let workdir = build.workingDirectory ?? runner.projectFolder
    switch runner.kind {
    case .rootfs:
      let argv = runner.wrap(build.argv, workdir: workdir) ?? build.argv
      let outcome = await run(
        build, id: .build, argv: ResourceLimit.wrap(argv, options: build.prlimitOptions), in: cell,
        workingDirectory: nil,
        runner: runner)
      return (outcome, nil, { runner.wrap($0, workdir: workdir) })
    case .container:
      let (session, failed) = await prepare(runner, for: cell)
      guard let session else {
        return (failed ?? .notRun(.build, argv: build.argv, .infrastructure(runner.reason)), nil, { _ in nil })
      }
      let argv = session.exec(
        build.argv, environment: Self.sessionEnvironment(build, cell: cell, runner: runner), workdir: workdir,
        limits: build.prlimitOptions, stdin: build.stdin != nil)
      let outcome = await run(build, id: .build, argv: argv, in: cell, workingDirectory: nil, runner: runner)
      let exec: @Sendable ([String]) -> [String]? = { command in
        session.exec(command, environment: [:], workdir: nil, limits: [], stdin: false)
      }
      return (outcome, session, exec)
    default:
      let reason =
        runner.kind == .none
        ? runner.reason
        : "a build in: target runs in the environment's root filesystem or container, not with the"
          + " \(runner.kind.rawValue) runner (\(runner.reason)); give runner: rootfs or container"
      return (.notRun(.build, argv: build.argv, .infrastructure(reason)), nil, { _ in nil })
    }
  }

  /// What a step in a container gets added to the container's environment: the cell's id, what the
  /// runner adds (`QEMU_CPU`), and the step's own variables, which win.
  static func sessionEnvironment(_ step: StepCommand, cell: Cell, runner: Runner) -> [String: String] {
    var environment = runner.environment
    environment["ARCHWAY_CELL"] = cell.id
    return environment.merging(step.environment) { _, step in step }
  }

  private func runSteps(
    _ steps: CellSteps, of cell: Cell, runner: Runner, session: ContainerSession?, into record: inout CellRecord
  ) async {
    for runStep in steps.run {
      let step = runStep.command
      let argv = step.argv
      // In a container the limits apply inside; otherwise they wrap the whole command, so they hold
      // natively and for the emulated program alike.
      // Why a step that nothing can run did not: the runner's reason, or the emulator's for this argv.
      var unavailable: StepStatus = runner.hostLacksIt ? .infrastructure(runner.reason) : .skipped(runner.reason)
      let wrapped: [String]?
      if runner.kind == .qemu {
        switch runner.emulated(
          argv, target: cell.target, folder: cell.out, workdir: step.workingDirectory, path: passThrough["PATH"],
          binfmt: hostFacts.binfmtEnabled, host: host)
        {
        case .direct(let command), .onTheHost(let command): wrapped = command
        case .impossible(let reason):
          wrapped = nil
          unavailable = .infrastructure(reason)
        }
      } else {
        wrapped = runner.wrap(argv, workdir: step.workingDirectory)
      }
      let command =
        session.map {
          $0.exec(
            argv, environment: Self.sessionEnvironment(step, cell: cell, runner: runner),
            workdir: step.workingDirectory, limits: step.prlimitOptions, stdin: step.stdin != nil)
        } ?? wrapped.map { ResourceLimit.wrap($0, options: step.prlimitOptions) }
      guard let command else {
        record.steps.append(.notRun(runStep.id, argv: argv, unavailable))
        if case .infrastructure = unavailable, record.outcome == .passed { record.outcome = .infrastructure }
        continue
      }
      // Inside a root filesystem or container the workdir is the runner's to enter, not the host's.
      let hostFolder = [.rootfs, .container].contains(runner.kind) ? nil : step.workingDirectory
      var outcome = await run(
        step, id: runStep.id, argv: command, in: cell, workingDirectory: hostFolder, runner: runner)
      // `retries:` runs a step that did not end as expected again; how the failed attempts ended is
      // kept, so one that passes later is flaky, not simply passed.
      var failures: [StepStatus] = []
      while failures.count < runStep.retries ?? 0, outcome.status != .exited(runStep.expect.exit),
        outcome.status.retryable
      {
        failures.append(outcome.status)
        outcome = await run(
          step, id: runStep.id, argv: command, in: cell, workingDirectory: hostFolder, runner: runner)
      }
      if !failures.isEmpty { outcome.failedAttempts = failures }
      record.steps.append(outcome)
      record.note(outcome, expected: runStep.expect.exit)
      if outcome.status == .interrupted { break }
    }
  }

  /// Runs a step's final argv (already wrapped by its runner and limits) with its environment and
  /// logs, its time limit (its own, else the run's) multiplied by the runner's scale, and what the
  /// runner adds to the environment (`QEMU_CPU`).
  private func run(
    _ step: StepCommand, id: StepID, argv: [String], in cell: Cell, workingDirectory: String?, runner: Runner? = nil
  ) async -> StepOutcome {
    await run(
      step, id: id, argv: argv, cell: cell.id, out: cell.out, workingDirectory: workingDirectory, runner: runner)
  }

  /// ``run(_:id:argv:in:workingDirectory:runner:)`` for the cell `cell` whose folder is `out`.
  private func run(
    _ step: StepCommand, id: StepID, argv: [String], cell: String, out: String, workingDirectory: String?,
    runner: Runner? = nil
  ) async -> StepOutcome {
    let timeoutScale = runner?.timeoutScale ?? 1
    var environment = passThrough
    environment.merge(runner?.environment ?? [:]) { _, runner in runner }
    environment.merge(step.environment) { _, step in step }
    environment["ARCHWAY_CELL"] = cell
    environment["ARCHWAY_CELL_OUT"] = out
    let process = await ProcessSupervisor.run(
      ProcessLaunch(
        argv: argv, environment: environment,
        workingDirectory: workingDirectory,
        stdin: step.stdin,
        timeout: (step.timeout.map { .milliseconds(Int($0 * 1000)) } ?? defaultTimeout) * min(timeoutScale, 100),
        logs: "\(out)/logs/\(id.name)"))
    return StepOutcome(id: id, process: process)
  }

  /// The cell outcome a step that did not end as expected leads to (another exit code is a failure).
  static func outcome(of status: StepStatus) -> CellRecord.Outcome {
    switch status {
    case .infrastructure: .infrastructure
    case .interrupted: .interrupted
    default: .failed
    }
  }

}

extension CellRecord {
  /// Takes a run step's outcome into the cell's: an exit other than the expected one fails the cell
  /// (or interrupts it, or makes it an infrastructure problem), the first such step deciding.
  mutating func note(_ step: StepOutcome, expected: Int32) {
    guard step.status != .exited(expected) else { return }
    let ending = CellExecutor.outcome(of: step.status)
    if outcome == .passed || ending == .interrupted { outcome = ending }
  }
}
