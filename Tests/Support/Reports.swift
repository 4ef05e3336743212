import ArchwayKit
import Foundation

/// What a run wrote, read as its consumers read it: the report through Archway's own reader, the
/// JUnit file held to our schema by xmllint and then read by junitparser.
public enum Reports {
  /// The report at `path`.
  public static func read(_ path: String) throws -> Report {
    try Report.decode(try Data(contentsOf: URL(fileURLWithPath: path)), named: path)
  }

  /// Per testsuite, its testcases by result kind, as junitparser reads the JUnit file at `path`.
  /// Throws when xmllint finds the file against our JUnit schema (`Tests/Schemas/junit.xsd`).
  public static func junit(_ path: String) async throws -> [String: [String: Any]] {
    let valid = try await Command.run("xmllint", ["--noout", "--schema", Fixtures.junitSchema, path])
    guard valid.status == 0 else { throw Invalid(message: "\(path) is not valid JUnit: \(valid.stderr)") }
    let read = try await Command.run("python3", [Fixtures.root + "/Tests/Oracles/junit_summary.py", path])
    guard let summary = try JSONSerialization.jsonObject(with: Data(read.stdout.utf8)) as? [String: [String: Any]]
    else { throw Invalid(message: "junitparser said: \(read.stdout) \(read.stderr)") }
    return summary
  }

  /// A file a consumer refuses.
  public struct Invalid: Error, CustomStringConvertible {
    /// What the consumer said.
    public var message: String
    /// See ``message``.
    public var description: String { message }
  }
}

/// Writing a small project's files for a test.
public enum Files {
  /// Writes each name → text in `folder`, making the sub-folders a name holds.
  public static func write(_ files: [String: String], in folder: String) throws {
    for (name, text) in files {
      let path = "\(folder)/\(name)"
      try FileManager.default.createDirectory(
        atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path, withIntermediateDirectories: true)
      try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
  }
}
