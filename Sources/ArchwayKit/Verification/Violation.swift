/// One way an artifact does not fit its target: which check, what was expected, what was found.
public struct Violation: Sendable, Hashable, Codable, CustomStringConvertible {
  /// The check's name: `readable`, `format`, `arch`, `os-abi`, `libc`, `glibc-floor`, `needed`.
  public let check: String
  public let expected: String
  public let found: String
  /// A sentence that names what was found and what the target allows, without the file's path.
  public let message: String

  public init(check: String, expected: String, found: String, message: String) {
    self.check = check
    self.expected = expected
    self.found = found
    self.message = message
  }

  public var description: String { message }
}

/// The verdict on one file: its facts and every violation found (none means it fits).
public struct ArtifactVerdict: Sendable, Hashable, Codable {
  public let path: String
  public let facts: BinaryFacts
  public let violations: [Violation]

  public var passed: Bool { violations.isEmpty }
}
