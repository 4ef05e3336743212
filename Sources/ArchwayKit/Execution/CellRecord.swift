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
  /// The cell's user-axis values (`cc: gcc`), as text.
  public var values: [String: String] = [:]
  /// The runtime environment, if any.
  public var env: String?
  /// The runner its run steps used, and why.
  public var runner: RunnerRecord
  /// The root filesystem whose loader the cell's programs met, where its runner had one (not in
  /// the report: the verifier reads it while the cell is fresh).
  var loaderRoot: String?
  /// How the cell ended.
  public var outcome: Outcome
  /// Problems that are not a step's own outcome (a missing artifact, an unknown `${artifact:…}`).
  public var problems: [String]
  /// The build step (if any), then the run steps.
  public var steps: [StepOutcome]
  /// The artifacts the build left, by name; the verifier adds their checksums and facts.
  public var artifacts: [ArtifactRecord]
  /// Seconds from the cell's start to its end.
  public var duration: Double
  /// What the cell's environment said of itself, taken inside its runner before the run steps.
  public var fingerprint: Fingerprint?
  /// The compilers its build step names → the first line of their `--version` (`go version`,
  /// `zig version`), as found on the step's PATH; nil without a build or a compiler it knows.
  public var toolchains: [String: String]?
  /// The verifier's findings (empty until the cell is verified); setting them sets ``verdict``.
  public var checks: [Check] = [] {
    didSet { verdict = Verdict.overall(checks.map(\.verdict)) }
  }
  /// The cell's verdict: ``Verdict/overall(_:)`` of its checks, passed until it is verified.
  public var verdict: Verdict = .passed

  enum CodingKeys: String, CodingKey {
    case id, target, values, env, runner, outcome, problems, steps, artifacts, duration, fingerprint, toolchains
    case checks, verdict
  }

  /// Whether the cell passed without running anything on its target: it has run steps and every one
  /// was skipped (no runner here runs the target), so only its static checks stand behind the pass.
  public var checkedStaticallyOnly: Bool {
    let runs = steps.filter { $0.id.role == .run }
    return verdict == .passed && !runs.isEmpty
      && runs.allSatisfy {
        if case .skipped = $0.status { return true }
        return false
      }
  }

  /// Artifact name → absolute path.
  public var artifactPaths: [String: String] {
    Dictionary(artifacts.map { ($0.name, $0.path) }) { first, _ in first }
  }

  /// Creates a record.
  public init(
    id: String, target: CellTarget, env: String?, runner: RunnerRecord, outcome: Outcome, problems: [String] = [],
    steps: [StepOutcome] = [], artifacts: [ArtifactRecord] = [], duration: Double = 0
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

/// One artifact of a cell: where the build left it and, once verified, its size, SHA-256 and facts.
public struct ArtifactRecord: Sendable, Hashable, Codable {
  /// The artifact's name in `build.artifacts`.
  public var name: String
  /// Its absolute path.
  public var path: String
  /// Its size in bytes.
  public var size: Int?
  /// Its SHA-256, lowercase hex.
  public var sha256: String?
  /// What the binary readers found (nil for a file that is not a binary).
  public var facts: BinaryFacts?

  /// An artifact not yet verified.
  public init(name: String, path: String) {
    self.name = name
    self.path = path
  }
}
