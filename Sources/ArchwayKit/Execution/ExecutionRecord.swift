/// What the executor did with one cell, as it hands it to the verifier: its runner, every step's
/// outcome (in order, each id once), the artifacts its build left, what stopped it outside its
/// steps, and how it ended. Made once, at the cell's end, and never changed.
public struct ExecutionRecord: Sendable, Hashable {
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
  public let id: String
  /// The cell's target.
  public let target: CellTarget
  /// The cell's user-axis values (`cc: gcc`), as text.
  package let values: [String: String]
  /// The runtime environment, if any.
  public let env: String?
  /// The runner its steps used, and why.
  public let runner: RunnerRecord
  /// How the cell ended.
  public let outcome: Outcome
  /// What stopped or failed the cell outside its steps' own outcomes.
  package let problems: [CellProblem]
  /// The build step (if any), the steps Archway ran for the runner, the run steps, the rebuilds.
  package let steps: [StepOutcome]
  /// The artifacts the build left, by name (the verifier adds their checksums and facts).
  package let artifacts: [ArtifactRecord]
  /// Seconds from the cell's start to its end.
  public let duration: Double
  /// What the cell's environment said of itself, taken inside its runner beside the run steps.
  package let fingerprint: Fingerprint?
  /// The compilers its build step names → the first line of their `--version` (`go version`,
  /// `zig version`), as found on the step's PATH; nil without a build or a compiler it knows.
  package let toolchains: [String: String]?
  /// The root filesystem whose loader the cell's programs met, where its runner had one. Not in the
  /// report: the verifier reads it while the record is fresh.
  package let loaderRoot: String?
  /// The cell's reuse key, and whether its run steps were taken from an earlier run (`run --reuse`);
  /// nil for a cell whose build did not leave every artifact.
  package let reuse: CellReuse?

  /// A record from its parts.
  package init(
    id: String, target: CellTarget, values: [String: String] = [:], env: String?, runner: RunnerRecord,
    outcome: Outcome, problems: [CellProblem] = [], steps: [StepOutcome] = [], artifacts: [ArtifactRecord] = [],
    duration: Double = 0, fingerprint: Fingerprint? = nil, toolchains: [String: String]? = nil,
    loaderRoot: String? = nil, reuse: CellReuse? = nil
  ) {
    self.id = id
    self.target = target
    self.values = values
    self.env = env
    self.runner = runner
    self.outcome = outcome
    self.problems = problems
    self.steps = steps
    self.artifacts = artifacts
    self.duration = duration
    self.fingerprint = fingerprint
    self.toolchains = toolchains
    self.loaderRoot = loaderRoot
    self.reuse = reuse
  }

  /// The record of `cell`, which was never started: interrupted before it began, or stopped by
  /// `--fail-fast` (`reason`).
  package static func notStarted(_ cell: Cell, interrupted: Bool, reason: String) -> ExecutionRecord {
    ExecutionRecord(
      id: cell.id, target: cell.target, env: cell.env, runner: .none(interrupted ? "interrupted" : reason),
      outcome: interrupted ? .interrupted : .notRun,
      problems: [.notStarted(interrupted ? "interrupted before it started" : reason)])
  }

  /// Artifact name → absolute path.
  package var artifactPaths: [String: String] {
    Dictionary(artifacts.map { ($0.name, $0.path) }) { first, _ in first }
  }

  /// The outcome of step `id`, if it has one.
  package func step(_ id: StepID) -> StepOutcome? { steps.first { $0.id == id } }

  /// Whether the cell passed without running anything on its target: it has run steps and every one
  /// was skipped (no runner here runs the target).
  package var ranNothing: Bool {
    let runs = steps.filter { $0.id.role == .run }
    return !runs.isEmpty
      && runs.allSatisfy {
        if case .skipped = $0.status { return true }
        return false
      }
  }
}

/// What stopped or failed a cell outside its steps' own outcomes.
package enum CellProblem: Sendable, Hashable, Codable, CustomStringConvertible {
  /// The cell's folder could not be made.
  case folder(path: String, reason: String)
  /// The host cannot grant a limit the cell asks for (`ulimit:`).
  case hostLimit(String)
  /// The build left no artifact where the matrix says.
  case missingArtifact(name: String, path: String)
  /// What is at an artifact's path cannot be the artifact (outside the cell's folder, not a file).
  case refusedArtifact(name: String, reason: String)
  /// The cell was never started, and why.
  case notStarted(String)
  /// A problem as a report wrote it.
  case recorded(String)

  /// The sentence the report writes.
  package var description: String {
    switch self {
    case .folder(let path, let reason): "cannot make the cell's folder \(path): \(reason)"
    case .hostLimit(let problem): problem
    case .missingArtifact(let name, let path): "the build left no artifact '\(name)' at \(path)"
    case .refusedArtifact(let name, let reason): "artifact '\(name)': \(reason)"
    case .notStarted(let reason): reason
    case .recorded(let text): text
    }
  }

  /// Reads a problem as its sentence.
  package init(from decoder: any Decoder) throws {
    self = .recorded(try decoder.singleValueContainer().decode(String.self))
  }

  /// Writes the sentence.
  package func encode(to encoder: any Encoder) throws {
    var c = encoder.singleValueContainer()
    try c.encode(description)
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
  /// For a member of an archive the build made: `ARCHIVE!MEMBER`; ``path`` is where Archway
  /// unpacked it, byte for byte.
  public var member: String?

  /// An artifact not yet verified.
  public init(name: String, path: String) {
    self.name = name
    self.path = path
  }

  enum CodingKeys: String, CodingKey { case name, path, size, sha256, facts, member }

  /// Decodes the form Archway writes; a size no file can have (below zero) is an error naming it,
  /// since reports are read back from files anyone may have changed.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    name = try c.decode(String.self, forKey: .name)
    path = try c.decode(String.self, forKey: .path)
    size = try c.decodeIfPresent(Int.self, forKey: .size)
    if let size, size < 0 {
      throw DecodingError.dataCorruptedError(
        forKey: .size, in: c, debugDescription: "artifact '\(name)' has size \(size); a size is 0 or more bytes")
    }
    sha256 = try c.decodeIfPresent(String.self, forKey: .sha256)
    facts = try c.decodeIfPresent(BinaryFacts.self, forKey: .facts)
    member = try c.decodeIfPresent(String.self, forKey: .member)
  }
}
