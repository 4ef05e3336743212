/// Where in a matrix file something was written: `Matrix/demo.yml:12:9`.
public struct SourceLocation: Sendable, Hashable, Codable, CustomStringConvertible {
  /// The file as the user named it.
  public let file: String
  /// 1-based line.
  public let line: Int
  /// 1-based column, counted in Unicode scalars.
  public let column: Int

  /// Creates a location.
  public init(file: String, line: Int, column: Int) {
    self.file = file
    self.line = line
    self.column = column
  }

  /// `file:line:column`.
  public var description: String { "\(file):\(line):\(column)" }
}

/// A matrix file Archway cannot plan: the message quotes the bad value and, where one is close,
/// suggests a known one; the location says where it was written.
public struct MatrixError: Error, Sendable, Hashable, CustomStringConvertible {
  /// Where the problem is, when it is in the file (nil for a file that cannot be read at all).
  public let location: SourceLocation?
  /// What is wrong, without the location.
  public let message: String

  /// Creates an error at `location`.
  public init(_ message: String, at location: SourceLocation?) {
    self.message = message
    self.location = location
  }

  /// `file:line:column: message`.
  public var description: String { location.map { "\($0): \(message)" } ?? message }
}

extension MatrixError: ArchwayError {}
