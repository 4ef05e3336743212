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
    let cases = try TestResults.parse(Data(run.stdout.utf8), format: .goTestJSON)
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
    let cases = TestResults.tap(run.stdout)
    #expect(cases.map(\.name) == ["first", "second fails", "test 3", "a todo", "arithmetic"], "\(run.stdout)")
    #expect(cases.map(\.verdict) == [.passed, .failed, .skipped, .skipped, .failed])
    let merged = TestResults.tap(
      try await Command.run("sh", ["-c", "perl -e \"$0\" 2>&1", script]).stdout)
    #expect(merged[4].output.contains("got: '2'"), "\(merged[4])")
    // A `#` that starts no directive belongs to the description: the failure must not be lost.
    let hashed = TestResults.tap("ok 1 - fine\nnot ok 2 - issue #12 again\nok 3 # skip no disk\n")
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
    let cases = try TestResults.parse(
      try Data(contentsOf: URL(fileURLWithPath: folder + "/junit.xml")), format: .junit)
    let verdicts = Dictionary(uniqueKeysWithValues: cases.map { ($0.name, $0.verdict) })
    #expect(verdicts == ["test_ok": .passed, "test_fails": .failed, "test_skipped": .skipped, "test_error": .error])
    #expect(cases.first { $0.name == "test_fails" }?.output.contains("floats") == true)
    #expect(throws: TestResultsError.self) { try TestResults.parse(Data("not xml <".utf8), format: .junit) }
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
}
