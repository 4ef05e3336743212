import Foundation

/// ``RunnerChoice/wine(_:)``'s setup: wine and the cell's prefix.
package struct WineSetup: RunnerSetup {
  package var basis: RunnerBasis
  /// wine, as found on the PATH.
  package var wine: String
  /// The cell's prefix (its `C:` drive and registry), in the cell's folder.
  package var prefix: String

  var record: RunnerRecord { basis.record(.wine) { ($0.launcher, $0.sysroot) = (wine, prefix) } }

  func runner(context: RunnerContext) -> any StepRunner { WineRunner(setup: self, context: context) }
}

/// Runs windows/amd64 and windows/386 programs under wine, in a prefix of the cell's own
/// (``WinePrefix``: a hard-linked copy of a template made once).
struct WineRunner: StepRunner, SetupBacked {
  let setup: WineSetup
  let context: RunnerContext

  mutating func prepare() async -> StepOutcome? {
    await WinePrefix.prepare(setup.prefix, wine: setup.wine, environment: context.environment, logs: context.logs)
  }

  func launch(_ command: StepCommand) -> StepLaunch {
    let argv = ["env", "WINEPREFIX=\(setup.prefix)", "WINEDEBUG=-all", setup.wine] + command.argv
    return .run(
      argv: ResourceLimit.wrap(argv, options: command.prlimitOptions), workingDirectory: command.workingDirectory)
  }

  /// Nothing is probed under wine: its fingerprint would be the host's.
  func probe(_ argv: [String], limits: [String]) -> [String]? { nil }

  /// The prefix: the cell's folder then holds only what the steps wrote.
  func finish() async {
    try? FileManager.default.removeItem(atPath: setup.prefix)
  }
}
