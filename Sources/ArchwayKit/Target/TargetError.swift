/// Why a platform or libc a user wrote is not a target Archway knows.
public struct TargetError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The message, quoting the bad value and suggesting a known one where one is close.
  public let description: String

  /// Creates a value from its parts.
  package init(_ description: String) { self.description = description }
}

extension TargetError: ArchwayError {}
