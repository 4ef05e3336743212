import Foundation

/// What a cell's `verify:` block and its run steps' `expect:` blocks ask the verifier to check,
/// decoded and validated at plan time so a bad value is reported with its file, line and column.
public struct VerifySpec: Sendable, Hashable, Codable {
  /// Whether the artifacts' architecture is checked (`arch: false` turns it off).
  public var arch = true
  /// Whether the artifacts' libc family and interpreter are checked.
  public var libc = true
  /// The newest glibc the artifacts may need: the older of `glibc_max` and the cell's `gnu-X.Y`
  /// (the verifier adds the environment's glibc; parsing reads no file).
  public var glibcMax: DottedVersion?
  /// The libraries the artifacts may need (names or shell patterns); nil allows any.
  public var allowNeeded: [String]?
  /// The newest macOS a Mach-O artifact may require (`minos`).
  public var minosMax: DottedVersion?
  /// The reproducibility check, if asked for.
  public var reproducible: Reproducibility?
  /// The cell whose artifacts this cell's must equal byte for byte (`same_as: {cell: ID}`): a build
  /// inside the target against the cross build, say.
  public var sameAs: String?
  /// Run step name → what its outputs must be.
  public var expectations: [String: OutputExpectation] = [:]

  enum CodingKeys: String, CodingKey {
    case arch, libc, glibcMax = "glibc_max", allowNeeded = "allow_needed", minosMax = "minos_max", reproducible
    case sameAs = "same_as", expectations
  }

  /// `verify: reproducible:`: build the cell this many times in all, varying these.
  public struct Reproducibility: Sendable, Hashable, Codable {
    /// Builds in all (at least 2).
    public var builds: Int
    /// What differs between the first build and the others.
    public var vary: [Variation]
  }

  /// What a rebuild varies, as reprotest names it.
  public enum Variation: String, Sendable, Hashable, Codable, CaseIterable {
    /// The output folder (every rebuild writes into its own, so this always varies).
    case path
    /// The clock, moved 397 days ahead through `faketime`.
    case time
    /// The file-creation mask.
    case umask
    /// `LANG` and `LC_ALL`.
    case locale
    /// `TZ`.
    case timezone
  }

  static let keys = ["arch", "libc", "glibc_max", "allow_needed", "minos_max", "reproducible", "same_as"]

  /// Checks nothing but what every artifact gets (architecture and libc).
  public init() {}

  /// Decodes a cell's resolved `verify:` block, for a cell of `libc` whose run steps expect
  /// `expectations` (see ``CellSteps``). Throws a ``MatrixError`` at the first unknown key or
  /// ill-typed value.
  init(
    verify block: MatrixValue?, expectations: [String: OutputExpectation], libc: LibcRequirement
  ) throws(MatrixError) {
    self.expectations = expectations
    if case .gnu(let version?) = libc { glibcMax = version }
    if let block, block.kind != .null {
      guard let entries = block.entries else {
        throw MatrixError("'verify' must be a map (glibc_max, allow_needed, reproducible…)", at: block.location)
      }
      for entry in entries {
        try apply(entry)
      }
    }
  }

  private mutating func apply(_ entry: MatrixEntry) throws(MatrixError) {
    let value = entry.value
    switch entry.key {
    case "arch": arch = try Self.bool(value, "arch")
    case "libc": libc = try Self.bool(value, "libc")
    case "glibc_max":  // Both the cell's gnu-X.Y and glibc_max hold: the older wins.
      let version = try Self.version(value, "glibc_max", example: "2.31")
      glibcMax = glibcMax.map { min($0, version) } ?? version
    case "minos_max": minosMax = try Self.version(value, "minos_max", example: "11.0")
    case "allow_needed": allowNeeded = try Self.words(value, "allow_needed")
    case "reproducible": reproducible = try Self.reproducibility(value)
    case "same_as":
      // `same_as: ID` or `same_as: {cell: ID}`.
      let id = value.scalarText ?? value["cell"]?.scalarText
      if let entries = value.entries, let extra = entries.first(where: { $0.key != "cell" }) {
        throw MatrixFile.unknownKey(extra, among: ["cell"], in: "same_as")
      }
      guard let id, !id.isEmpty else {
        throw MatrixError("'same_as' must name a cell: same_as: {cell: linux-arm64-gnu}", at: value.location)
      }
      sameAs = id
    default: throw MatrixFile.unknownKey(entry, among: Self.keys, in: "verify")
    }
  }

  static func bool(_ value: MatrixValue, _ key: String) throws(MatrixError) -> Bool {
    guard case .bool(let flag) = value.kind else {
      throw MatrixError("'\(key)' must be true or false, not '\(value)'", at: value.location)
    }
    return flag
  }

  static func version(_ value: MatrixValue, _ key: String, example: String) throws(MatrixError) -> DottedVersion {
    guard let version = DottedVersion(value.description), version.components.count >= 2 else {
      throw MatrixError("'\(key)' must be a version like \(example), not '\(value)'", at: value.location)
    }
    return version
  }

