import Foundation

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// Per-test results from what a test tool writes: `go test -json` (test2json events), TAP, or JUnit
/// XML. Each test becomes a check of its own, so a report names which test failed on which target.
package enum TestResults {
  /// The most tests a record keeps one by one (failures first); the others are counted.
  package static let listedLimit = 10_000
  /// The most characters of a test's output a record keeps: its end, where a failure says why.
  package static let outputLimit = 4_096
  /// The longest test name a record keeps, in characters (the rest is cut, with `…`).
  package static let nameLimit = 1_000

  /// One test as the tool reported it.
  package struct Case: Sendable, Hashable, HasVerdict {
    /// The test's name (`TestHeader`, `TestA/sub`; a TAP test's description).
    package var name: String
    /// Passed, failed, or skipped; `error` for a test that never finished (its step was killed).
    package var verdict: Verdict
    /// Seconds, when the tool said.
    package var duration: Double?
    /// What the test printed, or the tool's diagnostics for it: its last ``outputLimit`` characters.
    package var output: String

    /// A test, its name cut at ``nameLimit`` characters and its output to its end.
    package init(name: String, verdict: Verdict, duration: Double?, output: String) {
      self.name = name.count > nameLimit ? name.prefix(nameLimit) + "…" : name
      self.verdict = verdict
      self.duration = duration
      self.output = appending(output, to: "")
    }

    /// `text` added to the output, of which the end is kept.
    mutating func append(output text: some StringProtocol) { output = appending(text, to: output) }
  }

  /// What a tool wrote: its tests, and what shows the record incomplete (a document cut short, a
  /// plan or a count not met, a package that never ended). Incomplete results are never a pass,
  /// whatever the tests they hold say.
  ///
  /// What a parser holds is bounded, however many tests a file reports: the tests kept one by
  /// one, at most ``listedLimit`` (every failure before any pass, in the record's order), and the
  /// rest counted by verdict.
  package struct Results: Sendable, Hashable {
    /// The tests kept one by one, in the order the record reports them.
    package var cases: [Case] = []
    /// What is missing, one sentence each; empty when the record is whole.
    package var gaps: [String] = []
    /// How many tests were read but not kept one by one, by verdict.
    package var unlisted: [Verdict: Int] = [:]

    /// Every test read, kept or counted.
    package var count: Int { cases.count + unlisted.values.reduce(0, +) }
  }

  /// The tests in `data` as `format` writes them, and what is missing from them. Throws a
  /// ``TestResultsError`` when the data is not that format at all.
  package static func parse(_ data: Data, format: TestResultsFormat) throws(TestResultsError) -> Results {
    switch format {
    case .goTestJSON: return goTestJSON(data)
    case .tap: return tap(data)
    case .junit: return try junit(data)
    case .automake: return automake(data)
    }
  }

  /// `text` after `kept`, of which the last ``outputLimit`` characters are kept. Cheap while the
  /// whole is short: its UTF-8 count bounds its characters.
  static func appending(_ text: some StringProtocol, to kept: String) -> String {
    let whole = kept + text
    return whole.utf8.count <= outputLimit ? whole : String(whole.suffix(outputLimit))
  }

  /// The tests of one record as they are read, each numbered by its place in the record: at most
  /// ``listedLimit`` kept (once the list is full, a failure takes the place of the latest passing
  /// test kept), the others counted by verdict.
  struct Collector<Test: HasVerdict> {
    private var kept: [Int: Test] = [:]
    /// The numbers of the passing (passed or skipped) tests kept, rising.
    private var keptPassing: [Int] = []
    private(set) var unlisted: [Verdict: Int] = [:]

    mutating func add(_ test: Test, number: Int) {
      let passing = [.passed, .skipped].contains(test.verdict)
      if kept.count >= listedLimit {
        guard !passing, let latest = keptPassing.popLast(), let evicted = kept.removeValue(forKey: latest) else {
          unlisted[test.verdict, default: 0] += 1
          return
        }
        unlisted[evicted.verdict, default: 0] += 1
      }
      kept[number] = test
      guard passing else { return }
      // Tests end out of order in go test's stream; in the others this appends.
      var place = keptPassing.endIndex
      while place > keptPassing.startIndex, keptPassing[place - 1] > number { place -= 1 }
      keptPassing.insert(number, at: place)
    }

    /// The tests kept, in the record's order.
    var tests: [Test] { kept.sorted { $0.key < $1.key }.map(\.value) }
  }

  /// Each line of `data` (without its `\n`), in turn, without splitting the whole into an array.
  private static func forEachLine(in data: Data, _ body: (Data) -> Void) {
    var start = data.startIndex
    while start < data.endIndex {
      let end = data[start...].firstIndex(of: UInt8(ascii: "\n")) ?? data.endIndex
      body(data[start..<end])
      start = end + 1
    }
  }

  /// One test of go test's stream, from its first event to its end.
  private struct GoTest: HasVerdict {
    var package: String
    var test: String
    var verdict = Verdict.error
    var duration: Double?
    var output = ""
  }

  /// test2json's events: `{"Action": "run|output|pass|fail|skip", "Package", "Test", "Elapsed", "Output"}`,
  /// one a line; lines that are not events are left out. A package's own `fail` (a build failure, a
  /// panic or `os.Exit` after its tests) that none of its tests explains is a failed case named by
  /// the package, with the package's output; a package whose tests ran but that never ended (no
  /// package `pass`, `fail` or `skip`) is a gap: the stream was cut short. Tests are named
  /// `package.Test` when more than one package ran. A test is held whole from its first event to its
  /// end, then only as the collector keeps it.
  static func goTestJSON(_ data: Data) -> Results {
    var running: [String: (number: Int, test: GoTest)] = [:]
    var collector = Collector<GoTest>()
    var numbers = 0
    var packages: [String] = []
    var ended: [String: (action: String, elapsed: Double?)] = [:]
    var output: [String: String] = [:]
    var buildOutput: [String: String] = [:]
    var failing = Set<String>()
    // The tests that have ended, by their key's hash: a few bytes each, however many there are.
    var finished = Set<Int>()
    func saw(_ package: String) {
      if output[package] == nil {
        packages.append(package)
        output[package] = ""
      }
    }
    forEachLine(in: data) { line in
      guard let object = try? JSONSerialization.jsonObject(with: line) as? [String: Any],
        let action = object["Action"] as? String
      else {
        // Before Go 1.24, a package that does not build is only a line of text among the events.
        if let match = String(decoding: line, as: UTF8.self).firstMatch(of: /^FAIL\t(\S+) \[(build|setup) failed\]/) {
          let package = String(match.1)
          saw(package)
          ended[package] = ("fail", nil)
          buildOutput[package] = appending("\(match.2) failed\n", to: buildOutput[package] ?? "")
        }
        return
      }
      // Go 1.24's build events name the package being built as ImportPath (`p [p.test]`).
      if let path = object["ImportPath"] as? String {
        if action == "build-output" {
          let package = String(path.prefix { $0 != " " })
          buildOutput[package] = appending(object["Output"] as? String ?? "", to: buildOutput[package] ?? "")
        }
        return  // `build-fail` too: the package's own `fail` follows it.
      }
      // `go tool test2json` over a test binary names no package.
      let package = object["Package"] as? String ?? ""
      saw(package)
      let text = object["Output"] as? String ?? ""
      let elapsed = object["Elapsed"] as? Double
      guard let test = object["Test"] as? String else {
        if action == "output" { output[package] = appending(text, to: output[package] ?? "") }
        if ["pass", "fail", "skip"].contains(action) { ended[package] = (action, elapsed) }
        return
      }
      let key = package + "\u{0}" + test
      // What follows a test's end (its output, a second verdict) changes nothing.
      guard !finished.contains(key.hashValue) else { return }
      var entry = running[key] ?? (numbers, GoTest(package: package, test: test))
      if running[key] == nil { numbers += 1 }
      switch action {
      case "output": entry.test.output = appending(text, to: entry.test.output)
      case "pass", "fail", "skip":
        entry.test.verdict = action == "pass" ? .passed : action == "fail" ? .failed : .skipped
        entry.test.duration = elapsed
        if action == "fail" { failing.insert(package) }
        running[key] = nil
        finished.insert(key.hashValue)
        collector.add(entry.test, number: entry.number)
        return
      default: break
      }
      running[key] = entry
    }
    // A test that never ended was cut short with its step.
    for (number, test) in running.values { collector.add(test, number: number) }
    let qualified = packages.count > 1
    var results = Results(
      cases: collector.tests.map { test in
        Case(
          name: qualified ? "\(test.package).\(test.test)" : test.test, verdict: test.verdict,
          duration: test.duration, output: test.output)
      }, unlisted: collector.unlisted)
    for package in packages {
      guard let end = ended[package] else {
        let what = package.isEmpty ? "the test binary" : "the package \(package)"
        results.gaps.append("\(what) never ended (no pass or fail of its own): the output was cut short")
        continue
      }
      guard end.action == "fail", !failing.contains(package) else { continue }
      let said = appending(output[package] ?? "", to: buildOutput[package] ?? "")
      results.cases.append(Case(name: package, verdict: .failed, duration: end.elapsed, output: said))
    }
    return results
  }

  /// TAP 12/13/14: `ok N - description`, `not ok N - description`, with `# SKIP` and `# TODO`
  /// directives (a failing TODO is no failure) and the diagnostics (`#` lines, a YAML block) that
  /// follow a test; `Bail out!` ends the run as an error. The plan (`1..N`, first or last) must be
  /// there and met, as `prove` requires ("No plan found", "Bad plan"): a stream cut short is not a
  /// shorter run.
  static func tap(_ data: Data) -> Results {
    var collector = Collector<Case>()
    var ran = 0
    var bailedOut = false
    var plan: Int?
    // The latest test, whose diagnostics may follow; handed to the collector at the next.
    var latest: Case?
    let planLine = /^1\.\.(\d+)\s*(?:#.*)?$/
    // A `#` that starts no directive is part of the description (`not ok 3 - issue #12`).
    let testLine = /^(not )?ok\b\s*(\d+)?\s*(?:-\s*)?(.*?)\s*(?:#\s*(SKIP|TODO)\b.*)?$/.ignoresCase()
    var handed = 0
    func hand(_ next: Case?) {
      if let latest { collector.add(latest, number: handed) }
      handed += 1
      latest = next
    }
    forEachLine(in: data) { raw in
      let text = String(decoding: raw, as: UTF8.self)
      if let match = text.firstMatch(of: testLine) {
        let number = match.2.map(String.init) ?? "\(ran + 1)"
        let name = match.3.isEmpty ? "test \(number)" : String(match.3)
        let directive = match.4?.uppercased()
        let verdict: Verdict =
          directive == "SKIP" ? .skipped : directive == "TODO" ? .skipped : match.1 == nil ? .passed : .failed
        hand(Case(name: name, verdict: verdict, duration: nil, output: ""))
        ran += 1
      } else if let match = text.firstMatch(of: planLine) {
        plan = Int(match.1) ?? -1
      } else if text.hasPrefix("Bail out!") {
        hand(Case(name: "bail out", verdict: .error, duration: nil, output: text))
        bailedOut = true
      } else if latest != nil, text.hasPrefix("#") || text.hasPrefix(" ") {
        latest!.append(output: text + "\n")
      }
    }
    hand(nil)
    var results = Results(cases: collector.tests, unlisted: collector.unlisted)
    if let plan, plan != ran {
      results.gaps.append("planned \(plan) tests, ran \(ran)")
    } else if plan == nil, !bailedOut {
      results.gaps.append("has no plan (1..N): a stream cut short cannot be told from a whole one")
    }
    return results
  }

  /// TAP given as text.
  static func tap(_ text: String) -> Results { tap(Data(text.utf8)) }

  /// What automake's parallel test harness prints during `make check`: a line per test result
  /// (`PASS: NAME`, `FAIL`, `XFAIL`, `XPASS`, `SKIP`, `ERROR`; its TAP driver prints one per TAP
  /// test, `PASS: NAME 3 - description`), and, for each folder of tests, a `Testsuite summary` whose
  /// `# TOTAL: N` the lines read must meet (a stream cut short, or results that are not this run's,
  /// never pass). An expected failure (`XFAIL`) passes; an unexpected pass (`XPASS`) and a hard
  /// error (`ERROR`, exit 99) fail, as automake counts them. With `VERBOSE=1` the harness prints
  /// `test-suite.log` after a failure: a section `FAIL: NAME` underlined with `=` per failed test,
  /// whose text becomes that test's output.
  static func automake(_ data: Data) -> Results {
    var collector = Collector<Case>()
    var read = 0
    var totals: [Int] = []
    // The failures whose log sections are kept: no more than the collector keeps.
    var failed = Set<String>()
    // A result line waits for the next line: underlined to its length, it heads a log section instead.
    var pending: (verdict: String, name: String, length: Int)?
    var section: String?
    var inSummary = false
    var sectionOutput: [String: String] = [:]
    let resultLine = /^(PASS|FAIL|XFAIL|XPASS|SKIP|ERROR): (.+?)\s*$/
    let total = /^# TOTAL: +(\d+)\s*$/
    func commit() {
      guard let (verdict, name, _) = pending else { return }
      pending = nil
      let (kind, note): (Verdict, String) =
        switch verdict {
        case "PASS": (.passed, "")
        case "XFAIL": (.passed, "an expected failure (XFAIL)\n")
        case "SKIP": (.skipped, "")
        case "XPASS": (.failed, "passed, but is marked to fail (XPASS)\n")
        case "ERROR": (.failed, "a hard error (ERROR: the test exited 99)\n")
        default: (.failed, "")
        }
      let test = Case(name: name, verdict: kind, duration: nil, output: note)
      if kind == .failed, failed.count < listedLimit { failed.insert(test.name) }
      collector.add(test, number: read)
      read += 1
    }
    forEachLine(in: data) { raw in
      // The harness colours its results on a terminal (AM_COLOR_TESTS=always elsewhere).
      let decoded = String(decoding: raw, as: UTF8.self)
      let text = raw.contains(0x1B) ? decoded.replacing(/\x1B\[[0-9;]*m/, with: "") : decoded
      if let waiting = pending {
        // A section's header is underlined to its length; the banners that follow the last
        // result are longer.
        if text.count == waiting.length, text.allSatisfy({ $0 == "=" }) {
          pending = nil
          section = waiting.name
          return
        }
        commit()
      }
      if let match = text.wholeMatch(of: resultLine) {
        pending = (String(match.1), String(match.2), text.count)
        section = nil
      } else if text.contains("Testsuite summary") {
        // test-suite.log's own header repeats the counts; only a summary's are counted.
        inSummary = true
        section = nil
      } else if inSummary, let match = text.wholeMatch(of: total) {
        totals.append(Int(match.1) ?? -1)
        inSummary = false
      } else if let section, failed.contains(section) {
        sectionOutput[section] = appending(text + "\n", to: sectionOutput[section] ?? "")
      }
    }
    commit()
    var results = Results(
      cases: collector.tests.map { test in
        guard failed.contains(test.name), let log = sectionOutput[test.name] else { return test }
        var said = test
        said.append(output: log)
        return said
      }, unlisted: collector.unlisted)
    if totals.isEmpty {
      results.gaps.append("has no Testsuite summary (# TOTAL: N): a stream cut short cannot be told from a whole one")
    } else if totals.reduce(0, +) != read {
      results.gaps.append("its summaries count \(totals.reduce(0, +)) tests, its result lines \(read)")
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
    return Results(cases: reader.collector.tests, gaps: gaps, unlisted: reader.collector.unlisted)
  }
}

/// What a ``TestResults/Collector`` sorts by: a test's verdict.
protocol HasVerdict {
  var verdict: Verdict { get }
}

/// Results that are not in the format the step said.
package struct TestResultsError: Error, Sendable, CustomStringConvertible {
  /// What is wrong.
  package let description: String
  init(_ description: String) { self.description = description }
}

/// The XMLParser delegate that collects JUnit testcases.
private final class JUnitCases: NSObject, XMLParserDelegate {
  var collector = TestResults.Collector<TestResults.Case>()
  /// How many testcases have closed.
  private var closed = 0
  /// The elements open now: each one's name, its `name` attribute, the `tests` count it states and
  /// the testcase count when it opened.
  var open: [(element: String, name: String?, tests: Int?, casesBefore: Int)] = []
  /// Suites that hold fewer testcases than they state.
  var gaps: [String] = []
  private var current: TestResults.Case?
  /// The text of the element open now: its last ``TestResults/outputLimit`` characters.
  private var text = ""

  func parser(
    _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
    attributes: [String: String] = [:]
  ) {
    open.append((name, attributes["name"], attributes["tests"].flatMap { Int($0) }, closed))
    switch name {
    case "testcase":
      let title = attributes["name"] ?? "test \(closed + 1)"
      current = TestResults.Case(
        name: title, verdict: .passed, duration: attributes["time"].flatMap(Double.init), output: "")
    case "failure": current?.verdict = .failed
    case "error": current?.verdict = .error
    case "skipped": if current?.verdict == .passed { current?.verdict = .skipped }
    default: break
    }
    if ["failure", "error", "skipped"].contains(name), let message = attributes["message"], !message.isEmpty {
      current?.append(output: message + "\n")
    }
    text = ""
  }

  func parser(_ parser: XMLParser, foundCharacters string: String) { text = TestResults.appending(string, to: text) }

  func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
    if let opened = open.popLast(), ["testsuite", "testsuites"].contains(name), let stated = opened.tests {
      let held = closed + (current == nil ? 0 : 1) - opened.casesBefore
      if held < stated {
        let suite = opened.name.map { "the \(name) '\($0)'" } ?? "the \(name) element"
        gaps.append("\(suite) says tests=\"\(stated)\" but holds \(held)")
      }
    }
    switch name {
    case "failure", "error", "skipped", "system-out", "system-err":
      let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
      if !trimmed.isEmpty { current?.append(output: trimmed + "\n") }
    case "testcase":
      if let current { collector.add(current, number: closed) }
      closed += 1
      current = nil
    default: break
    }
    text = ""
  }
}
