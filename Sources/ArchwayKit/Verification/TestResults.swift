import Foundation

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// Per-test results from what a test tool writes: `go test -json` (test2json events), TAP, or JUnit
/// XML. Each test becomes a check of its own, so a report names which test failed on which target.
package enum TestResults {
  /// One test as the tool reported it.
  package struct Case: Sendable, Hashable {
    /// The test's name (`TestHeader`, `TestA/sub`; a TAP test's description).
    package var name: String
    /// Passed, failed, or skipped; `error` for a test that never finished (its step was killed).
    package var verdict: Verdict
    /// Seconds, when the tool said.
    package var duration: Double?
    /// What the test printed, or the tool's diagnostics for it.
    package var output: String
  }

  /// The tests in `data` as `format` writes them, in the order they finished. Throws a
  /// ``TestResultsError`` when the data is not that format at all.
  package static func parse(_ data: Data, format: TestResultsFormat) throws(TestResultsError) -> [Case] {
    switch format {
    case .goTestJSON: return goTestJSON(data)
    case .tap: return tap(String(decoding: data, as: UTF8.self))
    case .junit: return try junit(data)
    }
  }

  /// test2json's events: `{"Action": "run|output|pass|fail|skip", "Package", "Test", "Elapsed", "Output"}`,
  /// one a line; lines that are not events (a build error) are left out.
  static func goTestJSON(_ data: Data) -> [Case] {
    var order: [String] = []
    var cases: [String: Case] = [:]
    var packages = Set<String>()
    var events: [(package: String, test: String, action: String, elapsed: Double?, output: String?)] = []
    for line in data.split(separator: UInt8(ascii: "\n")) {
      guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
        let action = object["Action"] as? String, let test = object["Test"] as? String
      else { continue }
      let package = object["Package"] as? String ?? ""
      packages.insert(package)
      events.append((package, test, action, object["Elapsed"] as? Double, object["Output"] as? String))
    }
    for event in events {
      let key = packages.count > 1 ? "\(event.package).\(event.test)" : event.test
      if cases[key] == nil {
        order.append(key)
        cases[key] = Case(name: key, verdict: .error, duration: nil, output: "")
      }
      switch event.action {
      case "output": cases[key]!.output += event.output ?? ""
      case "pass": cases[key]!.verdict = .passed
      case "fail": cases[key]!.verdict = .failed
      case "skip": cases[key]!.verdict = .skipped
      default: continue
      }
      if ["pass", "fail", "skip"].contains(event.action) { cases[key]!.duration = event.elapsed }
    }
    return order.compactMap { cases[$0] }
  }

  /// TAP 12/13/14: `ok N - description`, `not ok N - description`, with `# SKIP` and `# TODO`
  /// directives (a failing TODO is no failure) and the diagnostics (`#` lines, a YAML block) that
  /// follow a test; `Bail out!` ends the run as an error.
  static func tap(_ text: String) -> [Case] {
    var cases: [Case] = []
    // A `#` that starts no directive is part of the description (`not ok 3 - issue #12`).
    let line = /^(not )?ok\b\s*(\d+)?\s*(?:-\s*)?(.*?)\s*(?:#\s*(SKIP|TODO)\b.*)?$/.ignoresCase()
    for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
      let text = String(raw)
      if let match = text.firstMatch(of: line) {
        let number = match.2.map(String.init) ?? "\(cases.count + 1)"
        let name = match.3.isEmpty ? "test \(number)" : String(match.3)
        let directive = match.4?.uppercased()
        let verdict: Verdict =
          directive == "SKIP" ? .skipped : directive == "TODO" ? .skipped : match.1 == nil ? .passed : .failed
        cases.append(Case(name: name, verdict: verdict, duration: nil, output: ""))
      } else if text.hasPrefix("Bail out!") {
        cases.append(Case(name: "bail out", verdict: .error, duration: nil, output: text))
      } else if !cases.isEmpty, text.hasPrefix("#") || text.hasPrefix(" ") {
        cases[cases.count - 1].output += text + "\n"
      }
    }
    return cases
  }

  /// JUnit XML (Jenkins', GitLab's and ctest's form): each `testcase` with a `failure`, `error` or
  /// `skipped` child, its `time`, and its `system-out`/`system-err` and failure text as output.
  static func junit(_ data: Data) throws(TestResultsError) -> [Case] {
    let reader = JUnitCases()
    let parser = XMLParser(data: data)
    parser.delegate = reader
    parser.shouldResolveExternalEntities = false
    guard parser.parse() else {
      throw TestResultsError(
        "not JUnit XML: \(parser.parserError.map { "\($0.localizedDescription)" } ?? "unreadable")")
    }
    return reader.cases
  }
}

/// Results that are not in the format the step said.
package struct TestResultsError: Error, Sendable, CustomStringConvertible {
  /// What is wrong.
  package let description: String
  init(_ description: String) { self.description = description }
}

/// The XMLParser delegate that collects JUnit testcases.
private final class JUnitCases: NSObject, XMLParserDelegate {
  var cases: [TestResults.Case] = []
  private var current: TestResults.Case?
  private var text = ""

  func parser(
    _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
    attributes: [String: String] = [:]
  ) {
    switch name {
    case "testcase":
      let title = attributes["name"] ?? "test \(cases.count + 1)"
      current = TestResults.Case(
        name: title, verdict: .passed, duration: attributes["time"].flatMap(Double.init), output: "")
    case "failure": current?.verdict = .failed
    case "error": current?.verdict = .error
    case "skipped": if current?.verdict == .passed { current?.verdict = .skipped }
    default: break
    }
    if ["failure", "error", "skipped"].contains(name), let message = attributes["message"], !message.isEmpty {
      current?.output += message + "\n"
    }
    text = ""
  }

  func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

  func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
    switch name {
    case "failure", "error", "skipped", "system-out", "system-err":
      let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
      if !trimmed.isEmpty { current?.output += trimmed + "\n" }
    case "testcase":
      if let current { cases.append(current) }
      current = nil
    default: break
    }
    text = ""
  }
}
