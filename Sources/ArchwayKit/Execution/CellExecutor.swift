import Foundation

/// Runs one cell, in phases: its folder made, its build (on the host, or inside the target's
/// environment), its artifacts checked to be files in its folder, its runner prepared, its run steps
/// run through the runner while the environment's fingerprint is taken, the runner finished, and the
/// rebuilds of the reproducibility check. Every process is supervised by ``ProcessSupervisor``.
public struct CellExecutor: Sendable {
  /// The time limit of a step that names none.
  package var defaultTimeout: Duration
  /// Variables passed from Archway's environment to every step (the rest is not inherited).
  package var passThrough: [String: String]
  /// Engine arguments for container cells that name none (`engine_args:`): `$ARCHWAY_ENGINE_ARGS`,
  /// split at spaces, so a self-hosted runner states its engine's needs once.
  package var defaultEngineArguments: [String]
  /// What the runner choice asks of this host (its platform, programs, binfmt_misc), probed once for
  /// every cell.
  package var hostFacts: HostFacts
  /// The host's platform.
  package var host: Platform { hostFacts.platform }
  /// Makes a cell's runner from its choice: the choice's own backend, or a test's.
  package var makeRunner: @Sendable (RunnerChoice, RunnerContext) -> any StepRunner = { choice, context in
    choice.runner(context: context)
  }
  /// What runs the build on the host and its rebuilds.
  package var hostRunner: any StepRunner = NativeRunner.host
  /// The first lines of `--version` asked for so far: the compilers', the emulators', wine's (each
  /// once per run).
  let versionLines = Toolchains.VersionCache()
  /// The environments' fingerprints taken so far (each runner's once per run).
  let fingerprints = Fingerprint.Cache()
  /// The runners' parts of reuse keys made so far (each runner's once per run).
  let runnerParts = ReuseKey.RunnerParts()
  /// An earlier run's passed cells, by id, that a cell whose key equals theirs takes instead of
  /// running its steps again (`run --reuse`).
  package var offers: [String: ReuseOffer] = [:]
  /// What a reuse key says of Archway; nil for the SHA-256 of the running executable, read when the
  /// first key is made (`archway exec` makes an executor too, and makes no key).
  package var archwayIdentity: String?

