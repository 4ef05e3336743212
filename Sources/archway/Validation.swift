import ArchwayKit
import ArgumentParser

/// Checks of option values that several commands share.
enum Validation {
  /// A usage error unless `seconds` is a step time limit: above 0, at most a week.
  static func timeLimit(_ seconds: Double) throws {
    guard StepCommand.isTimeLimit(seconds) else {
      throw ValidationError("--timeout must be a number of seconds above 0 and at most 604800 (a week), not \(seconds)")
    }
  }
}
