import Foundation

/// ``RunnerChoice/container(_:)``'s setup: the engine, the image and how the container is started.
package struct ContainerSetup: RunnerSetup {
  package var basis: RunnerBasis
  /// The engine, as found on the PATH.
  package var engine: String
  /// `archway/ENV:DEBIAN-ARCH`.
  package var image: String
  /// The `--platform`.
  package var platform: String
  /// The cell's `engine_args:`, else `$ARCHWAY_ENGINE_ARGS`.
  package var engineArguments: [String]
  /// The cell's `seccomp:` profile.
  package var seccomp: String?
  /// Whether the container gets a network (`network: true`).
  package var network: Bool
  /// The project, shown read-only at its own path.
  package var project: String?

  var record: RunnerRecord {
    basis.record(.container) { record in
      (record.launcher, record.image, record.containerPlatform) = (engine, image, platform)
      (record.engineArguments, record.seccomp, record.projectFolder) = (engineArguments, seccomp, project)
    }
  }

  func runner(context: RunnerContext) -> any StepRunner { ContainerRunner(setup: self, context: context) }
}

/// Runs the cell's steps in a container of its environment's image (`docker`/`podman run
/// --platform`), started once for the cell (``ContainerSession``); each step is a fork of the
/// container's main process, with the step's limits applied inside.
struct ContainerRunner: StepRunner, SetupBacked {
  let setup: ContainerSetup
  let context: RunnerContext
  /// The cell's container, once started.
  private(set) var session: ContainerSession?

  var environment: [String: String] { setup.basis.emulatorEnvironment }
  var sharesFingerprint: Bool { false }

  /// The image's ID, which a tag rebuilt or pulled again changes.
  func identity() async -> [String: String] {
    let id = await HostReport.firstLine(of: [setup.engine, "image", "inspect", "--format", "{{.Id}}", setup.image])
    return ["image_id": id ?? "\(setup.image): not found"]
  }

  mutating func prepare() async -> StepOutcome? {
    guard session == nil else { return nil }
    switch await ContainerSession.start(setup, context: context) {
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
    launch(command, workdir: command.workingDirectory ?? setup.project)
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
