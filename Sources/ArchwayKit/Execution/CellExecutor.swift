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
  public var hostFacts: Runner.HostFacts
  /// The host's platform.
  public var host: Platform { hostFacts.platform }

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
    var record = CellRecord(id: cell.id, target: cell.target, env: cell.env, runner: runner, outcome: .passed)
    record.values = Dictionary(cell.identityValues.map { ($0.key, $0.value.description) }) { first, _ in first }
    let steps: CellSteps
    let verify: VerifySpec
    do {
      steps = try CellSteps(cell)
      verify = try VerifySpec(cell)
      try FileManager.default.createDirectory(atPath: cell.out + "/logs", withIntermediateDirectories: true)
    } catch {
      record.outcome = .infrastructure
      record.problems.append("\(error)")
      return record
    }
    if let build = steps.build {
      let outcome = await run(build, argv: ResourceLimit.wrap(build.argv, options: build.prlimitOptions), in: cell)
      record.steps.append(outcome)
      guard outcome.status.succeeded else {
        record.outcome = Self.outcome(of: outcome.status)
        record.steps += steps.run.map { .notRun($0.name, .skipped("the build did not succeed")) }
        return record
      }
    }
    for (name, path) in steps.artifacts.sorted(by: { $0.key < $1.key }) {
      if FileManager.default.fileExists(atPath: path) {
        // Absolute, so `${artifact:NAME}` holds in a run step with its own `workdir`.
        record.artifacts.append(ArtifactRecord(name: name, path: URL(fileURLWithPath: path).standardizedFileURL.path))
      } else {
        record.problems.append("the build left no artifact '\(name)' at \(path)")
        record.outcome = .failed
      }
    }
    let (session, failed) = steps.run.isEmpty ? (nil, nil) : await prepare(runner, for: cell)
    if let failed {
      record.steps.append(failed)
      record.steps += steps.run.map { .notRun($0.name, argv: $0.argv, failed.status) }
      if record.outcome == .passed { record.outcome = Self.outcome(of: failed.status) }
      return record
    }
    if !steps.run.isEmpty {
      record.fingerprint = await Fingerprint.take(
        runner: runner, session: session, limits: ResourceLimit.prlimitOptions(steps.limits),
        folder: cell.out + "/logs", environment: passThrough)
    }
    await runSteps(steps, of: cell, runner: runner, session: session, into: &record)
    await session?.stop(environment: passThrough, logs: cell.out + "/logs")
    runner.removeScaffolding()
    if let build = steps.build, let reproducible = verify.reproducible, record.outcome != .interrupted {
      for number in 2...reproducible.builds {
        let rebuild = Rebuild(number: number, cell: cell, vary: reproducible.vary)
        try? FileManager.default.createDirectory(
          atPath: rebuild.relocatedCell.out + "/logs", withIntermediateDirectories: true)
        let outcome = await run(rebuild.step(from: build), argv: rebuild.argv(from: build), in: rebuild.relocatedCell)
        record.steps.append(outcome)
        if !outcome.status.succeeded { break }
      }
    }
    return record
  }

  /// What `runner` needs before a cell's run steps: the container session it then runs them in, or
  /// wine's prefix. Returns the session (nil for other runners) or the outcome of what failed.
  private func prepare(_ runner: Runner, for cell: Cell) async -> (ContainerSession?, StepOutcome?) {
    switch runner.kind {
    case .container:
      switch await ContainerSession.start(runner: runner, cell: cell, environment: passThrough) {
      case .started(let session): (session, nil)
      case .failed(let outcome): (nil, outcome)
      }
    case .wine: (nil, await WinePrefix.prepare(for: runner, environment: passThrough, logs: cell.out + "/logs"))
    default: (nil, nil)
    }
  }

  private func runSteps(
    _ steps: CellSteps, of cell: Cell, runner: Runner, session: ContainerSession?, into record: inout CellRecord
  ) async {
    let artifacts = record.artifactPaths
    for step in steps.run {
      var argv: [String]
      do {
        argv = try step.argv.map { word throws(MatrixError) in try Self.substituteArtifacts(in: word, artifacts) }
      } catch {
        record.problems.append(error.message)
        record.steps.append(.notRun(step.name, argv: step.argv, .skipped(error.message)))
        record.outcome = .failed
        continue
      }
      // In a container the limits apply inside; otherwise they wrap the whole command, so they hold
      // natively and for the emulated program alike.
      let command =
        session.map {
          $0.exec(
            argv, environment: step.environment.merging(["ARCHWAY_CELL": cell.id]) { step, _ in step },
            workdir: step.workingDirectory, limits: step.prlimitOptions, stdin: step.stdin != nil)
        } ?? runner.wrap(argv).map { ResourceLimit.wrap($0, options: step.prlimitOptions) }
      guard let command else {
        let status: StepStatus = runner.hostLacksIt ? .infrastructure(runner.reason) : .skipped(runner.reason)
        record.steps.append(.notRun(step.name, argv: argv, status))
        if runner.hostLacksIt, record.outcome == .passed { record.outcome = .infrastructure }
        continue
      }
      let outcome = await run(step, argv: command, in: cell)
      record.steps.append(outcome)
      record.note(outcome, expected: step.expectedExit)
      if outcome.status == .interrupted { break }
    }
  }

  /// Runs a step's final argv (already wrapped by its runner and limits) with its environment and logs.
  private func run(_ step: StepSpec, argv: [String], in cell: Cell) async -> StepOutcome {
    var environment = passThrough
    environment.merge(step.environment) { _, step in step }
    environment["ARCHWAY_CELL"] = cell.id
    environment["ARCHWAY_CELL_OUT"] = cell.out
    return await ProcessSupervisor.run(
      ProcessLaunch(
        name: step.name, argv: argv, environment: environment, workingDirectory: step.workingDirectory,
        stdin: step.stdin, timeout: step.timeout ?? defaultTimeout,
        logs: "\(cell.out)/logs/\(step.name.replacingOccurrences(of: "/", with: "_"))"))
  }

  /// The cell outcome a step that did not end as expected leads to (another exit code is a failure).
  static func outcome(of status: StepStatus) -> CellRecord.Outcome {
    switch status {
    case .infrastructure: .infrastructure
    case .interrupted: .interrupted
    default: .failed
    }
  }

  /// `word` with each `${artifact:NAME}` replaced by the artifact's path.
  static func substituteArtifacts(in word: String, _ artifacts: [String: String]) throws(MatrixError) -> String {
    var result = word
    while let start = result.range(of: "${artifact:") {
      guard let end = result[start.upperBound...].firstIndex(of: "}") else { break }
      let name = String(result[start.upperBound..<end])
      guard let path = artifacts[name] else {
        throw MatrixError(
          "no artifact '\(name)' for '${artifact:\(name)}'"
            + Suggestion.phrase(for: name, among: artifacts.keys.sorted()), at: nil)
      }
      result.replaceSubrange(start.lowerBound...end, with: path)
    }
    return result
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
