/// What a check concluded.
public enum Verdict: String, Sendable, Hashable, Codable {
  /// The check held.
  case passed
  /// The check held only on a later attempt (`retries:`): the release works, but not every time.
  /// Counted apart and shown in every report, never as a plain pass.
  case flaky
  /// The check did not run, and its message says why (no runner for the target, the build failed…).
  case skipped
  /// The artifact or run is wrong: the release would fail where this check looked.
  case failed
  /// The check could not be made: the host lacks something, the run was interrupted or a file is
  /// unreadable. Not a verdict on the release, and never a pass.
  case error
}

/// One named finding about a cell: an artifact's architecture, a run step's exit or output, a
/// checksum, a reproducibility comparison.
public struct Check: Sendable, Hashable, Codable {
  /// The check's name: `arch`, `libc`, `glibc-floor`, `needed`, `minos`, `sha256`, `reproducible`,
  /// `build`, `exit`, `stdout`, `stderr`, `reference`, `cell`.
  public var name: String
  /// What it looked at: an artifact's or a step's name (nil for the cell as a whole).
  public var subject: String?
  /// What it concluded.
  public var verdict: Verdict
  /// One sentence that says what was found against what was expected.
  public var message: String
  /// More: the symbols that raise a floor, a unified diff, an expected and a found value.
  public var details: String?
  /// Seconds, for a check that is one test of a suite (`test`), when its tool said.
  public var duration: Double?

  /// Creates a check.
  public init(
    _ name: String, subject: String? = nil, _ verdict: Verdict, _ message: String, details: String? = nil,
    duration: Double? = nil
  ) {
    self.name = name
    self.subject = subject
    self.verdict = verdict
    self.message = message
    self.details = details
    self.duration = duration
  }

  /// `hello: glibc-floor`, `greet: stdout`, or the name alone; a test is its subject,
  /// `STEP › TEST`.
  public var title: String { name == "test" ? subject ?? name : subject.map { "\($0): \(name)" } ?? name }

  /// Encodes every key, absent ones as null.
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(name, forKey: .name)
    try c.encode(subject, forKey: .subject)
    try c.encode(verdict, forKey: .verdict)
    try c.encode(message, forKey: .message)
    try c.encode(details, forKey: .details)
    try c.encode(duration, forKey: .duration)
  }
}
