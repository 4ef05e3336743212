import ArchwayKit
import ArgumentParser
import Foundation

/// `archway guard-run`, not shown: the guardian ``RunCommand`` starts once it holds its output
/// folder, which ends what the run leaves running should the run be killed (see ``Guardian``).
struct GuardCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "guard-run",
    abstract: "Internal: ends what a killed `archway run` left running in its output folder.",
    shouldDisplay: false)

  @Option(help: "The run's output folder, absolute.")
  var out: String

  @Option(help: "The run's process id.")
  var runPid: Int32

  @Option(name: .customLong("engine"), help: "A container engine the run's cells use.")
  var engines: [String] = []

  func run() async {
    _ = await Guardian.keepWatch(out: out, run: runPid, engines: engines)
  }

  /// Starts this Archway (`/proc/self/exe`) as the guardian of the run into `out`; nil where it
  /// cannot be started. The folder is made absolute as the planner makes it, so the guardian looks
  /// for the very cell folders the steps were told.
  static func start(out: String, engines: [String]) -> Guardian? {
    guard let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else {
      return nil
    }
    let out = PathText.absolute(out, from: FileManager.default.currentDirectoryPath)
    let argv =
      [executable, configuration.commandName!, "--out", out, "--run-pid", String(getpid())]
      + engines.flatMap { ["--engine", $0] }
    return Guardian.start(argv: argv, environment: ProcessInfo.processInfo.environment)
  }
}
