/// A cell as the verifier left it: what the executor recorded, its artifacts with their checksums
/// and facts, every finding (the cross-cell ones included), and its verdict. The report holds these;
/// nothing changes one once it is reported.
public struct VerifiedCell: Sendable, Hashable {
  /// What the executor recorded.
  public let execution: ExecutionRecord
  /// The artifacts the build left, with their size, SHA-256 and facts.
  public let artifacts: [ArtifactRecord]
  /// Every finding, in the order the checks were made.
  public let findings: [Finding]
  /// The cell's verdict: ``Verdict/overall(_:)`` of its findings.
  public let verdict: Verdict

  /// The cell `execution` recorded, with its verified `artifacts` and its `findings`.
  package init(execution: ExecutionRecord, artifacts: [ArtifactRecord], findings: [Finding]) {
    self.init(
      execution: execution, artifacts: artifacts, findings: findings,
      verdict: Verdict.overall(findings.map(\.verdict)))
  }

  /// The cell with the verdict a report gives it, as it is read back.
  init(execution: ExecutionRecord, artifacts: [ArtifactRecord], findings: [Finding], verdict: Verdict) {
    self.execution = execution
    self.artifacts = artifacts
    self.findings = findings
    self.verdict = verdict
  }

  /// This cell with `more` findings (and the verdict they make).
  package func adding(_ more: [Finding]) -> VerifiedCell {
    VerifiedCell(execution: execution, artifacts: artifacts, findings: findings + more)
  }

  /// This cell with its findings of `kinds` replaced by `replacements`.
  package func replacing(_ kinds: Set<CheckKind>, with replacements: [Finding]) -> VerifiedCell {
    VerifiedCell(
      execution: execution, artifacts: artifacts, findings: findings.filter { !kinds.contains($0.kind) } + replacements)
  }

  /// The cell's id.
  public var id: String { execution.id }
  /// The cell's target.
  public var target: CellTarget { execution.target }
  /// The cell's user-axis values, as text.
  package var values: [String: String] { execution.values }
  /// The runtime environment, if any.
  package var env: String? { execution.env }
  /// The runner its steps used.
  package var runner: RunnerRecord { execution.runner }
  /// How the executor said it ended.
  package var outcome: ExecutionRecord.Outcome { execution.outcome }
  /// Its steps' outcomes.
  package var steps: [StepOutcome] { execution.steps }
  /// Seconds from its start to its end.
  package var duration: Double { execution.duration }
  /// What stopped or failed it outside its steps.
  package var problems: [CellProblem] { execution.problems }
  /// What its environment said of itself.
  package var fingerprint: Fingerprint? { execution.fingerprint }
  /// The versions of the compilers its build names.
  package var toolchains: [String: String]? { execution.toolchains }

  /// The earlier run this cell's run steps were taken from (`run --reuse`), nil when they ran now.
  package var reusedFrom: ReusedFrom? { execution.reuse?.from }

  /// The earlier run whose build this cell took (`build: {inputs: …}` with `run --reuse`), nil when
  /// it built now.
  package var buildReusedFrom: ReusedFrom? { execution.reuse?.buildFrom }

  /// Whether the cell passed without running anything on its target: every run step was skipped (no
  /// runner here runs the target), so only its static checks stand behind the pass.
  package var checkedStaticallyOnly: Bool { verdict == .passed && execution.ranNothing }

  /// Artifact name → absolute path.
  package var artifactPaths: [String: String] {
    Dictionary(artifacts.map { ($0.name, $0.path) }) { first, _ in first }
  }
}

extension VerifiedCell: Codable {
  enum CodingKeys: String, CodingKey {
    case id, target, values, env, runner, outcome, problems, steps, artifacts, duration, fingerprint, toolchains
    case reuse, checks, verdict
  }

  /// Decodes what ``encode(to:)`` writes.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    let execution = ExecutionRecord(
      id: try c.decode(String.self, forKey: .id), target: try c.decode(CellTarget.self, forKey: .target),
      values: try c.decode([String: String].self, forKey: .values),
      env: try c.decodeIfPresent(String.self, forKey: .env),
      runner: try c.decode(RunnerRecord.self, forKey: .runner),
      outcome: try c.decode(ExecutionRecord.Outcome.self, forKey: .outcome),
      problems: try c.decode([CellProblem].self, forKey: .problems),
      steps: try c.decode([StepOutcome].self, forKey: .steps),
      duration: try c.decode(Double.self, forKey: .duration),
      fingerprint: try c.decodeIfPresent(Fingerprint.self, forKey: .fingerprint),
      toolchains: try c.decodeIfPresent([String: String].self, forKey: .toolchains),
      reuse: try c.decodeIfPresent(CellReuse.self, forKey: .reuse))
    self.init(
      execution: execution, artifacts: try c.decode([ArtifactRecord].self, forKey: .artifacts),
      findings: try c.decode([Finding].self, forKey: .checks), verdict: try c.decode(Verdict.self, forKey: .verdict))
  }

  /// One flat object: the execution's keys, the verified `artifacts`, the findings as `checks`, and
  /// the `verdict`.
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(execution.id, forKey: .id)
    try c.encode(execution.target, forKey: .target)
    try c.encode(execution.values, forKey: .values)
    try c.encodeIfPresent(execution.env, forKey: .env)
    try c.encode(execution.runner, forKey: .runner)
    try c.encode(execution.outcome, forKey: .outcome)
    try c.encode(execution.problems, forKey: .problems)
    try c.encode(execution.steps, forKey: .steps)
    try c.encode(artifacts, forKey: .artifacts)
    try c.encode(execution.duration, forKey: .duration)
    try c.encodeIfPresent(execution.fingerprint, forKey: .fingerprint)
    try c.encodeIfPresent(execution.toolchains, forKey: .toolchains)
    try c.encodeIfPresent(execution.reuse, forKey: .reuse)
    try c.encode(findings, forKey: .checks)
    try c.encode(verdict, forKey: .verdict)
  }
}
