/// ``RunnerChoice/native(_:)``'s setup: nothing but the basis.
package struct NativeSetup: RunnerSetup {
  package var basis: RunnerBasis
  var record: RunnerRecord { basis.record(.native) }
  func runner(context: RunnerContext) -> any StepRunner { NativeRunner(setup: self) }
}

/// Runs the target's programs as they are: the host is the target (or runs it, as amd64 runs 386).
/// The build on the host and its rebuilds run this way too.
struct NativeRunner: StepRunner, SetupBacked {
  let setup: NativeSetup

  /// What runs the build on the host and its rebuilds.
  static let host = NativeRunner(setup: NativeSetup(basis: RunnerBasis(reason: "the build runs on the host")))

  func launch(_ command: StepCommand) -> StepLaunch {
    .run(
      argv: ResourceLimit.wrap(command.argv, options: command.prlimitOptions),
      workingDirectory: command.workingDirectory)
  }

  func probe(_ argv: [String], limits: [String]) -> [String]? { ResourceLimit.wrap(argv, options: limits) }

  /// The program itself (with a `--cpu`, only the host's own level runs natively).
  func programCommand(_ argv: [String], directory: String) throws(ExecError) -> [String] { argv }
}

/// ``RunnerChoice/unavailable(_:)``'s setup: why nothing runs the target, and whether the host
/// lacks something it could have (an emulator, a sysroot): an infrastructure problem rather than a
/// target that is only built and checked statically.
package struct UnavailableSetup: RunnerSetup {
  package var basis: RunnerBasis
  package var hostLacksIt: Bool

  var record: RunnerRecord { basis.record(.none) { $0.hostLacksIt = hostLacksIt } }

  func runner(context: RunnerContext) -> any StepRunner {
    UnavailableRunner(setup: self, platform: context.target.platform)
  }
}

/// Runs nothing: no runner here runs the target. Its run steps are skipped with the reason, or,
/// when the host lacks what it could have, an infrastructure problem.
struct UnavailableRunner: StepRunner, SetupBacked {
  let setup: UnavailableSetup
  /// The target nothing here runs.
  let platform: Platform

  private var reason: String { setup.basis.reason }

  func launch(_ command: StepCommand) -> StepLaunch {
    .cannotRun(setup.hostLacksIt ? .infrastructure(reason) : .skipped(reason))
  }

  func launchBuild(_ command: StepCommand) -> StepLaunch { .cannotRun(.infrastructure(reason)) }

  func probe(_ argv: [String], limits: [String]) -> [String]? { nil }

  func programCommand(_ argv: [String], directory: String) throws(ExecError) -> [String] {
    throw ExecError("nothing here runs \(platform): \(reason)", exitCode: setup.hostLacksIt ? 3 : 2)
  }
}
