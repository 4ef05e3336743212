import ArchwayKit
import ArgumentParser
import Foundation

/// Checks of option values that several commands share.
enum Validation {
  /// The most `--jobs` a command takes: each job is a thread, a process and its pipes, so beyond a
  /// thousand at once a host runs out of something else first.
  static let maxJobs = 1024

  /// A usage error unless `jobs` is between 1 and ``maxJobs``.
  static func jobs(_ jobs: Int) throws {
    guard jobs > 0 else { throw ValidationError("--jobs must be at least 1, not \(jobs)") }
    guard jobs <= maxJobs else {
      throw ValidationError(
        "--jobs must be at most \(maxJobs), not \(jobs) (this host has \(ProcessInfo.processInfo.activeProcessorCount)"
          + " processors)")
    }
  }

  /// A usage error unless `seconds` is a step time limit: above 0, at most a week.
  static func timeLimit(_ seconds: Double) throws {
    guard StepCommand.isTimeLimit(seconds) else {
      throw ValidationError("--timeout must be a number of seconds above 0 and at most 604800 (a week), not \(seconds)")
    }
  }
}
