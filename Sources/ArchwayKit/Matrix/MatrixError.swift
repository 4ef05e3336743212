/// Where in a matrix file something was written: `Matrix/demo.yml:12:9`.
package struct SourceLocation: Sendable, Hashable, Codable, CustomStringConvertible {
  /// The file as the user named it.
  package let file: String
  /// 1-based line.
  package let line: Int
  /// 1-based column, counted in Unicode scalars.
  package let column: Int

  /// Creates a location.
  package init(file: String, line: Int, column: Int) {
    self.file = file
    self.line = line
    self.column = column
  }

  /// `file:line:column`; just `file` for what was not written in a file (line 0: a `--set`).
  package var description: String { line > 0 ? "\(file):\(line):\(column)" : file }
}

/// A matrix file Archway cannot plan: the message quotes the bad value and, where one is close,
/// suggests a known one; the location says where it was written.
public struct MatrixError: Error, Sendable, Hashable, CustomStringConvertible {
  /// Where the problem is, when it is in the file (nil for a file that cannot be read at all).
  package let location: SourceLocation?
  /// What is wrong, without the location.
  package let message: String

  /// Creates an error at `location`.
  package init(_ message: String, at location: SourceLocation?) {
    self.message = message
    self.location = location
  }

  /// `file:line:column: message`.
  public var description: String { location.map { "\($0): \(message)" } ?? message }
}

extension MatrixError: ArchwayError {}