  /// The variables steps get from Archway's own environment when present.
  package static let passThroughNames = [
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
  package static func engineArguments(_ environment: [String: String]) -> [String] {
    (environment["ARCHWAY_ENGINE_ARGS"] ?? "").split(separator: " ").map(String.init)
  }

  /// The runner `cell`'s steps use on this host as it stands now (see
  /// ``RunnerChoice/choose(for:on:engineArguments:)``), with ``defaultEngineArguments`` for a
  /// container cell that names none.
  package func choice(for cell: Cell) -> RunnerChoice {
    RunnerChoice.choose(for: cell, on: hostFacts, engineArguments: defaultEngineArguments)
  }

  /// The backend of `choice` for `cell`.
  package func runner(for cell: Cell, choice: RunnerChoice) -> any StepRunner {
    makeRunner(
      choice,
      RunnerContext(
        cellID: cell.id, out: cell.out, target: cell.target, environment: passThrough, host: hostFacts,
        steps: cell.steps, versions: versionLines))
  }

  /// Runs `cell` to its end (or until the calling task is cancelled) with the runner chosen for it
  /// now, and records what happened.
  public func execute(_ cell: Cell) async -> ExecutionRecord {
    await execute(cell, runner: runner(for: cell, choice: choice(for: cell)))
  }

  /// Runs `cell` to its end (or until the calling task is cancelled) through `runner`, and records
  /// what happened.
  package func execute(_ cell: Cell, runner: any StepRunner) async -> ExecutionRecord {
    let start = ContinuousClock.now
    var record = Draft()
    var runner = runner
    // What the build reads, as its `inputs:` name it, taken before it runs.
    let inputs = cell.steps.buildInputs.map { ReuseKey.inputs($0) }
    var built = false
    if ready(cell, into: &record) {
      built = await takeBuild(cell, inputs: inputs, runner: runner, into: &record)
      if !built { built = await build(cell, runner: &runner, into: &record) }
    }
    if built {
      collectArtifacts(of: cell, into: &record)
      if await reuse(cell, runner: runner, inputs: inputs, into: &record) {
        if cell.steps.buildIn == .target { await runner.finish() }
      } else if await runSteps(of: cell, runner: &runner, into: &record), record.outcome != .interrupted {
        await rebuild(cell, into: &record)
      }
    }
    return ExecutionRecord(
      id: cell.id, target: cell.target,
      values: Dictionary(cell.identityValues.map { ($0.key, $0.value.description) }) { first, _ in first },
      env: cell.env, runner: runner.record, outcome: record.outcome, problems: record.problems, steps: record.steps,
      artifacts: record.artifacts, duration: (ContinuousClock.now - start).seconds, fingerprint: record.fingerprint,
      toolchains: record.toolchains, loaderRoot: runner.loaderRoot, reuse: record.reuse)
  }

  /// What ``execute(_:runner:)`` has recorded so far.
  private struct Draft {
    var outcome = ExecutionRecord.Outcome.passed
    var problems: [CellProblem] = []
    var steps: [StepOutcome] = []
    var artifacts: [ArtifactRecord] = []
    var fingerprint: Fingerprint?
    var toolchains: [String: String]?
    var reuse: CellReuse?
    /// The earlier run whose build was taken, when one was, with the key's parts made before it
    /// (nothing ran since, so the key is completed from them); else why an offered one was not.
    var buildFrom: ReusedFrom?
    var keyBeforeBuild: ReuseKey?
    var buildNotReused: String?

    /// Takes a run step's outcome into the cell's: an exit other than the expected one fails the cell
    /// (or interrupts it, or makes it an infrastructure problem), the first such step deciding.
    mutating func note(_ step: StepOutcome, expected: Int32) {
      guard step.status != .exited(expected) else { return }
      let ending = CellExecutor.outcome(of: step.status)
      if outcome == .passed || ending == .interrupted { outcome = ending }
    }
  }

  /// Makes the cell's folders and checks that the host can grant its limits; false (with the
  /// problem recorded) when the cell cannot start.
  private func ready(_ cell: Cell, into record: inout Draft) -> Bool {
    do {
      try Self.ownFolders(cell.out, ["logs", "logs/archway"])
    } catch {
      record.outcome = .infrastructure
      record.problems.append(.folder(path: cell.out, reason: systemReason(error)))
      return false
    }
    // A limit the host cannot grant would fail `prlimit`, and look like the program's own exit 1.
    let commands = (cell.steps.build.map { [$0] } ?? []) + cell.steps.run.map(\.command)
    if let problem = commands.lazy.compactMap({ ResourceLimit.hostProblem($0.limits) }).first {
      record.outcome = .infrastructure
      record.problems.append(.hostLimit(problem))
      return false
    }
    return true
  }

  /// Asks the versions of the compilers that the builds of `cells` on the host name, all at once,
  /// into ``versionLines``, where each cell's build finds them.
  func askCompilerVersions(of cells: [Cell]) async {
    await withTaskGroup(of: Void.self) { group in
      for cell in cells where cell.steps.buildIn == nil {
        guard let build = cell.steps.build else { continue }
        group.addTask { _ = await hostVersions(of: build) }
      }
    }
  }

  /// The versions of the compilers the build `build` on the host names, found on its PATH (each
  /// asked once a run, through ``versionLines``).
  private func hostVersions(of build: StepCommand) async -> [String: String] {
    await Toolchains.versions(
      in: build.argv, path: build.environment["PATH"] ?? passThrough["PATH"], cache: versionLines)
  }

  /// The build step, on the host or (`in: target`) through the prepared runner, with the versions of
  /// the compilers it names. Returns whether the cell goes on: false when the build did not succeed
  /// (its run steps are then recorded as skipped, and the runner finished).
  private func build(_ cell: Cell, runner: inout any StepRunner, into record: inout Draft) async -> Bool {
    guard let build = cell.steps.build else { return true }
    // What an earlier run left is not this build's: an artifact the build does not write is missing.
    for path in cell.steps.artifacts.values { unlink(path) }
    for member in cell.steps.members.values { unlink(member.archive) }
    let outcome: StepOutcome
    var versions: [String: String] = [:]
    if cell.steps.buildIn == .target {
      if let failed = await runner.prepare() {
        outcome = StepOutcome(id: .build, process: failed.process)
      } else {
        let launch = runner.launchBuild(build)
        outcome = await run(build, id: .build, launch, in: cell, runner: runner)
        if case .run = launch {
          let inside = runner
          versions = await Toolchains.versions(in: build.argv, cache: versionLines) {
            inside.probe($0, limits: [])
          }
        }
      }
    } else {
      outcome = await run(build, id: .build, hostRunner.launch(build), in: cell, runner: hostRunner)
      versions = await hostVersions(of: build)
    }
    record.toolchains = versions.isEmpty ? nil : versions
    record.steps.append(outcome)
    guard outcome.status.succeeded else {
      record.outcome = Self.outcome(of: outcome.status)
      record.steps += cell.steps.run.map { .notRun($0.id, .skipped("the build did not succeed")) }
      await runner.finish()
      return false
    }
    return true
  }

  /// Each declared artifact, checked to be a regular file in the cell's folder; a missing or refused
  /// one fails the cell.
  private func collectArtifacts(of cell: Cell, into record: inout Draft) {
    for (name, path) in cell.steps.artifacts.sorted(by: { $0.key < $1.key }) {
      let member = cell.steps.members[name]
      switch member?.unpack(to: path, folder: cell.out) ?? ArtifactFile.check(path, folder: cell.out) {
      case .file(let resolved):
        var artifact = ArtifactRecord(name: name, path: resolved)
        artifact.member = member?.description
        record.artifacts.append(artifact)
      case .missing:
        record.problems.append(.missingArtifact(name: name, path: member?.description ?? path))
        record.outcome = .failed
      case .refused(let why):
        record.problems.append(.refusedArtifact(name: name, reason: why))
        record.outcome = .failed
      }
    }
  }

  /// Takes the build of the earlier run's cell of this id instead of building, when the build names
  /// its `inputs:` and the key of that cell equals this one's in every part a build does not make
  /// (inputs, compilers' versions, plan, files its steps name, runner and host, Archway): copies the
  /// files it left into the cell's folder, each checked against that key, and its build step's logs
  /// (``ReuseOffer/takeBuild(of:)``). Returns whether it did; when it did not, nothing it made stands
  /// for the build, which then runs.
  private func takeBuild(
    _ cell: Cell, inputs: [String: String]?, runner: any StepRunner, into record: inout Draft
  ) async -> Bool {
    guard let inputs, let build = cell.steps.build, cell.steps.buildIn == nil, let offer = offers[cell.id],
      let earlier = offer.build, offer.key.inputs != nil, !Task.isCancelled
    else { return false }
    let toolchains = await hostVersions(of: build)
    let key = ReuseKey.beforeBuild(
      cell, runner: await keyParts(cell, runner: runner),
      archway: archwayIdentity ?? ReuseKey.archwaySelf, inputs: inputs,
      toolchains: toolchains.isEmpty ? nil : toolchains)
    if let absent = key.absentInput {
      record.buildNotReused = "its input \(absent) is not there; a build cannot have read it (is the path right?)"
      return false
    }
    let differences = key.differencesBeforeBuild(from: offer.key)
    guard differences.isEmpty else {
      record.buildNotReused = differences.joined(separator: "; ")
      return false
    }
    switch offer.takeBuild(of: cell) {
    case .success(let step): record.steps.append(step)
    case .failure(let untaken):
      record.buildNotReused = untaken.description
      return false
    }
    record.toolchains = toolchains.isEmpty ? nil : toolchains
    record.buildFrom = earlier.from
    record.keyBeforeBuild = key
    return true
  }

  /// The runner's parts of `cell`'s key (``ReuseKey/RunnerParts``), with what every step gets besides
  /// its own: the variables passed through and the runner's, and the time limit of a step that names
  /// none.
  private func keyParts(_ cell: Cell, runner: any StepRunner) async -> [String: String] {
    let emulated = binfmtRegistration(cell, runner: runner).map { registration in
      { @Sendable [fingerprints, versionLines] in
        await fingerprints.emulated(registration: registration, versions: versionLines)
      }
    }
    var parts = await runnerParts.of(runner, folder: cell.out, emulated: emulated)
    var environment = passThrough
    environment.merge(runner.environment) { _, runner in runner }
    parts["environment"] = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(
      separator: "\n")
    parts["default_timeout"] = "\(defaultTimeout)"
    return parts
  }

  /// Makes the key of a cell whose build left every artifact (or was taken, ``takeBuild``) and, when
  /// an earlier run offers a cell of its id with an equal key, takes that cell's run steps and
  /// rebuilds (their logs brought into the cell's folder) and its fingerprint instead of running
  /// them. Returns whether it did; a cell with a step that says `reuse: false` never does, and the
  /// record says why not.
  private func reuse(
    _ cell: Cell, runner: any StepRunner, inputs: [String: String]?, into record: inout Draft
  ) async -> Bool {
    guard record.outcome == .passed else { return false }
    let before: ReuseKey
    if let taken = record.keyBeforeBuild {
      before = taken
    } else {
      before = ReuseKey.beforeBuild(
        cell, runner: await keyParts(cell, runner: runner), archway: archwayIdentity ?? ReuseKey.archwaySelf,
        inputs: inputs, toolchains: record.toolchains)
    }
    let key = before.completed(
      cell, artifacts: Dictionary(record.artifacts.map { ($0.name, $0.path) }) { first, _ in first })
    record.reuse = CellReuse(key: key, buildFrom: record.buildFrom, buildNotReused: record.buildNotReused)
    guard let offer = offers[cell.id] else { return false }
    if let step = cell.steps.run.first(where: { !$0.reuse }) {
      record.reuse?.notReused = "its step \(step.name) says reuse: false"
      return false
    }
    let differences = key.differencesAfterBuild(from: offer.key)
    guard differences.isEmpty else {
      record.reuse?.notReused = differences.joined(separator: "; ")
      return false
    }
    switch offer.steps(in: cell.out) {
    case .failure(let missing):
      record.reuse?.notReused = missing.description
      return false
    case .success(let steps):
      record.steps += steps
      record.fingerprint = offer.fingerprint
      record.reuse?.from = offer.from
      return true
    }
  }

  /// The binfmt_misc registration (`qemu-aarch64`) through which a root filesystem or container of a
  /// foreign arch runs its programs; nil for any other cell.
  private func binfmtRegistration(_ cell: Cell, runner: any StepRunner) -> String? {
    guard [.rootfs, .container].contains(runner.record.kind), cell.target.platform.arch != host.arch else { return nil }
    return TargetCatalog.spec(for: cell.target.platform)?.qemu
  }

  /// The artifacts of `cell` that its build did not leave (missing, or refused), with their paths.
  private func absentArtifacts(of cell: Cell, problems: [CellProblem]) -> [(name: String, path: String)] {
    problems.compactMap { problem in
      switch problem {
      case .missingArtifact(let name, let path): (name, path)
      case .refusedArtifact(let name, _): cell.steps.artifacts[name].map { (name, $0) }
      default: nil
      }
    }
  }

  /// The run steps through the runner, once it is prepared, while the environment's fingerprint is
  /// taken beside them (it only describes their environment); then the runner is finished. Returns
  /// false when the runner could not be prepared (its steps are recorded as not run, for that reason).
  private func runSteps(of cell: Cell, runner: inout any StepRunner, into record: inout Draft) async -> Bool {
    let steps = cell.steps.run
    if !steps.isEmpty, let failed = await runner.prepare() {
      record.steps.append(failed)
      record.steps += steps.map { .notRun($0.id, argv: $0.command.argv, failed.status) }
      if record.outcome == .passed { record.outcome = Self.outcome(of: failed.status) }
      await runner.finish()
      return false
    }
    let prepared = runner
    let logs = cell.out + "/logs/archway"
    async let fingerprint =
      steps.isEmpty
      ? nil
      : fingerprints.take(runner: prepared, limits: ResourceLimit.prlimitOptions(cell.steps.limits)) { name, argv in
        await probe(name, argv, runner: prepared, logs: logs)
      }
    let absent = absentArtifacts(of: cell, problems: record.problems)
    for step in steps {
      // A step that runs an artifact the build did not leave can only fail for that cause, which
      // the cell already fails on: it is not run, and says why.
      if let missing = absent.first(where: { step.command.argv.contains(mentioning: $0.path) }) {
        record.steps.append(
          .notRun(
            step.id, argv: step.command.argv,
            .skipped("not run: it needs artifact '\(missing.name)', which the build did not leave as a file")))
        continue
      }
      let launch = prepared.launch(step.command)
      guard case .run = launch else {
        let outcome = await run(step.command, id: step.id, launch, in: cell, runner: prepared)
        record.steps.append(outcome)
        if case .infrastructure = outcome.status, record.outcome == .passed { record.outcome = .infrastructure }
        continue
      }
      var outcome = await run(step, launch, in: cell, runner: prepared)
      await prepared.collect(after: step)
      if outcome.status != .exited(step.expect.exit),
        let diagnosis = prepared.diagnosis(of: step.command, after: outcome)
      {
        outcome.diagnosis = await diagnose(step, diagnosis, in: cell, runner: prepared)
      }
      record.steps.append(outcome)
      record.note(outcome, expected: step.expect.exit)
      if outcome.status == .interrupted { break }
    }
    record.fingerprint = await fingerprint
    // A root filesystem or container of a foreign arch runs its programs through binfmt_misc's qemu.
    if var taken = record.fingerprint, taken.emulator == nil, let qemu = binfmtRegistration(cell, runner: prepared) {
      (taken.emulator, taken.binfmt) = await fingerprints.emulated(registration: qemu, versions: versionLines)
      record.fingerprint = taken
    }
    await prepared.finish()
    return true
  }

  /// A run step, again after a failure while it has `retries:` left; how the failed attempts ended
  /// is kept, so one that passes later is flaky, not simply passed.
  private func run(_ step: RunStep, _ launch: StepLaunch, in cell: Cell, runner: any StepRunner) async -> StepOutcome {
    var outcome = await run(step.command, id: step.id, launch, in: cell, runner: runner)
    var failures: [StepStatus] = []
    while failures.count < step.retries ?? 0, outcome.status != .exited(step.expect.exit), outcome.status.retryable {
      failures.append(outcome.status)
      outcome = await run(step.command, id: step.id, launch, in: cell, runner: runner)
    }
    if !failures.isEmpty { outcome.failedAttempts = failures }
    return outcome
  }

  /// Runs a step that failed without a word again as its runner's `diagnosis` says, its logs among
  /// Archway's own, and returns the cause it names.
  private func diagnose(
    _ step: RunStep, _ diagnosis: StepDiagnosis, in cell: Cell, runner: any StepRunner
  ) async -> String? {
    let again = await run(
      step.command, id: step.id, diagnosis.launch, cell: cell.id, out: cell.out, runner: runner,
      logs: "\(cell.out)/logs/archway/\(step.name).diagnosis")
    return diagnosis.read(again.stderrHead + "\n" + again.stderrTail)
  }

  /// The rebuilds of the reproducibility check, on the host, each in its own folder; the first that
  /// does not succeed ends them.
  private func rebuild(_ cell: Cell, into record: inout Draft) async {
    for rebuild in cell.steps.rebuilds {
      try? Self.ownFolders(rebuild.folder, ["logs"])
      for path in rebuild.artifacts.values { unlink(path) }
      for member in rebuild.members.values { unlink(member.archive) }
      let outcome = await run(
        rebuild.command, id: rebuild.id, hostRunner.launch(rebuild.command), cell: cell.id, out: rebuild.folder,
        runner: hostRunner)
      record.steps.append(outcome)
      // A member is compared as unpacked from this build's archive; what cannot be is found missing then.
      for (name, member) in rebuild.members {
        if let path = rebuild.artifacts[name] { _ = member.unpack(to: path, folder: rebuild.folder) }
      }
      if !outcome.status.succeeded { break }
    }
  }

  /// A probe of the fingerprint, logged among Archway's own: its standard output's lines, none when
  /// it failed.
  private func probe(_ name: String, _ argv: [String], runner: any StepRunner, logs: String) async -> [String] {
    let outcome = await runner.run(
      ProcessLaunch(argv: argv, environment: passThrough, timeout: .seconds(30), logs: "\(logs)/\(name)"))
    guard outcome.status.succeeded else { return [] }
    return outcome.stdoutHead.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
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

  /// Runs step `id`'s command as `launch` says, in `cell`: ``run(_:id:_:cell:out:runner:)``.
  private func run(
    _ command: StepCommand, id: StepID, _ launch: StepLaunch, in cell: Cell, runner: any StepRunner
  ) async -> StepOutcome {
    await run(command, id: id, launch, cell: cell.id, out: cell.out, runner: runner)
  }

  /// Runs step `id`'s command as `launch` says (its argv already wrapped by the runner and its
  /// limits) through `runner`, with the clean environment, what the runner adds to it (`QEMU_CPU`)
  /// and the step's own variables, its logs in `out/logs`, and its time limit (its own, else the
  /// run's) multiplied by the runner's scale; a step that cannot run is recorded as not run. `logs`
  /// replaces the logs' path (without `.stdout.log`) for a run that is not the step's own.
  private func run(
    _ command: StepCommand, id: StepID, _ launch: StepLaunch, cell: String, out: String, runner: any StepRunner,
    logs: String? = nil
  ) async -> StepOutcome {
    guard case .run(let argv, let workingDirectory) = launch else {
      guard case .cannotRun(let status) = launch else { preconditionFailure("a launch runs or it does not") }
      return .notRun(id, argv: command.argv, status)
    }
    var environment = passThrough
    environment.merge(runner.environment) { _, runner in runner }
    environment.merge(command.environment) { _, step in step }
    environment["ARCHWAY_CELL"] = cell
    environment["ARCHWAY_CELL_OUT"] = out
    let limit = command.timeout.map { Duration.milliseconds(Int($0 * 1000)) } ?? defaultTimeout
    let process = await runner.run(
      ProcessLaunch(
        argv: argv, environment: environment, workingDirectory: workingDirectory, stdin: command.stdin,
        timeout: limit * min(runner.timeoutScale, 100), logs: logs ?? "\(out)/logs/\(id.name)"))
    return StepOutcome(id: id, process: process)
  }

  /// The cell outcome a step that did not end as expected leads to (another exit code is a failure).
  static func outcome(of status: StepStatus) -> ExecutionRecord.Outcome {
    switch status {
    case .infrastructure: .infrastructure
    case .interrupted: .interrupted
    default: .failed
    }
  }
}

extension CellExecutor {
  /// Runs `cells` at most `jobs` at a time, each with the runner chosen for it as it starts (with
  /// `failFast`, starting none after the first that does not pass), and returns what each did, in
  /// plan order.
  package func execute(_ cells: [Cell], jobs: Int, failFast: Bool = false) async -> [ExecutionRecord] {
    await Scheduler(jobs: jobs, failFast: failFast).run(
      cells.map(\.id), work: { await execute(cells[$0]) }, passed: { $0.outcome == .passed },
      unstarted: { index, why in
        switch why {
        case .interrupted: .notStarted(cells[index], interrupted: true, reason: "interrupted")
        case .stopped(let reason): .notStarted(cells[index], interrupted: false, reason: reason)
        }
      })
  }
}

extension [String] {
  /// Whether a word holds `path` as a whole path: not followed by more of a file name (`/out/a`
  /// is not mentioned by `/out/ab`).
  fileprivate func contains(mentioning path: String) -> Bool {
    contains { word in
      var rest = word[...]
      while let found = rest.range(of: path) {
        guard let next = rest[found.upperBound...].first else { return true }
        if !(next.isLetter || next.isNumber || "._-+~".contains(next)) { return true }
        rest = rest[found.upperBound...]
      }
      return false
    }
  }
}
