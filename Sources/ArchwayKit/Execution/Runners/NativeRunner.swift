/// Runs the target's programs as they are: the host is the target (or runs it, as amd64 runs 386).
/// The build on the host and its rebuilds run this way too.
struct NativeRunner: StepRunner {
  let record: RunnerRecord

  /// A native runner chosen for `reason`, its run steps' limits scaled by `timeoutScale`.
  init(reason: String, timeoutScale: Double?) {
    var record = RunnerRecord(kind: .native, reason: reason)
    record.timeoutScale = timeoutScale
    self.record = record
  }

  func launch(_ command: StepCommand) -> StepLaunch {
    .run(
      argv: ResourceLimit.wrap(command.argv, options: command.prlimitOptions),
      workingDirectory: command.workingDirectory)
  }

  func probe(_ argv: [String], limits: [String]) -> [String]? { ResourceLimit.wrap(argv, options: limits) }

  /// The program itself (with a `--cpu`, only the host's own level runs natively).
  func programCommand(_ argv: [String], directory: String) throws(ExecError) -> [String] { argv }
}

/// Runs nothing: no runner here runs the target. Its run steps are skipped with the reason, or,
/// when the host lacks what it could have (an emulator, a sysroot), an infrastructure problem.
struct UnavailableRunner: StepRunner {
  let record: RunnerRecord
  /// The target nothing here runs.
  let platform: Platform

  /// Nothing runs `platform`, for `reason`.
  init(reason: String, hostLacksIt: Bool, timeoutScale: Double?, platform: Platform) {
    var record = RunnerRecord.none(reason)
    record.hostLacksIt = hostLacksIt
    record.timeoutScale = timeoutScale
    self.record = record
    self.platform = platform
  }

  func launch(_ command: StepCommand) -> StepLaunch {
    .cannotRun(record.hostLacksIt ? .infrastructure(record.reason) : .skipped(record.reason))
  }

  func launchBuild(_ command: StepCommand) -> StepLaunch { .cannotRun(.infrastructure(record.reason)) }

  func probe(_ argv: [String], limits: [String]) -> [String]? { nil }

  func programCommand(_ argv: [String], directory: String) throws(ExecError) -> [String] {
    throw ExecError(
      "nothing here runs \(platform): \(record.reason)",
      exitCode: record.hostLacksIt ? 3 : 2)
  }
}
