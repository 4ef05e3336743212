import Foundation

/// What a run step must end with and print: its exit code (`expect.exit`, 0 by default), and what its
/// outputs must be, when its `expect:` or `tests:` says (nil when it says nothing of them).
package struct StepExpectation: Sendable, Hashable {
  /// The exit code the step must end with.
  package var exit: Int32
  /// What its outputs and per-test results must be; nil when the step asks nothing of them.
  package var outputs: OutputExpectation?

  /// Exit 0, nothing asked of the outputs.
  package init(exit: Int32 = 0, outputs: OutputExpectation? = nil) {
    self.exit = exit
    self.outputs = outputs
  }
}

/// What a run step's output must be (`expect:`): besides `exit`, per stream a text, a golden file or
/// a pattern, or the same step's output in a reference cell; normalizers apply to both sides first.
package struct OutputExpectation: Sendable, Hashable, Codable {
  /// What one stream must be: `{"equals": TEXT}`, `{"golden": PATH}` or `{"matches": PATTERN}` in JSON.
  package enum Rule: Sendable, Hashable, Codable {
    /// Equal to this text.
    case equals(String)
    /// Equal to this file's contents (a golden file, relative to where Archway runs).
    case golden(String)
    /// The pattern (NSRegularExpression, `^`/`$` per line) is found in the output.
    case matches(String)

    enum CodingKeys: String, CodingKey { case equals, golden, matches }

    /// Decodes what ``encode(to:)`` writes.
    package init(from decoder: any Decoder) throws {
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
    package func encode(to encoder: any Encoder) throws {
      var c = encoder.container(keyedBy: CodingKeys.self)
      switch self {
      case .equals(let text): try c.encode(text, forKey: .equals)
      case .golden(let path): try c.encode(path, forKey: .golden)
      case .matches(let pattern): try c.encode(pattern, forKey: .matches)
      }
    }
  }

  /// The rule for standard output, if any.
  package var stdout: Rule?
  /// The rule for standard error, if any.
  package var stderr: Rule?
  /// A cell whose same-named step's standard output this step's must equal.
  package var reference: String?
  /// Applied to both sides before comparing.
  package var normalize = Normalization()
  /// The step's per-test results (`tests:`), each test a check of its own.
  package var tests: TestResultsSpec?

  enum CodingKeys: String, CodingKey { case stdout, stderr, reference, normalize, tests }

  /// Nothing expected of the outputs.
  package init() {}
}

/// How outputs are normalized before they are compared: lines removed by pattern, CRLF made LF,
/// trailing whitespace dropped.
package struct Normalization: Sendable, Hashable, Codable {
  /// Lines matching any of these patterns are removed.
  package var strip: [String] = []
  /// Whether `\r\n` becomes `\n`.
  package var crlf = false
  /// Whether spaces and tabs at the ends of lines are dropped.
  package var trailingWhitespace = false

  enum CodingKeys: String, CodingKey { case strip, crlf, trailingWhitespace = "trailing_whitespace" }

  /// No normalization.
  package init() {}

  /// `text` normalized.
  package func apply(_ text: String) -> String {
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
package struct TestResultsSpec: Sendable, Hashable, Codable {
  /// The form of the results.
  package var format: TestResultsFormat
  /// A file the tool writes (absolute; inside the cell's folder), or nil for standard output.
  package var file: String?

  /// Results in `format`, read from `file` (nil: standard output).
  package init(format: TestResultsFormat, file: String?) {
    self.format = format
    self.file = file
  }

}
