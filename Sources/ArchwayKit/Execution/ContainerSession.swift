import Foundation

/// One container per cell: started once (`run -d … sleep infinity`) with the cell's folder mounted at
/// the same path, every run step through `exec`, removed at the end even when the run is interrupted.
struct ContainerSession: Sendable {
  let engine: String
  let id: String

  /// A started session, or the outcome of the start that failed.
  enum Start {
    case started(ContainerSession)
    case failed(StepOutcome)
  }

  /// Starts the cell's container, or returns why it could not (a missing image, an engine error).
  static func start(runner: Runner, cell: Cell, environment: [String: String]) async -> Start {
    let engine = runner.launcher ?? "podman"
    let folder = URL(fileURLWithPath: cell.out).standardizedFileURL.path
    var argv = [engine, "run", "-d", "--rm", "--platform", runner.containerPlatform ?? cell.target.platform]
    argv += runner.engineArguments
    if cell["network"]?.description != "true" { argv += ["--network", "none"] }
    argv += ["-v", "\(folder):\(folder)", "-w", folder, runner.image ?? "", "sleep", "infinity"]
    let outcome = await ProcessSupervisor.run(
      ProcessLaunch(
        name: "container-start", argv: argv, environment: environment, timeout: .seconds(120),
        logs: "\(cell.out)/logs/container-start"))
    let id = outcome.stdoutHead.trimmingCharacters(in: .whitespacesAndNewlines)
    guard outcome.status.succeeded, !id.isEmpty else {
      return .failed(outcome.infrastructure("cannot start \(runner.image ?? "the image")"))
    }
    return .started(ContainerSession(engine: engine, id: id))
  }

  /// The argv that runs `argv` in the container with `environment` added and `limits` (prlimit
  /// options) applied inside, where they reach the program. With a `timeout`, coreutils' `timeout`
  /// inside ends the step's process tree there a second after the supervisor ends the `exec` client
  /// (which the engine does not pass on), so a hung step leaves nothing running in the container.
  func exec(
    _ argv: [String], environment: [String: String], workdir: String?, limits: [String], stdin: Bool,
    timeout: Duration? = nil
  ) -> [String] {
    var command = [engine, "exec"] + (stdin ? ["-i"] : [])
    for (key, value) in environment.sorted(by: { $0.key < $1.key }) { command += ["-e", "\(key)=\(value)"] }
    if let workdir { command += ["-w", workdir] }
    command.append(id)
    let inside = timeout.map { ["timeout", "-k", "2", String(format: "%.3f", $0.seconds + 1)] + argv } ?? argv
    return command + ResourceLimit.wrap(inside, options: limits)
  }

  /// Removes the container, also when the calling task is cancelled (the removal itself must run).
  func stop(environment: [String: String], logs: String) async {
    let argv = [engine, "rm", "-f", "-t", "0", id]
    await Task {
      _ = await ProcessSupervisor.run(
        ProcessLaunch(
          name: "container-stop", argv: argv, environment: environment, timeout: .seconds(60),
          logs: logs + "/container-stop"))
    }.value
  }
}
