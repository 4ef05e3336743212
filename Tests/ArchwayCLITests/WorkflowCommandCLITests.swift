import ArchwayTestSupport
import Foundation
import Testing

/// On GitHub Actions every log line that starts with `::` (after blanks) is a workflow command, and
/// `##[` anywhere an old-style one. What a project writes (its test names, its step names, its
/// messages) must never become one: only Archway's own groups and annotations are commands.
@Suite struct WorkflowCommandCLITests {
  /// A step whose JUnit results name tests with newlines and commands in them.
  static let matrix = """
    matrix:
      platform: [linux/amd64]
    run:
      - name: "suite\\n::add-mask::hidden-by-the-name"
        argv:
          - sh
          - -c
          - >-
            printf '%s' '<testsuite tests="2"><testcase classname="c" name="one&#10;::stop-commands::pause">
            <failure message="bad&#10;::error title=forged::forged by a message"/></testcase>
            <testcase classname="c" name="two&#10;##[error]old style"><failure message="m"/></testcase>
            </testsuite>' > "${cell.out}/results.xml"
        tests: {format: junit, file: "${cell.out}/results.xml"}
    """

  static let ours = ["::group::", "::endgroup::", "::error title=", "::warning title="]

  @Test func projectTextNeverBecomesACommand() async throws {
    let folder = Fixtures.scratch("workflow-commands")
    try Self.matrix.write(toFile: folder + "/m.yml", atomically: true, encoding: .utf8)
    var github = Fixtures.childEnvironment
    github["GITHUB_ACTIONS"] = "true"
    let run = try await Command.run(
      Fixtures.archway, ["run", folder + "/m.yml", "--out", folder + "/out"], environment: github)
    #expect(run.status == 1, "\(run.stderr)")
    let lines = (run.stdout + run.stderr).split(separator: "\n", omittingEmptySubsequences: false)
    for line in lines {
      let trimmed = line.drop { $0 == " " || $0 == "\t" }
      if trimmed.hasPrefix("::") {
        #expect(Self.ours.contains { trimmed.hasPrefix($0) }, "a command Archway did not mean: \(line)")
      }
      #expect(!line.contains("##["), "an old-style command: \(line)")
    }
    // The project's words are still there, escaped: the annotation names the test.
    #expect(run.stdout.contains("one%0A%3A%3Astop-commands%3A%3Apause"), "\(run.stdout)")
    #expect(lines.contains { $0.hasPrefix("::group::") } && lines.contains { $0 == "::endgroup::" })
  }
}
