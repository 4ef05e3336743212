import Foundation

/// What a step runs, as the planner resolved it (every placeholder, `${artifact:NAME}` included):
/// the build, its rebuilds and the run steps alike.
package struct StepCommand: Sendable, Hashable {
  /// What to run (`shell:` + `script:` become the shell's argv, e.g. `[bash, --noprofile, --norc, -eo,
  /// pipefail, -c, script]`).
  package var argv: [String]
  /// Variables added to the clean environment.
  package var environment: [String: String]
  /// The working directory, absolute; where Archway runs when nil (the cell's folder in a root filesystem).
  package var workingDirectory: String?
  /// Bytes for standard input.
  package var stdin: String?
  /// The step's time limit in seconds; the run's `--timeout` when nil.
  package var timeout: Double?
  /// Resource limits (`nofile`, `stack` in KiB, `nproc`, …): the cell's `ulimit:`, then the step's.
  package var limits: [String: Int]

  /// The longest time limit a step may have: a week, in seconds.
  package static let longestTimeout: Double = 7 * 24 * 3600

  /// A command from its parts.
  package init(
    argv: [String], environment: [String: String] = [:], workingDirectory: String? = nil, stdin: String? = nil,
    timeout: Double? = nil, limits: [String: Int] = [:]
  ) {
    self.argv = argv
    self.environment = environment
    self.workingDirectory = workingDirectory
    self.stdin = stdin
    self.timeout = timeout
    self.limits = limits
  }

  /// Whether `seconds` is a time limit a step may have: above zero, at most ``longestTimeout``.
  package static func isTimeLimit(_ seconds: Double) -> Bool { seconds > 0 && seconds <= longestTimeout }

  /// The `prlimit` options that apply ``limits``.
  package var prlimitOptions: [String] { ResourceLimit.prlimitOptions(limits) }

  /// The argv that runs `script` the way GitHub Actions runs a `run:` script: bash with
  /// `--noprofile --norc -eo pipefail`, sh (and dash, ash, busybox sh) with `-e`, so a failing command
  /// in the middle fails the step; any other shell as `SHELL -c SCRIPT`.
  package static func scriptArgv(shell: String, script: String) -> [String] {
    switch URL(fileURLWithPath: shell).lastPathComponent {
    case "bash": [shell, "--noprofile", "--norc", "-eo", "pipefail", "-c", script]
    case "sh", "dash", "ash": [shell, "-e", "-c", script]
    default: [shell, "-c", script]
    }
  }
}