  static func words(_ value: MatrixValue, _ key: String) throws(MatrixError) -> [String] {
    if let text = value.scalarText { return [text] }
    guard let items = value.items, items.allSatisfy({ $0.scalarText != nil }) else {
      throw MatrixError("'\(key)' must be a list of words", at: value.location)
    }
    return items.compactMap(\.scalarText)
  }

  private static func reproducibility(_ value: MatrixValue) throws(MatrixError) -> Reproducibility? {
    if case .bool(let on) = value.kind {  // `false` asks for nothing: no rebuild at all.
      return on ? Reproducibility(builds: 2, vary: Variation.allCases) : nil
    }
    guard let entries = value.entries else {
      throw MatrixError("'reproducible' must be true or a map {builds: 2, vary: [time, umask]}", at: value.location)
    }
    var result = Reproducibility(builds: 2, vary: Variation.allCases)
    for entry in entries {
      switch entry.key {
      case "builds":
        guard case .int(let count) = entry.value.kind, (2...10).contains(count) else {
          throw MatrixError(
            "'builds' must be a whole number from 2 to 10, not '\(entry.value)'", at: entry.value.location)
        }
        result.builds = count
      case "vary":
        result.vary = []
        for word in try words(entry.value, "vary") {
          guard let variation = Variation(rawValue: word) else {
            throw MatrixError(
              "unknown variation '\(word)'"
                + Suggestion.phrase(for: word, among: Variation.allCases.map(\.rawValue)), at: entry.value.location)
          }
          result.vary.append(variation)
        }
      default:
        throw MatrixFile.unknownKey(entry, among: ["builds", "vary"], in: "reproducible")
      }
    }
    return result
  }
}

/// What a run step's output must be (`expect:`): besides `exit`, per stream a text, a golden file or
/// a pattern, or the same step's output in a reference cell; normalizers apply to both sides first.
public struct OutputExpectation: Sendable, Hashable, Codable {
  /// What one stream must be: `{"equals": TEXT}`, `{"golden": PATH}` or `{"matches": PATTERN}` in JSON.
  public enum Rule: Sendable, Hashable, Codable {
    /// Equal to this text.
    case equals(String)
    /// Equal to this file's contents (a golden file, relative to where Archway runs).
    case golden(String)
    /// The pattern (NSRegularExpression, `^`/`$` per line) is found in the output.
    case matches(String)

    enum CodingKeys: String, CodingKey { case equals, golden, matches }

    /// Decodes what ``encode(to:)`` writes.
    public init(from decoder: any Decoder) throws {
      let c = try decoder.container(keyedBy: CodingKeys.self)
      if let text = try c.decodeIfPresent(String.self, forKey: .equals) {
        self = .equals(text)
      } else if let path = try c.decodeIfPresent(String.self, forKey: .golden) {
        self = .golden(path)
      } else {
        self = .matches(try c.decode(String.self, forKey: .matches))
      }
    }

    /// `{"equals": TEXT}`, `{"golden": PATH}` or `{"matches": PATTERN}`.
    public func encode(to encoder: any Encoder) throws {
      var c = encoder.container(keyedBy: CodingKeys.self)
      switch self {
      case .equals(let text): try c.encode(text, forKey: .equals)
      case .golden(let path): try c.encode(path, forKey: .golden)
      case .matches(let pattern): try c.encode(pattern, forKey: .matches)
      }
    }
  }

  /// The rule for standard output, if any.
  public var stdout: Rule?
  /// The rule for standard error, if any.
  public var stderr: Rule?
  /// A cell whose same-named step's standard output this step's must equal.
  public var reference: String?
  /// Applied to both sides before comparing.
  public var normalize = Normalization()
  /// The step's per-test results (`tests:`), each test a check of its own.
  public var tests: TestResultsSpec?

  enum CodingKeys: String, CodingKey { case stdout, stderr, reference, normalize, tests }

  /// Nothing expected of the outputs.
  init() {}

  static let keys = [
    "exit", "stdout", "stderr", "stdout_file", "stderr_file", "stdout_matches", "stderr_matches", "reference",
    "normalize",
  ]

  init(_ block: MatrixValue) throws(MatrixError) {
    guard let entries = block.entries else {
      throw MatrixError("'expect' must be a map (exit, stdout, stdout_file, reference…)", at: block.location)
    }
    for entry in entries {
      let value = entry.value
      let text = value.kind == .null ? nil : value.scalarText
      if entry.key != "normalize", entry.key != "exit", text == nil {
        throw MatrixError("'expect.\(entry.key)' must be text, not \(value.shapeName)", at: value.location)
      }
      switch entry.key {
      case "exit": break  // The executor's (see StepSpec.expectedExit).
      case "stdout": stdout = .equals(text!)
      case "stderr": stderr = .equals(text!)
      case "stdout_file": stdout = .golden(text!)
      case "stderr_file": stderr = .golden(text!)
      case "stdout_matches", "stderr_matches":
        do {
          _ = try NSRegularExpression(pattern: text!, options: [.anchorsMatchLines])
        } catch {
          throw MatrixError("'expect.\(entry.key)' is not a valid pattern: '\(text!)'", at: value.location)
        }
        if entry.key == "stdout_matches" { stdout = .matches(text!) } else { stderr = .matches(text!) }
      case "reference": reference = text
      case "normalize": normalize = try Normalization(value)
      default: throw MatrixFile.unknownKey(entry, among: Self.keys, in: "expect")
      }
    }
  }
}

