import ArchwayTestSupport
import Foundation
import Testing

@testable import ArchwayKit

/// Per-test results read from what real test tools wrote: `go test -json`, Perl's Test::More (TAP)
/// and pytest's `--junitxml`, each producer's own count of failures the oracle.
@Suite struct TestResultsTests {
  static func folder(_ name: String) -> String { Fixtures.scratch("tests-" + name) }

  @Test func goTestJSONNamesEachTestAndItsVerdict() async throws {
    var environment = ProcessInfo.processInfo.environment
    environment["GOARCH"] = "s390x"
    environment["CGO_ENABLED"] = "0"
    let run = try await Command.run(
      "go", ["test", "-json", "-count=1", "-exec", "\(Fixtures.archway) exec --target linux/s390x --", "."],
      environment: environment, workingDirectory: Fixtures.root + "/Examples/gomod")
    #expect(run.status == 1, "\(run.stderr)")
    let results = try TestResults.parse(Data(run.stdout.utf8), format: .goTestJSON)
    #expect(results.gaps.isEmpty, "\(results.gaps)")
    let cases = results.cases
    #expect(cases.map(\.name) == ["TestRoundTrip", "TestPutIsLittleEndian", "TestHeaderMatchesPut"])
    #expect(cases.map(\.verdict) == [.passed, .passed, .failed])
    #expect(cases[2].output.contains("Header depends on the machine's byte order"))
    #expect(cases.allSatisfy { $0.duration != nil })
  }

  @Test func tapFromTestMoreWithSkipsTodosAndDiagnostics() async throws {
    let script = """
      use Test::More tests => 5;
      ok(1, 'first');
      ok(0, 'second fails');
      SKIP: { skip 'no network', 1; ok(1, 'skipped'); }
      TODO: { local $TODO = 'later'; ok(0, 'a todo'); }
      is(2, 3, 'arithmetic');
      """
    let run = try await Command.run("perl", ["-e", script])
    #expect(run.stderr.contains("Looks like you failed 2 tests of 5"), "the producer's own count: \(run.stderr)")
    // Test::More writes its diagnostics to stderr; a harness that merges them gets them per test.
    let cases = TestResults.tap(run.stdout).cases
    #expect(cases.map(\.name) == ["first", "second fails", "test 3", "a todo", "arithmetic"], "\(run.stdout)")
    #expect(cases.map(\.verdict) == [.passed, .failed, .skipped, .skipped, .failed])
    let merged = TestResults.tap(
      try await Command.run("sh", ["-c", "perl -e \"$0\" 2>&1", script]).stdout
    ).cases
    #expect(merged[4].output.contains("got: '2'"), "\(merged[4])")
    // A `#` that starts no directive belongs to the description: the failure must not be lost.
    let hashed = TestResults.tap("1..3\nok 1 - fine\nnot ok 2 - issue #12 again\nok 3 # skip no disk\n").cases
    #expect(hashed.map(\.name) == ["fine", "issue #12 again", "test 3"])
    #expect(hashed.map(\.verdict) == [.passed, .failed, .skipped])
  }

  @Test func junitFromPytest() async throws {
    let folder = Self.folder("pytest")
    try """
    import pytest
    def test_ok(): assert 1 + 1 == 2
    def test_fails(): assert 0.1 + 0.2 == 0.3, "floats"
    @pytest.mark.skip(reason="later")
    def test_skipped(): pass
    def test_error(bad_fixture): pass
    """.write(toFile: folder + "/test_sample.py", atomically: true, encoding: .utf8)
    let run = try await Command.run(
      "python3", ["-m", "pytest", "-q", "-p", "no:cacheprovider", "--junitxml", folder + "/junit.xml", folder])
    #expect(run.status == 1, "\(run.stdout)")
    let results = try TestResults.parse(
      try Data(contentsOf: URL(fileURLWithPath: folder + "/junit.xml")), format: .junit)
    #expect(results.gaps.isEmpty, "\(results.gaps)")
    let cases = results.cases
    let verdicts = Dictionary(uniqueKeysWithValues: cases.map { ($0.name, $0.verdict) })
    #expect(verdicts == ["test_ok": .passed, "test_fails": .failed, "test_skipped": .skipped, "test_error": .error])
    #expect(cases.first { $0.name == "test_fails" }?.output.contains("floats") == true)
    #expect(throws: TestResultsError.self) { try TestResults.parse(Data("not xml <".utf8), format: .junit) }
  }

