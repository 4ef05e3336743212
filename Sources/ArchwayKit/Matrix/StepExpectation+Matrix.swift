import Foundation

extension StepExpectation {
  /// The one reading of a run step's `expect:` and `tests:` blocks (`tests` files taken from
  /// `directory` when relative). Throws a ``MatrixError`` at the first unknown key or ill-typed value.
  init(expect: MatrixValue?, tests: MatrixValue?, directory: String) throws(MatrixError) {
    self.init()
    if let value = expect?["exit"] {
      guard case .int(let code) = value.kind, let exit = Int32(exactly: code) else {
        throw MatrixError("'expect.exit' must be an exit code, not '\(value)'", at: value.location)
      }
      self.exit = exit
    }
    if let expect { outputs = try OutputExpectation(expect) }
    if let tests {
      outputs = outputs ?? OutputExpectation()
      outputs?.tests = try TestResultsSpec(tests, directory: directory)
    }
  }
}

extension OutputExpectation {
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
      case "exit": break  // Read with the rest of the expectation, above.
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

extension Normalization {
  init(_ value: MatrixValue) throws(MatrixError) {
    guard let entries = value.entries else {
      throw MatrixError(
        "'normalize' must be a map {strip: [PATTERN], crlf: true, trailing_whitespace: true}", at: value.location)
    }
    for entry in entries {
      switch entry.key {
      case "strip":
        strip = try entry.value.words(named: "strip")
        for pattern in strip where (try? NSRegularExpression(pattern: pattern)) == nil {
          throw MatrixError("'strip' pattern '\(pattern)' is not a valid pattern", at: entry.value.location)
        }
      case "crlf": crlf = try entry.value.bool(named: "crlf")
      case "trailing_whitespace": trailingWhitespace = try entry.value.bool(named: "trailing_whitespace")
      default: throw MatrixFile.unknownKey(entry, among: ["strip", "crlf", "trailing_whitespace"], in: "normalize")
      }
    }
  }

}

extension TestResultsSpec {
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
      case "file": file = PathText.absolute(text, from: directory)
      default: throw MatrixFile.unknownKey(entry, among: ["format", "file"], in: "tests")
      }
    }
    guard let format else {
      throw MatrixError("'tests' needs a 'format' (go-test-json, tap, junit or automake)", at: block.location)
    }
    self.format = format
  }
}