/// How outputs are normalized before they are compared: lines removed by pattern, CRLF made LF,
/// trailing whitespace dropped.
public struct Normalization: Sendable, Hashable, Codable {
  /// Lines matching any of these patterns are removed.
  public var strip: [String] = []
  /// Whether `\r\n` becomes `\n`.
  public var crlf = false
  /// Whether spaces and tabs at the ends of lines are dropped.
  public var trailingWhitespace = false

  enum CodingKeys: String, CodingKey { case strip, crlf, trailingWhitespace = "trailing_whitespace" }

  /// No normalization.
  public init() {}

  init(_ value: MatrixValue) throws(MatrixError) {
    guard let entries = value.entries else {
      throw MatrixError(
        "'normalize' must be a map {strip: [PATTERN], crlf: true, trailing_whitespace: true}", at: value.location)
    }
    for entry in entries {
      switch entry.key {
      case "strip":
        strip = try VerifySpec.words(entry.value, "strip")
        for pattern in strip where (try? NSRegularExpression(pattern: pattern)) == nil {
          throw MatrixError("'strip' pattern '\(pattern)' is not a valid pattern", at: entry.value.location)
        }
      case "crlf": crlf = try VerifySpec.bool(entry.value, "crlf")
      case "trailing_whitespace": trailingWhitespace = try VerifySpec.bool(entry.value, "trailing_whitespace")
      default: throw MatrixFile.unknownKey(entry, among: ["strip", "crlf", "trailing_whitespace"], in: "normalize")
      }
    }
  }

  /// `text` normalized.
  public func apply(_ text: String) -> String {
    guard crlf || trailingWhitespace || !strip.isEmpty else { return text }
    var result = crlf ? text.replacingOccurrences(of: "\r\n", with: "\n") : text
    let patterns = strip.compactMap { try? NSRegularExpression(pattern: $0) }
    var lines = result.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    if !patterns.isEmpty {
      lines.removeAll { line in
        let range = NSRange(line.startIndex..., in: line)
        return patterns.contains { $0.firstMatch(in: line, range: range) != nil }
      }
    }
    if trailingWhitespace {
      lines = lines.map { line in
        var trimmed = Substring(line)
        while let last = trimmed.last, last == " " || last == "\t" { trimmed = trimmed.dropLast() }
        return String(trimmed)
      }
    }
    result = lines.joined(separator: "\n")
    return result
  }
}

/// Where a run step's test tool writes per-test results, and in what form: `tests: {format:
/// go-test-json | tap | junit, file: PATH}`, standard output when there is no `file`.
public struct TestResultsSpec: Sendable, Hashable, Codable {
  /// The form of the results.
  public var format: TestResultsFormat
  /// A file the tool writes (absolute; inside the cell's folder), or nil for standard output.
  public var file: String?

  /// Results in `format`, read from `file` (nil: standard output).
  init(format: TestResultsFormat, file: String?) {
    self.format = format
    self.file = file
  }

  /// Decodes a `tests:` block, `file` taken from `directory` when relative.
  init(_ block: MatrixValue, directory: String) throws(MatrixError) {
    guard let entries = block.entries else {
      throw MatrixError("'tests' must be a map {format: go-test-json, file: PATH}", at: block.location)
    }
    var format: TestResultsFormat?
    for entry in entries {
      let text = entry.value.scalarText ?? ""
      switch entry.key {
      case "format":
        guard let known = TestResultsFormat(rawValue: text) else {
          let names = TestResultsFormat.allCases.map(\.rawValue)
          throw MatrixError(
            "unknown test format '\(text)' (one of \(names.joined(separator: ", ")))"
              + Suggestion.phrase(for: text, among: names), at: entry.value.location)
        }
        format = known
      case "file": file = CellSteps.absolute(text, from: directory)
      default: throw MatrixFile.unknownKey(entry, among: ["format", "file"], in: "tests")
      }
    }
    guard let format else {
      throw MatrixError("'tests' needs a 'format' (go-test-json, tap or junit)", at: block.location)
    }
    self.format = format
  }
}

/// How a run step's test tool writes its results.
public enum TestResultsFormat: String, Sendable, Hashable, Codable, CaseIterable {
  /// `go test -json`, or `go tool test2json` around a test binary.
  case goTestJSON = "go-test-json"
  /// The Test Anything Protocol (Perl's prove, many shell and C harnesses).
  case tap
  /// JUnit XML (`ctest --output-junit`, pytest's `--junitxml`).
  case junit
}
