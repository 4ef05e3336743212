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

  func launch(_ command: StepCommand) -> StepLaunch { launch(command, channels: "-all") }

  private func launch(_ command: StepCommand, channels: String) -> StepLaunch {
    let argv = ["env", "WINEPREFIX=\(setup.prefix)", "WINEDEBUG=\(channels)", setup.wine] + command.argv
    return .run(
      argv: ResourceLimit.wrap(argv, options: command.prlimitOptions), workingDirectory: command.workingDirectory)
  }

  /// A program that ends before `main` says nothing under wine: the loader's failure (a missing
  /// DLL, STATUS_DLL_NOT_FOUND, exit 53) and an unimplemented function are on wine's error
  /// channels, which the steps run with off. Run again with the loader's on, the cause is its line.
  func diagnosis(of command: StepCommand, after outcome: StepOutcome) -> StepDiagnosis? {
    guard case .exited(let code) = outcome.status, code != 0, outcome.stdoutBytes == 0, outcome.stderrBytes == 0
    else { return nil }
    return StepDiagnosis(launch: launch(command, channels: "-all,err+module")) { stderr in
      let causes = stderr.split(separator: "\n").compactMap { line -> String? in
        if let range = line.range(of: "err:module:import_dll ") { return String(line[range.upperBound...]) }
        if let range = line.range(of: "to unimplemented function ") {
          return "calls an unimplemented function: " + line[range.upperBound...]
        }
        return nil
      }
      return causes.isEmpty ? nil : "wine's loader says: " + causes.prefix(3).joined(separator: "; ")
    }
  }

  /// wine's release (`wine-8.0 (Debian 8.0~repack-4)`); the prefix is the cell's own, made afresh.
  func identity() async -> [String: String] {
    ["wine": await context.versions.firstLine(of: [setup.wine, "--version"]) ?? "\(setup.wine): version unknown"]
  }

  /// Nothing is probed under wine: its fingerprint would be the host's.
  func probe(_ argv: [String], limits: [String]) -> [String]? { nil }

  /// The prefix: the cell's folder then holds only what the steps wrote.
  func finish() async {
    try? FileManager.default.removeItem(atPath: setup.prefix)
  }
}
