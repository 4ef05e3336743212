import ArchwayTestSupport
import Foundation
import Testing

@testable import ArchwayKit

/// Per-test results are evidence: one that is incomplete is never a pass. Each case is a step that
/// exits 0 (as `go test -json ./... | tee f` does under `sh`, or a tool that died after its last
/// flush) and leaves results that stop short; the cell must not pass, and a finding says what is
/// missing.
@Suite(.timeLimit(.minutes(3))) struct IncompleteResultsTests {
  struct Case: Sendable, CustomStringConvertible {
    let name: String
    let format: String
    /// What the step writes to `results`.
    let results: String
    /// What the `tests` finding (or the failed test's) says.
    let says: String
    var description: String { name }
  }

  static let junitHead = """
    <?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" errors="0" failures="0" \
    skipped="0" tests="3"><testcase classname="t" name="test_a" time="0.001" />
    """

  static let cases: [Case] = [
    Case(
      name: "JUnit cut inside a testcase", format: "junit",
      results: junitHead + "<testcase classname=\"t\" name=\"test_b\" time=\"0.0", says: "is cut short"),
    Case(
      name: "JUnit cut between testcases", format: "junit", results: junitHead,
      says: "is cut short"),
    Case(
      name: "JUnit whose suite counts more tests than it holds", format: "junit",
      results: junitHead + "</testsuite></testsuites>",
      says: "the testsuite 'pytest' says tests=\"3\" but holds 1"),
    Case(
      name: "TAP whose plan is not met", format: "tap", results: "1..5\nok 1 - a\nok 2 - b\n",
      says: "planned 5 tests, ran 2"),
    Case(name: "TAP with no plan", format: "tap", results: "ok 1 - a\nok 2 - b\n", says: "has no plan (1..N)"),
    Case(
      name: "go test -json of a package that did not build", format: "go-test-json",
      results: """
        {"Action":"start","Package":"example.com/broken"}
        {"Action":"output","Package":"example.com/broken","Output":"FAIL\\texample.com/broken [build failed]\\n"}
        {"Action":"fail","Package":"example.com/broken","Elapsed":0}

        """,
      says: "failed"),
    Case(
      name: "go test -json of a package that failed after its tests passed", format: "go-test-json",
      results: """
        {"Action":"run","Package":"example.com/p","Test":"TestA"}
        {"Action":"pass","Package":"example.com/p","Test":"TestA","Elapsed":0}
        {"Action":"output","Package":"example.com/p","Output":"panic: after the tests\\n"}
        {"Action":"fail","Package":"example.com/p","Elapsed":0.01}

        """,
      says: "failed"),
    Case(
      name: "go test -json cut before its package ended", format: "go-test-json",
      results: """
        {"Action":"run","Package":"example.com/p","Test":"TestA"}
        {"Action":"pass","Package":"example.com/p","Test":"TestA","Elapsed":0}

        """,
      says: "never ended"),
    Case(
      name: "go tool test2json of a test binary cut before it ended", format: "go-test-json",
      results: """
        {"Action":"run","Test":"TestA"}
        {"Action":"pass","Test":"TestA","Elapsed":0}

        """,
      says: "the test binary never ended"),
  ]

  @Test(arguments: cases)
  func anIncompleteResultIsNeverAPass(_ test: Case) async throws {
    let folder = Fixtures.scratch("incomplete-\(abs(test.name.hashValue))")
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try test.results.write(toFile: folder + "/results.txt", atomically: true, encoding: .utf8)
    let records = try await FalseVerdictTests.verified(
      """
      matrix:
        x: [a]
      run:
        - name: unit
          argv: [cp, "\(folder)/results.txt", "${cell.out}/results.txt"]
          tests: {format: \(test.format), file: "${cell.out}/results.txt"}
      """, in: folder)
    let record = try #require(records.first)
    #expect(record.verdict != .passed, "\(record.findings.map { "\($0.kind) \($0.verdict) \($0.message)" })")
    let said = record.findings.filter { [.tests, .test].contains($0.kind) && $0.verdict != .passed }
    #expect(said.contains { $0.message.contains(test.says) }, "\(said.map(\.message))")
  }
}

/// An output too large to compare is named with its size and the limit, never as "cannot be read
/// back" (issue 33: 2 GiB of stdout said only that).
@Suite struct OversizedOutputTests {
  @Test func anOutputOverTheComparisonLimitSaysItsSize() async throws {
    let folder = Fixtures.scratch("oversized")
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let records = try await FalseVerdictTests.verified(
      """
      matrix:
        v: [a]
      run:
        - name: flood
          argv: [sh, -c, "head -c 20000000 /dev/zero | tr '\\\\0' x"]
          expect: {stdout_matches: "^x+$"}
      """, in: folder)
    let finding = try #require(records.first?.findings.first { $0.kind == .stdout })
    #expect(finding.verdict == .error)
    #expect(
      finding.message
        == "the step's stdout is 20,000,000 bytes (19.1 MiB), over the 16 MiB Archway compares; have the step write"
        + " it to a file and check that, or print less", "\(finding.message)")
  }
}
