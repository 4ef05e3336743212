/// What happened in one cell: its runner, every step's outcome, its artifacts, and how it ended.
public struct CellRecord: Sendable, Hashable, Codable {
  /// How a cell ended.
  public enum Outcome: String, Sendable, Hashable, Codable {
    /// Every step that ran ended as expected (run steps a runner cannot run are skipped, not failed).
    case passed
    /// A step ended otherwise: an unexpected exit code, a signal, a timeout, a missing artifact.
    case failed
    /// Something the host lacks stopped the cell (a missing tool, emulator or sysroot).
    case infrastructure
    /// Archway was interrupted before the cell finished.
    case interrupted
    /// The cell was not started (`--fail-fast` after another cell failed).
    case notRun = "not-run"
  }

  /// The cell's id.
  public var id: String
  /// The cell's target.
  public var target: CellTarget
  /// The runtime environment, if any.
  public var env: String?
  /// The runner its run steps used, and why.
  public var runner: Runner
  /// How the cell ended.
  public var outcome: Outcome
  /// Problems that are not a step's own outcome (a missing artifact, an unknown `${artifact:…}`).
  public var problems: [String]
  /// The build step (if any), then the run steps.
  public var steps: [StepOutcome]
  /// Artifact name → path, for the artifacts the build left.
  public var artifacts: [String: String]
  /// Seconds from the cell's start to its end.
  public var duration: Double
  /// What the cell's environment said of itself, taken inside its runner before the run steps.
  public var fingerprint: Fingerprint?

  /// Creates a record.
  public init(
    id: String, target: CellTarget, env: String?, runner: Runner, outcome: Outcome, problems: [String] = [],
    steps: [StepOutcome] = [], artifacts: [String: String] = [:], duration: Double = 0
  ) {
    self.id = id
    self.target = target
    self.env = env
    self.runner = runner
    self.outcome = outcome
    self.problems = problems
    self.steps = steps
    self.artifacts = artifacts
    self.duration = duration
  }
}
