import Foundation

/// Runs the cell's steps in a container of its environment's image (`docker`/`podman run
/// --platform`), started once for the cell (``ContainerSession``); each step is a fork of the
/// container's main process, with the step's limits applied inside.
struct ContainerRunner: StepRunner {
  let record: RunnerRecord
  /// The engine, as found on the PATH.
  let engine: String
  /// `archway/ENV:DEBIAN-ARCH`.
  let image: String
  /// The `--platform`.
  let platform: String
  /// The cell's `engine_args:`, else `$ARCHWAY_ENGINE_ARGS`.
  let engineArguments: [String]
  /// The cell's `seccomp:` profile.
  let seccomp: String?
  /// Whether the container gets a network (`network: true`).
  let network: Bool
  /// The project, shown read-only at its own path.
  let project: String?
  /// The CPU model binfmt_misc's qemu emulates (`QEMU_CPU`), for a foreign arch.
  let cpuModel: String?
  let context: RunnerContext
  /// The cell's container, once started.
  private(set) var session: ContainerSession?

  init(
    record: RunnerRecord, engine: String, image: String, platform: String, engineArguments: [String],
    seccomp: String?, network: Bool, project: String?, cpuModel: String?, context: RunnerContext
  ) {
    self.record = record
    self.engine = engine
    self.image = image
    self.platform = platform
    self.engineArguments = engineArguments
    self.seccomp = seccomp
    self.network = network
    self.project = project
    self.cpuModel = cpuModel
    self.context = context
  }

  var environment: [String: String] { cpuModel.map { ["QEMU_CPU": $0] } ?? [:] }
  var sharesFingerprint: Bool { false }

  mutating func prepare() async -> StepOutcome? {
    guard session == nil else { return nil }
    switch await ContainerSession.start(self) {
    case .started(let started):
      session = started
      return nil
    case .failed(let outcome): return outcome
    }
  }

  /// A step in the container: its environment (the runner's, the cell's id, its own), its working
  /// folder and its limits apply inside, where they reach the program.
  func launch(_ command: StepCommand) -> StepLaunch {
    launch(command, workdir: command.workingDirectory)
  }

  /// The build starts in its `workdir:`, else the project, and writes to the cell's folder.
  func launchBuild(_ command: StepCommand) -> StepLaunch {
    launch(command, workdir: command.workingDirectory ?? project)
  }

  private func launch(_ command: StepCommand, workdir: String?) -> StepLaunch {
    guard let session else { return .cannotRun(.infrastructure(record.reason)) }
    var variables = environment
    variables["ARCHWAY_CELL"] = context.cellID
    variables.merge(command.environment) { _, step in step }
    let argv = session.exec(
      command.argv, environment: variables, workdir: workdir, limits: command.prlimitOptions,
      stdin: command.stdin != nil)
    return .run(argv: argv, workingDirectory: nil)
  }

  func probe(_ argv: [String], limits: [String]) -> [String]? {
    session?.exec(argv, environment: [:], workdir: nil, limits: limits, stdin: false)
  }

  func finish() async {
    await session?.stop(environment: context.environment, logs: context.logs)
  }
}
