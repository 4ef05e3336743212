import ArchwayKit
import ArchwayTestSupport
import Foundation
import Testing

/// On GitHub Actions every log line that starts with `::` (after blanks) is a workflow command, and
/// `##[` anywhere an old-style one. What a project writes (its test names, its step names, its
/// messages) must never become one: only Archway's own groups and annotations are commands.
@Suite struct WorkflowCommandCLITests {
  /// A step named as a command, whose JUnit results name tests with newlines and commands in them
  /// (a step name with a newline is refused at plan time: `MatrixMessageTests`).
  static let matrix = """
    matrix:
      platform: [linux/amd64]
    run:
      - name: "::add-mask::hidden-by-the-name"
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

  /// verify's lines name files: a file named with a newline and a command stays one line of text.
  @Test func aFileNameNeverBecomesACommand() async throws {
    let folder = Fixtures.scratch("command-file-name")
    let name = folder + "/x\n::error title=forged::by a file name"
    try FileManager.default.copyItem(atPath: Fixtures.named("c-gcc-linux-arm64").path, toPath: name)
    var github = Fixtures.childEnvironment
    github["GITHUB_ACTIONS"] = "true"
    let verify = try await Command.run(
      Fixtures.archway, ["verify", name, "--target", "linux/amd64"], environment: github)
    #expect(verify.status == 1, "\(verify.stderr)")
    for line in verify.stdout.split(separator: "\n") {
      #expect(!line.drop { $0 == " " }.hasPrefix("::"), "a command from a file name: \(line)")
    }
  }

  /// A thousand failing tests make a bounded number of annotations (GitHub shows 10 a step), and
  /// one more that says how many were left out.
  @Test func annotationsAreCappedWithACount() async throws {
    let folder = Fixtures.scratch("many-annotations")
    try """
    matrix:
      platform: [linux/amd64]
    run:
      - name: many
        argv: [sh, -c, 'echo 1..1000; i=0; while [ $i -lt 1000 ]; do i=$((i+1)); echo "not ok $i - t$i"; done']
        tests: {format: tap}
    """.write(toFile: folder + "/m.yml", atomically: true, encoding: .utf8)
    var github = Fixtures.childEnvironment
    github["GITHUB_ACTIONS"] = "true"
    let run = try await Command.run(
      Fixtures.archway, ["run", folder + "/m.yml", "--out", folder + "/out"], environment: github)
    #expect(run.status == 1, "\(run.stderr)")
    let annotations = run.stdout.split(separator: "\n").filter { $0.hasPrefix("::error") || $0.hasPrefix("::warning") }
    #expect(annotations.count == MarkdownReport.annotationLimit + 1, "\(annotations.count)")
    #expect(
      annotations.last?.contains("\(1000 - MarkdownReport.annotationLimit) more failed checks") == true,
      "\(annotations.last ?? "")")
  }

  /// `$GITHUB_STEP_SUMMARY` that cannot take the summary (a full disk, a FIFO no one reads) is an
  /// error that names it, never a crash or a hang; the run's reports are still written.
  @Test(arguments: ["/dev/full", "fifo"])
  func aSummaryThatCannotBeWrittenIsAnError(_ summary: String) async throws {
    let folder = Fixtures.scratch("step-summary-\(summary == "fifo" ? "fifo" : "full")")
    try "matrix:\n  platform: [linux/amd64]\nrun:\n  - argv: [\"true\"]\n".write(
      toFile: folder + "/m.yml", atomically: true, encoding: .utf8)
    var path = summary
    if summary == "fifo" {
      path = folder + "/summary.fifo"
      #expect(mkfifo(path, 0o600) == 0)
    }
    var github = Fixtures.childEnvironment
    github["GITHUB_ACTIONS"] = "true"
    github["GITHUB_STEP_SUMMARY"] = path
    let run = try await Command.run(
      "timeout", ["-k", "5", "60", Fixtures.archway, "run", folder + "/m.yml", "--out", folder + "/out"],
      environment: github)
    #expect(run.status == 2, "a passing run whose summary was not written: \(run.status) \(run.stderr)")
    #expect(run.stderr.contains("cannot write \(path)"), "\(run.stderr)")
    #expect(FileManager.default.fileExists(atPath: folder + "/out/report.json"))
  }
}
