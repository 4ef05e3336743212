import ArchwayKit
import ArchwayTestSupport
import Foundation
import Testing

/// `retries:`: a step that fails on its first attempt and passes on its second is `flaky` in every
/// report (never a plain pass), a step that fails every attempt fails saying so, and `diff` says
/// whether a step was flaky before.
@Suite struct FlakyCLITests {
  /// A run step that fails until it has run `passFrom` times in this cell (counted in a file).
  static func matrix(passFrom: Int, retries: Int?) -> String {
    """
    matrix:
      platform: [linux/amd64, linux/arm64]
    build:
      argv: [sh, -c, "rm -f ${cell.out}/attempts"]
    run:
      - name: shaky
        shell: sh
        script: |
          echo x >> "${cell.out}/attempts"
          [ "$(wc -l < "${cell.out}/attempts")" -ge \(passFrom) ]
    \(retries.map { "    retries: \($0)" } ?? "")
    """
  }

  static func run(_ text: String, in folder: String, name: String) async throws -> CommandResult {
    try text.write(toFile: "\(folder)/\(name).yml", atomically: true, encoding: .utf8)
    return try await Command.run(
      Fixtures.archway, ["run", "\(folder)/\(name).yml", "--out", "\(folder)/\(name)"],
      environment: Fixtures.childEnvironment, workingDirectory: Fixtures.root)
  }

  @Test func aStepThatPassesOnARetryIsFlakyEverywhere() async throws {
    let folder = Fixtures.scratch("flaky")
    let steady = try await Self.run(Self.matrix(passFrom: 1, retries: 2), in: folder, name: "steady")
    #expect(steady.status == 0, "\(steady.stderr)")
    let shaky = try await Self.run(Self.matrix(passFrom: 2, retries: 2), in: folder, name: "shaky")
    #expect(shaky.status == 0, "flaky is no failure: \(shaky.stderr)")
    #expect(shaky.stderr.contains("2 cells: 2 flaky;"), "\(shaky.stderr)")
    #expect(shaky.stderr.contains("shaky: exit: exit 0 on attempt 2, after exit 1"), "\(shaky.stderr)")
    for arch in ["amd64", "arm64"] {
      let attempts = try String(contentsOfFile: "\(folder)/shaky/linux-\(arch)-gnu/attempts", encoding: .utf8)
      #expect(attempts == "x\nx\n", "two attempts, not three: \(arch)")
    }
    let report = try Reports.read(folder + "/shaky/report.json")
    #expect(report.cells.allSatisfy { $0.verdict == .flaky }, "\(report.cells.map(\.verdict))")
    #expect(report.cells.first?.steps.last?.failedAttempts == [.exited(1)])
    let summary = try String(contentsOfFile: folder + "/shaky/summary.md", encoding: .utf8)
    #expect(summary.contains("| linux/amd64 | 🔁 |"), "\(summary)")
    // JUnit: a pass to its consumers, saying FLAKY in its output.
    let suites = try await Reports.junit(folder + "/shaky/junit.xml")
    let cases = try #require(suites["linux-arm64-gnu"]?["cases"] as? [String: [String]])
    #expect(cases["passed"]?.contains("shaky: exit") == true && cases["failure"] == [], "\(cases)")
    let xml = try String(contentsOfFile: folder + "/shaky/junit.xml", encoding: .utf8)
    #expect(xml.contains("<system-out>FLAKY: exit 0 on attempt 2, after exit 1</system-out>"))
    // diff says it was not flaky before, and as a note: a policy may fail on it.
    let diff = try await Command.run(
      Fixtures.archway, ["diff", "steady/report.json", "shaky/report.json", "--fail-on", "flaky"],
      workingDirectory: folder)
    #expect(diff.status == 1, "\(diff.stdout)")
    #expect(diff.stdout.contains("linux-amd64-gnu: shaky: exit; not flaky before (passed)"), "\(diff.stdout)")
  }

  @Test func aStepThatFailsEveryAttemptFailsSayingHowMany() async throws {
    let folder = Fixtures.scratch("flaky-broken")
    let broken = try await Self.run(Self.matrix(passFrom: 5, retries: 2), in: folder, name: "broken")
    #expect(broken.status == 1)
    #expect(broken.stderr.contains("shaky: exit: exit 1, expected 0 on each of 3 attempts"), "\(broken.stderr)")
    let none = try await Self.run(Self.matrix(passFrom: 2, retries: nil), in: folder, name: "none")
    #expect(none.status == 1, "without retries: no second attempt: \(none.stderr)")
    let bad = try await Self.run(Self.matrix(passFrom: 2, retries: 11), in: folder, name: "bad")
    #expect(bad.status == 2 && bad.stderr.contains("'retries' must be a whole number from 0 to 10, not '11'"))
  }
}
