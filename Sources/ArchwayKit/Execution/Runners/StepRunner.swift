/// How a cell's steps reach its target: one backend per file in this folder (native, qemu, a root
/// filesystem, a container, wine, a machine over ssh, none), chosen once per cell (``RunnerChoice``). The executor, the
/// fingerprint and `archway exec` speak only this protocol; a new runner is one new file.
package protocol StepRunner: Sendable {
  /// What the report says of the runner: its kind, why it was chosen, what it runs with.
  var record: RunnerRecord { get }
  /// What run steps' time limits are multiplied by (emulation is slower).
  var timeoutScale: Double { get }
  /// Variables the runner adds to a step's environment (`QEMU_CPU`).
  var environment: [String: String] { get }
  /// The root filesystem whose loader the cell's programs meet, where the runner has one (an
  /// environment's, or a cross toolchain's sysroot); the verifier predicts loading in it.
  var loaderRoot: String? { get }
  /// Whether every cell of this runner meets the same environment, so its fingerprint is taken
  /// once a run (a container's is its own).
  var sharesFingerprint: Bool { get }

  /// Gets ready to run the cell's steps (starts its container, makes wine's prefix). Returns the
  /// outcome of the setup step that failed, or nil when the runner is ready.
  mutating func prepare() async -> StepOutcome?
  /// How a run step's command runs here: its whole argv on the host (wrapped by the runner and the
  /// step's limits) and the folder it starts in, or why it cannot run.
  func launch(_ command: StepCommand) -> StepLaunch
  /// How the build runs inside the target's environment (`build: {in: target}`), once prepared.
  func launchBuild(_ command: StepCommand) -> StepLaunch
  /// The argv that runs `argv` inside the runner's environment with `limits` (`prlimit` options),
  /// for a probe (the fingerprint, a compiler's version); nil where nothing runs.
  func probe(_ argv: [String], limits: [String]) -> [String]?
  /// What the cell's environment says of itself, asked through `ask` (which runs a named argv and
  /// returns its standard output's lines, none when it failed).
  func fingerprint(limits: [String], ask: Fingerprint.Asker) async -> Fingerprint?
  /// What the runner is, asked on the host before any step runs, for a cell's ``ReuseKey``: what
  /// changes what its programs meet without changing its record (the emulator's build, the image
  /// behind a tag, wine's release, the packages of a sysroot).
  func identity() async -> [String: String]
  /// Runs one launch and returns what its process did: a process on this host, for every runner here.
  func run(_ launch: ProcessLaunch) async -> ProcessOutcome
  /// When a run step failed without a word on stdout or stderr, how to run it again so that the
  /// runner says why (wine with its loader's error channel on), or nil where nothing would.
  func diagnosis(of command: StepCommand, after outcome: StepOutcome) -> StepDiagnosis?
  /// Brings back what a run step left where the verifier reads it, once the step has ended (its
  /// result file, for a runner whose steps run on another machine).
  func collect(after step: RunStep) async
  /// Undoes what ``prepare()`` did and removes what the runner left in the cell's folder.
  func finish() async
  /// The command `archway exec` hands over to run `argv` (started in `directory`) on the target.
  /// Throws an ``ExecError`` where this runner cannot run a single program that way.
  func programCommand(_ argv: [String], directory: String) throws(ExecError) -> [String]
}

/// A second run of a step that failed silently, and how to read why from what it wrote to stderr.
package struct StepDiagnosis: Sendable {
  /// How the step runs again.
  package var launch: StepLaunch
  /// The cause, from the second run's standard error; nil when it names none.
  package var read: @Sendable (String) -> String?
}

/// How a step runs under a runner, or why it cannot.
package enum StepLaunch: Sendable, Equatable {
  /// Run `argv` on the host, starting in `workingDirectory` (Archway's own when nil).
  case run(argv: [String], workingDirectory: String?)
  /// It cannot run here: skipped (nothing here runs the target) or an infrastructure problem.
  case cannotRun(StepStatus)
}

extension StepRunner {
  package var timeoutScale: Double { record.timeoutScale ?? 1 }
  package var environment: [String: String] { [:] }
  package var loaderRoot: String? { nil }
  package var sharesFingerprint: Bool { true }
  package mutating func prepare() async -> StepOutcome? { nil }
  package func finish() async {}
  package func collect(after step: RunStep) async {}
  package func run(_ launch: ProcessLaunch) async -> ProcessOutcome { await ProcessSupervisor.run(launch) }

  /// A build inside runs only in a root filesystem or a container.
  package func launchBuild(_ command: StepCommand) -> StepLaunch {
    .cannotRun(
      .infrastructure(
        "a build in: target runs in the environment's root filesystem or container, not with the"
          + " \(record.kind.rawValue) runner (\(record.reason)); give runner: rootfs or container"))
  }

  /// Most runners have nothing more to say of a silent failure.
  package func diagnosis(of command: StepCommand, after outcome: StepOutcome) -> StepDiagnosis? { nil }

  /// The limits probe, through ``probe(_:limits:)``.
  package func fingerprint(limits: [String], ask: Fingerprint.Asker) async -> Fingerprint? {
    guard let argv = probe(["sh", "-c", Fingerprint.limitsProbe], limits: limits) else { return nil }
    return Fingerprint(limitsProbe: await ask("fingerprint", argv))
  }

  /// The packages or libc of the runner's sysroot (``ReuseKey/sysroot(_:)``), if it has one.
  package func identity() async -> [String: String] { ReuseKey.sysroot(record.sysroot) }

  /// `archway exec` runs programs natively or under qemu only.
  package func programCommand(_ argv: [String], directory: String) throws(ExecError) -> [String] {
    throw ExecError(
      "archway exec runs programs natively or under qemu, not with the \(record.kind.rawValue) runner"
        + " (\(record.reason)); give --runner qemu, or use archway run")
  }
}

/// What a runner needs to know of its cell and of the host.
package struct RunnerContext: Sendable {
  /// The cell's id.
  package var cellID: String
  /// The cell's folder, absolute.
  package var out: String
  /// The cell's target.
  package var target: CellTarget
  /// The variables Archway passes to every program it starts.
  package var environment: [String: String]
  /// The host's facts.
  package var host: HostFacts
  /// The cell's steps (what a runner that copies files elsewhere copies, and copies back).
  package var steps = CellSteps()
  /// The run's first lines of `--version` (the emulator's, wine's): each asked once for all cells.
  var versions = Toolchains.VersionCache()

  /// The cell's folder with `.` and `..` resolved.
  package var folder: String { PathText.absolute(out, from: "/") }
  /// Where the logs of what Archway runs for the runner go (fingerprint, container start and stop,
  /// wine prefix): apart from the steps' logs, so no step name can collide with them.
  package var logs: String { out + "/logs/archway" }
}