  /// automake's parallel harness, run for real (`autoreconf`, `configure`, `make check VERBOSE=1`):
  /// each test's verdict agrees with the `.trs` file the harness wrote for it, a failed test's log
  /// is its output, and the stream without its summary, or cut before its last result, is incomplete.
  @Test func automakeMakeCheckAgreesWithItsTrsFiles() async throws {
    let folder = Self.folder("automake")
    try Files.write(
      [
        "configure.ac": "AC_INIT([demo], [1.0])\nAM_INIT_AUTOMAKE([foreign])\nAC_CONFIG_FILES([Makefile])\nAC_OUTPUT\n",
        "Makefile.am": """
        TESTS = pass.sh fail.sh skip.sh xfail.sh xpass.sh hard.sh
        XFAIL_TESTS = xfail.sh xpass.sh

        """,
        "pass.sh": "#!/bin/sh\nexit 0\n", "fail.sh": "#!/bin/sh\necho 'the checksum differs'\nexit 1\n",
        "skip.sh": "#!/bin/sh\nexit 77\n", "xfail.sh": "#!/bin/sh\nexit 1\n", "xpass.sh": "#!/bin/sh\nexit 0\n",
        "hard.sh": "#!/bin/sh\nexit 99\n",
      ], in: folder)
    for script in ["pass", "fail", "skip", "xfail", "xpass", "hard"] {
      try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: "\(folder)/\(script).sh")
    }
    let made = try await Command.run(
      "/bin/sh", ["-c", "autoreconf -fi && ./configure"], workingDirectory: folder)
    #expect(made.status == 0, "\(made.stderr)")
    let check = try await Command.run("make", ["check", "VERBOSE=1"], workingDirectory: folder)
    #expect(check.status != 0, "make check failed, as planted")
    let results = TestResults.automake(Data(check.stdout.utf8))
    #expect(results.gaps.isEmpty, "\(results.gaps)\n\(check.stdout)")
    // The oracle: the harness's own record of each test, `:test-result: VERDICT` in NAME.trs.
    var recorded: [String: Verdict] = [:]
    for script in ["pass", "fail", "skip", "xfail", "xpass", "hard"] {
      let trs = try String(contentsOfFile: "\(folder)/\(script).sh.trs", encoding: .utf8)
      let said = try #require(trs.firstMatch(of: /:test-result: (\w+)/)).1
      recorded[script + ".sh"] =
        ["PASS": .passed, "XFAIL": .passed, "SKIP": .skipped][String(said)] ?? Verdict.failed
    }
    #expect(Dictionary(uniqueKeysWithValues: results.cases.map { ($0.name, $0.verdict) }) == recorded)
    let failed = try #require(results.cases.first { $0.name == "fail.sh" })
    #expect(failed.output.contains("the checksum differs"), "its log: \(failed.output)")
    #expect(results.cases.first { $0.name == "hard.sh" }?.output.contains("ERROR") == true)
    // Cut short: no summary, or a summary that counts more tests than the lines read.
    let lines = check.stdout.split(separator: "\n", omittingEmptySubsequences: false)
    let beforeSummary = lines.prefix { !$0.contains("Testsuite summary") }.joined(separator: "\n")
    #expect(TestResults.automake(Data(beforeSummary.utf8)).gaps.count == 1)
    let withoutOne = lines.filter { !$0.hasPrefix("SKIP: skip.sh") }.joined(separator: "\n")
    #expect(
      TestResults.automake(Data(withoutOne.utf8)).gaps == ["its summaries count 6 tests, its result lines 5"])
  }

  @Test func testsBlocksAreCheckedAtPlanTime() throws {
    func plan(_ tests: String) -> String {
      let yaml = """
        matrix:
          x: [a]
        run:
          - name: unit
            argv: [true]
            tests: \(tests)

        """
      do {
        _ = try Planner(host: Platform(os: "linux", arch: "amd64"), directory: "/nowhere").plan(
          try MatrixFile.parse(yaml: yaml, file: "m.yml"))
        return "planned"
      } catch {
        return "\(error)"
      }
    }
    #expect(plan("{format: gotest-json}").contains("unknown test format 'gotest-json'"))
    #expect(plan("{format: gotest-json}").contains("did you mean 'go-test-json'?"))
    #expect(plan("{file: x.xml}").contains("'tests' needs a 'format'"))
    #expect(plan("{format: tap, files: x}").contains("unknown key 'files'"))
    #expect(plan("{format: junit, file: out/junit.xml}") == "planned")
  }

  /// A step's tests are listed one by one up to a bound, failures first, so a million results make a
  /// report Archway can read back; the rest are counted in one check that fails when any of them
  /// failed. Names are bounded too.
  @Test func aMillionTestsAreCountedNotListed() throws {
    let folder = Self.folder("many-tests")
    let count = 30_000
    var tap = "1..\(count + 2)\n"
    for index in 1...count { tap += "ok \(index) - case \(index)\n" }
    tap += "not ok \(count + 1) - late failure\n"
    tap += "not ok \(count + 2) - " + String(repeating: "n", count: 100_000) + "\n"
    try tap.write(toFile: folder + "/t.tap", atomically: true, encoding: .utf8)
    let step = StepOutcome(
      id: .setup("unit"), process: ProcessOutcome(argv: ["true"], status: .exited(0), duration: 0.1))
    let checks = OutputChecks.testFindings(TestResultsSpec(format: .tap, file: folder + "/t.tap"), of: step, in: folder)
    let limit = OutputChecks.listedTestsLimit
    #expect(checks.filter { $0.kind == .test }.count == limit)
    #expect(checks.contains { $0.kind == .test && $0.title.hasSuffix("late failure") && $0.verdict == .failed })
    #expect(checks.allSatisfy { $0.title.count < 1100 }, "a test's name is bounded")
    let rest = try #require(checks.first { $0.kind == .tests })
    #expect(rest.verdict == .passed, "the tests left out all passed: \(rest.message)")
    #expect(rest.message.contains("\(count + 2 - limit) more tests"), "\(rest.message)")
    // Failures beyond the bound are counted and fail the summary.
    var failing = "1..\(count)\n"
    for index in 1...count { failing += "not ok \(index) - case \(index)\n" }
    try failing.write(toFile: folder + "/f.tap", atomically: true, encoding: .utf8)
    let failed = OutputChecks.testFindings(TestResultsSpec(format: .tap, file: folder + "/f.tap"), of: step, in: folder)
    let counted = try #require(failed.first { $0.kind == .tests })
    #expect(counted.verdict == .failed && counted.message.contains("\(count - limit) failed"), "\(counted.message)")
  }

  /// Issue 33, items 2 and 11: the parsers held every test and all its output, so memory grew
  /// with the file (a million `ok N` lines cost 226 MB here, 7 million outgrew the machine) before
  /// the report bounded what it lists. What a parser keeps is bounded now: at most
  /// ``TestResults/listedLimit`` tests, failures first, in the record's order; the others counted
  /// by verdict; each test's output cut to its last ``TestResults/outputLimit`` characters.
  @Test func whatAParserKeepsIsBounded() throws {
    let limit = TestResults.listedLimit
    let count = limit * 3
    var tap = "1..\(count)\n"
    for index in 1...count { tap += index % 7 == 0 ? "not ok \(index) - t\(index)\n" : "ok \(index) - t\(index)\n" }
    let read = TestResults.tap(tap)
    #expect(read.gaps.isEmpty, "\(read.gaps)")
    #expect(read.cases.count == limit)
    #expect(read.cases.filter { $0.verdict == .failed }.count == count / 7, "every failure is kept")
    #expect(read.cases.map(\.name) == read.cases.map(\.name).sorted { Int($0.dropFirst())! < Int($1.dropFirst())! })
    #expect(read.cases.first?.name == "t1", "the passes kept are the first ones")
    #expect(read.unlisted == [.passed: count - limit], "\(read.unlisted)")

    // One test's output, however long, is kept by its end.
    let long = String(repeating: "x", count: 1_000_000) + "the end"
    let junit = try TestResults.parse(
      Data(
        "<testsuite tests=\"1\"><testcase name=\"a\"><failure/><system-out>\(long)</system-out></testcase></testsuite>"
          .utf8),
      format: .junit)
    #expect(junit.cases.count == 1 && junit.cases[0].output.count <= TestResults.outputLimit)
    #expect(junit.cases[0].output.hasSuffix("the end\n"), "\(junit.cases[0].output.suffix(20))")
    var events = #"{"Action":"run","Package":"p","Test":"TestA"}"# + "\n"
    for _ in 0..<2_000 {
      events +=
        #"{"Action":"output","Package":"p","Test":"TestA","Output":""# + String(repeating: "y", count: 500) + #"\n"}"#
        + "\n"
    }
    events +=
      #"{"Action":"output","Package":"p","Output":""# + String(repeating: "z", count: 1_000_000) + #"\n"}"# + "\n"
    events += #"{"Action":"fail","Package":"p","Test":"TestA"}"# + "\n"
    // What follows a test's end is no test of its own.
    events += #"{"Action":"output","Package":"p","Test":"TestA","Output":"late\n"}"# + "\n"
    events += #"{"Action":"fail","Package":"p"}"# + "\n"
    let go = try TestResults.parse(Data(events.utf8), format: .goTestJSON)
    #expect(
      go.cases.map(\.name) == ["TestA"] && go.cases[0].output.count <= TestResults.outputLimit,
      "\(go.cases.map(\.name))")
    #expect(go.cases.first?.verdict == .failed && go.gaps.isEmpty, "\(go.gaps)")
    // automake: three times the limit in failures, each with a section of test-suite.log, the kept
    // ones longer than a test's output may be (small otherwise: tests share a process's memory).
    var make = (1...count).map { "FAIL: t\($0)\n" }.joined() + "Testsuite summary for x 1\n# TOTAL: \(count)\n"
    for index in 1...count {
      let header = "FAIL: t\(index)"
      let long = index <= 20 ? 5_000 : 10
      make +=
        header + "\n" + String(repeating: "=", count: header.count) + "\n" + String(repeating: "w", count: long) + "\n"
    }
    let automake = try TestResults.parse(Data(make.utf8), format: .automake)
    #expect(automake.gaps.isEmpty && automake.cases.count == limit, "\(automake.gaps)")
    #expect(automake.unlisted == [.failed: count - limit])
    #expect(automake.cases.allSatisfy { $0.output.count <= TestResults.outputLimit && $0.output.hasSuffix("w\n") })
    #expect(automake.cases.first?.output.count == TestResults.outputLimit, "a long section is kept by its end")
  }

  /// Bytes that are not UTF-8 in a JUnit file's element names made Foundation's XMLParser trap
  /// (found by Scripts/fuzz.sh results): they are read as U+FFFD, never a crash.
  @Test func brokenUTF8InJUnitIsReadNotACrash() throws {
    var bytes = Array(#"<testsuites><testsuite name="s" tests="1"><testcase name="a"><skipped/></testcase>"#.utf8)
    bytes += [0x3C, 0x2F, 0x74, 0x65, 0x73, 0x74, 0x73, 0x75, 0x69, 0x74, 0xD5, 0x65, 0x3E]  // </testsuit\xD5e>
    bytes += Array("</testsui\u{74}es>".utf8)
    let crash = try Data(
      contentsOf: URL(fileURLWithPath: Fixtures.root + "/Tests/Fuzz/Findings/results-junit-invalid-utf8-name.xml"))
    for data in [Data(bytes), crash] {
      let results = try? TestResults.parse(data, format: .junit)
      #expect(results == nil || results!.cases.count <= 1)
    }
  }

  /// A step that said it writes results but wrote none is an error, never "no test failed".
  @Test func noResultsIsAnErrorNotAPass() {
    var step = StepOutcome(
      id: .setup("unit"), process: ProcessOutcome(argv: ["true"], status: .exited(0), duration: 0.1))
    step.stdoutHead = "all good\n"
    step.stdoutBytes = step.stdoutHead.utf8.count
    let checks = OutputChecks.testFindings(
      TestResultsSpec(format: .goTestJSON, file: nil), of: step, in: Self.folder("none"))
    #expect(checks.map(\.verdict) == [.error])
    #expect(checks.first?.message == "no test results in its stdout (go-test-json)")
    let missing = OutputChecks.testFindings(
      TestResultsSpec(format: .junit, file: "/nowhere/junit.xml"), of: step, in: Self.folder("none"))
    #expect(missing.first?.verdict == .error && missing.first?.message.contains("left no test results") == true)
  }

  /// Every cut of a real pytest JUnit file, from inside its first element to just before its last
  /// byte, is incomplete, unreadable or empty (no results is an error of its own): never a whole
  /// record of tests.
  @Test func everyCutOfARealJUnitFileIsIncomplete() async throws {
    let folder = Self.folder("pytest-cut")
    try """
    def test_ok(): assert True
    def test_fails(): assert 1 == 2, "no"
    def test_more(): assert True
    """.write(toFile: folder + "/test_cut.py", atomically: true, encoding: .utf8)
    let run = try await Command.run(
      "python3", ["-m", "pytest", "-q", "-p", "no:cacheprovider", "--junitxml", folder + "/junit.xml", folder])
    #expect(run.status == 1, "\(run.stdout)")
    let whole = Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/junit.xml")))
    let complete = try TestResults.parse(Data(whole), format: .junit)
    #expect(complete.gaps.isEmpty && complete.cases.count == 3, "\(complete)")
    let first = try #require(whole.firstIndex(of: UInt8(ascii: "<")))
    let body = try #require(whole.lastIndex(of: UInt8(ascii: ">")))
    var read = 0
    for cut in (first + 1)..<body {
      guard let results = try? TestResults.parse(Data(whole.prefix(cut)), format: .junit) else { continue }
      read += 1
      #expect(
        !results.gaps.isEmpty || results.cases.isEmpty,
        "cut at \(cut) of \(whole.count) reads as whole: \(results.cases.map(\.name))")
    }
    #expect(read > 0, "some cuts read (as incomplete)")
  }

  /// TAP streams judged as `prove` judges them: a stream passes exactly when prove passes it.
  @Test(arguments: [
    "1..3\nok 1\nok 2\nok 3\n", "ok 1\nok 2\n1..2\n", "1..5\nok 1\nok 2\n", "ok 1\nok 2\n", "1..2\nok 1\nnot ok 2\n",
    "1..0 # SKIP no tests here\n", "1..2\nok 1\nok 2\nok 3\n",
  ])
  func tapIsJudgedAsProveJudgesIt(_ stream: String) async throws {
    let folder = Self.folder("tap-\(abs(stream.hashValue))")
    let file = folder + "/stream.tap"
    try stream.write(toFile: file, atomically: true, encoding: .utf8)
    let prove = try await Command.run("prove", ["--exec", "cat", file])
    let results = TestResults.tap(stream)
    let passes = results.gaps.isEmpty && !results.cases.contains { $0.verdict == .failed || $0.verdict == .error }
    #expect(passes == (prove.status == 0), "prove: \(prove.stdout) ours: \(results)")
  }

  /// Real `go test -json` of packages that fail outside their tests: one that does not compile, and
  /// one whose TestMain panics after every test passed. Each is a failed case named by its package,
  /// with Go 1.19 (this host's) and Go 1.24 (whose build failures are events of their own).
  @Test func goPackagesThatFailOutsideTheirTestsFail() async throws {
    let folder = Self.folder("go-packages")
    try FileManager.default.createDirectory(atPath: folder + "/broken", withIntermediateDirectories: true)
    try FileManager.default.createDirectory(atPath: folder + "/late", withIntermediateDirectories: true)
    try "module example.com/m\n\ngo 1.19\n".write(toFile: folder + "/go.mod", atomically: true, encoding: .utf8)
    try "package broken\n\nfunc F() int { return \"no\" }\n".write(
      toFile: folder + "/broken/b.go", atomically: true, encoding: .utf8)
    try "package broken\n\nimport \"testing\"\n\nfunc TestF(t *testing.T) { F() }\n".write(
      toFile: folder + "/broken/b_test.go", atomically: true, encoding: .utf8)
    try """
    package late

    import "testing"

    func TestA(t *testing.T) {}

    func TestMain(m *testing.M) {
    \tm.Run()
    \tpanic("after the tests")
    }

    """.write(toFile: folder + "/late/l_test.go", atomically: true, encoding: .utf8)
    let go124 = Fixtures.root + "/.build-tools/go1.24/usr/lib/go-1.24/bin/go"
    for go in ["go", go124] where go == "go" || FileManager.default.isExecutableFile(atPath: go) {
      var environment = ProcessInfo.processInfo.environment
      environment["GOTOOLCHAIN"] = "local"
      environment["GOFLAGS"] = "-mod=mod"
      if go != "go" { environment["GOROOT"] = Fixtures.root + "/.build-tools/go1.24/usr/lib/go-1.24" }
      let run = try await Command.run(
        go, ["test", "-json", "-count=1", "./..."], environment: environment, workingDirectory: folder)
      #expect(run.status != 0, "\(run.stdout)")
      let results = try TestResults.parse(Data(run.stdout.utf8), format: .goTestJSON)
      let failed = results.cases.filter { $0.verdict == .failed }.map(\.name)
      #expect(failed.contains("example.com/m/broken") && failed.contains("example.com/m/late"), "\(go): \(results)")
      #expect(results.cases.first { $0.name == "example.com/m/late" }?.output.contains("after the tests") == true)
      #expect(results.gaps.isEmpty, "\(results.gaps)")
    }
  }
}
