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

  /// What a tool wrote: its tests, and what shows the record incomplete (a document cut short, a
  /// plan or a count not met, a package that never ended). Incomplete results are never a pass,
  /// whatever the tests they hold say.
  package struct Results: Sendable, Hashable {
    /// The tests, in the order they finished.
    package var cases: [Case] = []
    /// What is missing, one sentence each; empty when the record is whole.
    package var gaps: [String] = []
  }

  /// The tests in `data` as `format` writes them, and what is missing from them. Throws a
  /// ``TestResultsError`` when the data is not that format at all.
  package static func parse(_ data: Data, format: TestResultsFormat) throws(TestResultsError) -> Results {
    switch format {
    case .goTestJSON: return goTestJSON(data)
    case .tap: return tap(String(decoding: data, as: UTF8.self))
    case .junit: return try junit(data)
    }
  }

  /// One test2json event.
  private struct GoEvent {
    var package: String
    var test: String?
    var action: String
    var elapsed: Double?
    var output: String?
  }

  /// test2json's events: `{"Action": "run|output|pass|fail|skip", "Package", "Test", "Elapsed", "Output"}`,
  /// one a line; lines that are not events are left out. A package's own `fail` (a build failure, a
  /// panic or `os.Exit` after its tests) that none of its tests explains is a failed case named by
  /// the package, with the package's output; a package whose tests ran but that never ended (no
  /// package `pass`, `fail` or `skip`) is a gap: the stream was cut short.
  static func goTestJSON(_ data: Data) -> Results {
    var events: [GoEvent] = []
    var buildOutput: [String: String] = [:]
    for line in data.split(separator: UInt8(ascii: "\n")) {
      guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
        let action = object["Action"] as? String
      else {
        // Before Go 1.24, a package that does not build is only a line of text among the events.
        if let match = String(decoding: line, as: UTF8.self).firstMatch(of: /^FAIL\t(\S+) \[(build|setup) failed\]/) {
          events.append(
            GoEvent(package: String(match.1), test: nil, action: "fail", elapsed: nil, output: nil))
          buildOutput[String(match.1), default: ""] += "\(match.2) failed\n"
        }
        continue
      }
      // Go 1.24's build events name the package being built as ImportPath (`p [p.test]`).
      if let path = object["ImportPath"] as? String {
        if action == "build-output" {
          buildOutput[String(path.prefix { $0 != " " }), default: ""] += object["Output"] as? String ?? ""
        }
        continue  // `build-fail` too: the package's own `fail` follows it.
      }
      // `go tool test2json` over a test binary names no package.
      let package = object["Package"] as? String ?? ""
      events.append(
        GoEvent(
          package: package, test: object["Test"] as? String, action: action, elapsed: object["Elapsed"] as? Double,
          output: object["Output"] as? String))
    }
    var results = Results(cases: goTests(events.filter { $0.test != nil }))
    var packages: [String] = []
    var ended: [String: GoEvent] = [:]
    var output: [String: String] = [:]
    for event in events where event.test == nil {
      if !packages.contains(event.package) { packages.append(event.package) }
      if event.action == "output" { output[event.package, default: ""] += event.output ?? "" }
      if ["pass", "fail", "skip"].contains(event.action) { ended[event.package] = event }
    }
    for event in events where event.test != nil && !packages.contains(event.package) { packages.append(event.package) }
    let qualified = Set(events.map(\.package)).count > 1
    for package in packages {
      let failedTests = results.cases.contains {
        $0.verdict == .failed && (!qualified || $0.name.hasPrefix(package + "."))
      }
      guard let end = ended[package] else {
        let what = package.isEmpty ? "the test binary" : "the package \(package)"
        results.gaps.append("\(what) never ended (no pass or fail of its own): the output was cut short")
        continue
      }
      guard end.action == "fail", !failedTests else { continue }
      results.cases.append(
        Case(
          name: package, verdict: .failed, duration: end.elapsed,
          output: (buildOutput[package] ?? "") + (output[package] ?? "")))
    }
    return results
  }

  /// The cases of test2json's test events, keyed `package.Test` when more than one package ran.
  private static func goTests(_ events: [GoEvent]) -> [Case] {
    var order: [String] = []
    var cases: [String: Case] = [:]
    let packages = Set(events.map(\.package))
    for event in events {
      guard let test = event.test else { continue }
      let key = packages.count > 1 ? "\(event.package).\(test)" : test
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
  /// follow a test; `Bail out!` ends the run as an error. The plan (`1..N`, first or last) must be
  /// there and met, as `prove` requires ("No plan found", "Bad plan"): a stream cut short is not a
  /// shorter run.
  static func tap(_ text: String) -> Results {
    var cases: [Case] = []
    var plan: Int?
    let planLine = /^1\.\.(\d+)\s*(?:#.*)?$/
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
      } else if let match = text.firstMatch(of: planLine) {
        plan = Int(match.1) ?? -1
      } else if text.hasPrefix("Bail out!") {
        cases.append(Case(name: "bail out", verdict: .error, duration: nil, output: text))
      } else if !cases.isEmpty, text.hasPrefix("#") || text.hasPrefix(" ") {
        cases[cases.count - 1].output += text + "\n"
      }
    }
    let ran = cases.filter { $0.name != "bail out" }.count
    var results = Results(cases: cases)
    if let plan, plan != ran {
      results.gaps.append("planned \(plan) tests, ran \(ran)")
    } else if plan == nil, !cases.contains(where: { $0.name == "bail out" }) {
      results.gaps.append("has no plan (1..N): a stream cut short cannot be told from a whole one")
    }
    return results
  }

  /// JUnit XML (Jenkins', GitLab's and ctest's form): each `testcase` with a `failure`, `error` or
  /// `skipped` child, its `time`, and its `system-out`/`system-err` and failure text as output.
  ///
  /// Every element opened must be closed (a file cut short by a tool that died is not a shorter
  /// run), and a `testsuite` or `testsuites` that states `tests="N"` must hold at least N testcases.
  static func junit(_ data: Data) throws(TestResultsError) -> Results {
    let reader = JUnitCases()
    // Foundation's XMLParser traps on bytes that are not UTF-8 in an element's name (Scripts/fuzz.sh
    // found it): such bytes are read as U+FFFD first. UTF-16, with its byte-order mark, is left as is.
    let utf16 = data.starts(with: [0xFF, 0xFE]) || data.starts(with: [0xFE, 0xFF])
    let readable =
      utf16 || String(validating: data, as: UTF8.self) != nil ? data : Data(String(decoding: data, as: UTF8.self).utf8)
    let parser = XMLParser(data: readable)
    parser.delegate = reader
    parser.shouldResolveExternalEntities = false
    guard parser.parse() else {
      throw TestResultsError(
        "not JUnit XML: \(parser.parserError.map { "\($0.localizedDescription)" } ?? "unreadable")")
    }
    var gaps = reader.gaps
    if !reader.open.isEmpty {
      let open = reader.open.map { "<\($0.element)\($0.name.map { " '\($0)'" } ?? "")>" }
      gaps.insert("is cut short: \(open.joined(separator: ", ")) never closed", at: 0)
    }
    return Results(cases: reader.cases, gaps: gaps)
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
  /// The elements open now: each one's name, its `name` attribute, the `tests` count it states and
  /// the testcase count when it opened.
  var open: [(element: String, name: String?, tests: Int?, casesBefore: Int)] = []
  /// Suites that hold fewer testcases than they state.
  var gaps: [String] = []
  private var current: TestResults.Case?
  private var text = ""

  func parser(
    _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
    attributes: [String: String] = [:]
  ) {
    open.append((name, attributes["name"], attributes["tests"].flatMap { Int($0) }, cases.count))
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
    if let opened = open.popLast(), ["testsuite", "testsuites"].contains(name), let stated = opened.tests {
      let held = cases.count + (current == nil ? 0 : 1) - opened.casesBefore
      if held < stated {
        let suite = opened.name.map { "the \(name) '\($0)'" } ?? "the \(name) element"
        gaps.append("\(suite) says tests=\"\(stated)\" but holds \(held)")
      }
    }
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
