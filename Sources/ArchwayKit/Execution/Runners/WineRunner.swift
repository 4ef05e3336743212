import Foundation

/// Runs windows/amd64 and windows/386 programs under wine, in a prefix of the cell's own
/// (``WinePrefix``: a hard-linked copy of a template made once).
struct WineRunner: StepRunner {
  let record: RunnerRecord
  /// wine, as found on the PATH.
  let wine: String
  /// The cell's prefix (its `C:` drive and registry), in the cell's folder.
  let prefix: String
  let context: RunnerContext

  mutating func prepare() async -> StepOutcome? {
    await WinePrefix.prepare(prefix, wine: wine, environment: context.environment, logs: context.logs)
  }

  func launch(_ command: StepCommand) -> StepLaunch {
    let argv = ["env", "WINEPREFIX=\(prefix)", "WINEDEBUG=-all", wine] + command.argv
    return .run(
      argv: ResourceLimit.wrap(argv, options: command.prlimitOptions), workingDirectory: command.workingDirectory)
  }

  /// Nothing is probed under wine: its fingerprint would be the host's.
  func probe(_ argv: [String], limits: [String]) -> [String]? { nil }

  /// The prefix: the cell's folder then holds only what the steps wrote.
  func finish() async {
    try? FileManager.default.removeItem(atPath: prefix)
  }
}
