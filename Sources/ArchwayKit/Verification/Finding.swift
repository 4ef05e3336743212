/// What one check found of a cell: its kind, what it looked at, its verdict, one sentence, and more
/// (the symbols that raise a floor, a unified diff, an expected and a found value). Made by the
/// verifier, read by the report and the console; nothing changes it after the cell is reported.
public struct Finding: Sendable, Hashable {
  /// What a finding looked at.
  public enum Subject: Sendable, Hashable {
    /// The cell as a whole (or the build and its rebuilds, for a cell-wide reproducibility problem).
    case cell
    /// An artifact, by name.
    case artifact(String)
    /// A step.
    case step(StepID)
    /// One test of a step's per-test results.
    case test(StepID, String)
  }

  /// The kind of check.
  public let kind: CheckKind
  /// What it looked at.
  public let subject: Subject
  /// What it concluded.
  public let verdict: Verdict
  /// One sentence that says what was found against what was expected.
  public let message: String
  /// More: the symbols that raise a floor, a unified diff, an expected and a found value.
  public let details: String?
  /// Seconds, for a finding that is one test of a suite, when its tool said.
  package let duration: Double?
  /// The last lines a failed step wrote to standard error (at most three), or what ran when it wrote
  /// nothing: what the console shows under the finding. Not in the report, nor in equality.
  package let lastWords: [String]

  /// A finding of `kind` about `subject`.
  package init(
    _ kind: CheckKind, _ subject: Subject = .cell, _ verdict: Verdict, _ message: String, details: String? = nil,
    duration: Double? = nil, lastWords: [String] = []
  ) {
    self.kind = kind
    self.subject = subject
    self.verdict = verdict
    self.message = message
    self.details = details
    self.duration = duration
    self.lastWords = lastWords
  }

  /// The subject's name as the report writes it: an artifact's or a run step's name, `STEP › TEST`,
  /// nil for the cell (and for the build step, which its kind names).
  package var subjectName: String? {
    switch subject {
    case .cell: nil
    case .artifact(let name): name
    case .step(let id): kind == .build ? nil : id.name
    case .test(let step, let name): "\(step.name) › \(name)"
    }
  }

  /// `hello: glibc-floor`, `greet: stdout`, or the kind alone; a test is its subject, `STEP › TEST`.
  public var title: String {
    kind == .test ? subjectName ?? kind.rawValue : subjectName.map { "\($0): \(kind.rawValue)" } ?? kind.rawValue
  }

  /// The step the finding is about, if any.
  package var step: StepID? {
    switch subject {
    case .step(let id), .test(let id, _): id
    case .cell, .artifact: nil
    }
  }

  /// Equal in everything the report keeps (``lastWords`` are the console's).
  public static func == (lhs: Finding, rhs: Finding) -> Bool {
    (lhs.kind, lhs.subject, lhs.verdict, lhs.message, lhs.details, lhs.duration)
      == (rhs.kind, rhs.subject, rhs.verdict, rhs.message, rhs.details, rhs.duration)
  }

  /// Hashes what ``==(lhs:rhs:)`` compares.
  public func hash(into hasher: inout Hasher) {
    hasher.combine(kind)
    hasher.combine(subject)
    hasher.combine(verdict)
    hasher.combine(message)
    hasher.combine(details)
    hasher.combine(duration)
  }
}

extension Finding: Codable {
  enum CodingKeys: String, CodingKey { case name, subject, verdict, message, details, duration }

  /// Decodes what ``encode(to:)`` writes: the subject's type follows from the kind.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    let name = try c.decode(String.self, forKey: .name)
    guard let kind = CheckKind(rawValue: name) else {
      throw DecodingError.dataCorruptedError(forKey: .name, in: c, debugDescription: "no check is named '\(name)'")
    }
    let subject = try c.decodeIfPresent(String.self, forKey: .subject)
    self.init(
      kind, Self.subject(subject, kind: kind), try c.decode(Verdict.self, forKey: .verdict),
      try c.decode(String.self, forKey: .message), details: try c.decodeIfPresent(String.self, forKey: .details),
      duration: try c.decodeIfPresent(Double.self, forKey: .duration))
  }

  /// `name` (the kind), `subject` (``subjectName``), `verdict`, `message`, `details`, `duration`:
  /// every key, absent ones as null.
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(kind, forKey: .name)
    try c.encode(subjectName, forKey: .subject)
    try c.encode(verdict, forKey: .verdict)
    try c.encode(message, forKey: .message)
    try c.encode(details, forKey: .details)
    try c.encode(duration, forKey: .duration)
  }

  /// The subject a report names `name` for a finding of `kind`.
  static func subject(_ name: String?, kind: CheckKind) -> Subject {
    switch (kind.subjectKind, name) {
    case (.buildStep, _): return .step(.build)
    case (.cell, _), (_, nil): return .cell
    case (.artifact, let name?): return .artifact(name)
    case (.runStep, let name?): return .step(.run(name))
    case (.test, let name?):
      guard let separator = name.range(of: " › ") else { return .test(.run(""), name) }
      return .test(.run(String(name[..<separator.lowerBound])), String(name[separator.upperBound...]))
    }
  }
}
