import Foundation

/// A matrix file, decoded and checked for shape: the axes, include and exclude lists, defaults and
/// the `build:`, `run:` and `verify:` blocks, every value with its source location.
public struct MatrixFile: Sendable {
  /// The file as the user named it.
  public var path: String
  /// The axes in the file's order: name → non-empty list of values.
  package var axes: [MatrixEntry]
  /// `include:` entries (maps), in order.
  package var include: [MatrixValue]
  /// `exclude:` entries (maps), in order.
  package var exclude: [MatrixValue]
  /// `defaults:`: values a cell takes when it has none of its own.
  package var defaults: [MatrixEntry]
  /// What each cell builds, runs and checks; shaped by the executor and verifier, resolved by the planner.
  package var build: MatrixValue?
  /// See ``build``.
  package var run: MatrixValue?
  /// See ``build``.
  package var verify: MatrixValue?
  /// What a run compared with a baseline report fails on (`regressions:`); the default when absent.
  package var regressions = RegressionPolicy()
  /// The machines cells' steps may go to over ssh (`hosts:`), checked by the planner, whose folder
  /// their files are taken from.
  package var hosts: MatrixValue?
  /// Where `matrix:` was written.
  package var matrixLocation: SourceLocation

  /// The keys a matrix file may have at its top level.
  package static let topLevelKeys = ["name", "matrix", "defaults", "build", "run", "verify", "regressions", "hosts"]

  /// Reads and checks the file at `path`. Throws a ``MatrixError`` with the file, line and column of
  /// the first problem.
  public static func load(path: String) throws(MatrixError) -> MatrixFile {
    try load(try contents(of: path), path: path)
  }

  /// The largest matrix file Archway reads: 4 MiB, far above any real one.
  package static let largestFile = 4 << 20

  /// The bytes of the file at `path`. Throws a ``MatrixError`` when it cannot be read, is not a
  /// regular file or is larger than ``largestFile``.
  package static func contents(of path: String) throws(MatrixError) -> Data {
    do {
      return try RegularFile.contents(atPath: path, limit: largestFile)
    } catch {
      throw MatrixError("\(path): \(error)", at: nil)
    }
  }

  /// Checks `data`, the bytes of the matrix file at `path`. Throws a ``MatrixError`` at the first problem.
  package static func load(_ data: Data, path: String) throws(MatrixError) -> MatrixFile {
    guard let text = String(data: data, encoding: .utf8) else {
      let bytes = [UInt8](data)
      guard let (offset, cut) = TextPosition.firstInvalidUTF8(in: bytes),
        let place = TextPosition(byteOffset: offset, in: bytes)
      else { throw MatrixError("\(path): is not UTF-8 text", at: nil) }
      let byte = String(format: "0x%02X", bytes[offset])
      throw MatrixError(
        "is not UTF-8 text: byte \(byte) "
          + (cut ? "starts a UTF-8 character the next bytes do not finish" : "cannot start a UTF-8 character")
          + "; save the file as UTF-8", at: SourceLocation(file: path, line: place.line, column: place.column))
    }
    return try parse(yaml: text, file: path)
  }

  /// Checks `yaml` as a matrix file named `file`. Throws a ``MatrixError`` at the first problem.
  public static func parse(yaml: String, file: String) throws(MatrixError) -> MatrixFile {
    let start = SourceLocation(file: file, line: 1, column: 1)
    guard let root = try MatrixValue.parse(yaml: yaml, file: file) else {
      throw MatrixError("the file is empty; it needs at least a 'matrix:'", at: start)
    }
    guard let entries = root.entries else {
      throw MatrixError("a matrix file is a map with 'matrix:' and more, not \(root.shapeName)", at: root.location)
    }
    for entry in entries where !topLevelKeys.contains(entry.key) {
      throw unknownKey(entry, among: topLevelKeys, in: "a matrix file")
    }
    guard let matrix = root["matrix"] else { throw MatrixError("'matrix:' is missing", at: start) }
    guard let matrixEntries = matrix.entries else {
      throw MatrixError("'matrix' must be a map of axes, not \(matrix.shapeName)", at: matrix.location)
    }
    var file = MatrixFile(
      path: file, axes: [], include: [], exclude: [], defaults: [], build: root["build"], run: root["run"],
      verify: root["verify"], matrixLocation: matrix.location)
    for entry in matrixEntries {
      switch entry.key {
      case "include": file.include = try listOfMaps(entry)
      case "exclude": file.exclude = try listOfMaps(entry)
      default:
        guard let values = entry.value.items else {
          throw MatrixError(
            "axis '\(entry.key)' must be a list, not \(entry.value.shapeName); write '\(entry.key): [\(entry.value)]'",
            at: entry.value.location)
        }
        guard !values.isEmpty else {
          throw MatrixError("axis '\(entry.key)' has no values", at: entry.value.location)
        }
        file.axes.append(entry)
      }
    }
    let axisNames = file.axes.map(\.key)
    for exclusion in file.exclude {
      for entry in exclusion.entries ?? [] where !axisNames.contains(entry.key) {
        throw MatrixError(
          "exclude names '\(entry.key)', which is not an axis of this matrix"
            + Suggestion.phrase(for: entry.key, among: axisNames), at: entry.keyLocation ?? exclusion.location)
      }
    }
    if let defaults = root["defaults"] {
      guard let entries = defaults.entries else {
        throw MatrixError("'defaults' must be a map of values, not \(defaults.shapeName)", at: defaults.location)
      }
      file.defaults = entries
    }
    if let regressions = root["regressions"] { file.regressions = try RegressionPolicy(regressions) }
    file.hosts = root["hosts"]
    for (name, block) in [("build", file.build), ("run", file.run), ("verify", file.verify)] {
      if let block, block.entries == nil, block.items == nil {
        throw MatrixError("'\(name)' must be a map or a list, not \(block.shapeName)", at: block.location)
      }
    }
    return file
  }

  private static func listOfMaps(_ entry: MatrixEntry) throws(MatrixError) -> [MatrixValue] {
    guard let items = entry.value.items else {
      throw MatrixError(
        "'\(entry.key)' must be a list of maps, not \(entry.value.shapeName)", at: entry.value.location)
    }
    for item in items where item.entries == nil {
      throw MatrixError(
        "each '\(entry.key)' entry must be a map like 'arch: arm64', not \(item.shapeName)", at: item.location)
    }
    return items
  }

  static func unknownKey(_ entry: MatrixEntry, among known: [String], in place: String) -> MatrixError {
    MatrixError(
      "unknown key '\(entry.key)' in \(place)" + Suggestion.phrase(for: entry.key, among: known),
      at: entry.keyLocation ?? entry.value.location)
  }
}

extension MatrixFile {
  /// The matrix `plan` and `run` use when none is named: `Matrix/archway.yml`, then `archway.yml`,
  /// in `directory`; nil when neither exists.
  package static func defaultPath(in directory: String = ".") -> String? {
    ["Matrix/archway.yml", "archway.yml"].first {
      FileManager.default.fileExists(atPath: directory == "." ? $0 : "\(directory)/\($0)")
    }
  }
}
