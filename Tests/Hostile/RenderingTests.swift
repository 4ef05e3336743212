import ArchwayTestSupport
import Foundation
import Testing
import Yams

@testable import ArchwayKit

/// Issue 13, item 6: what a hostile program prints, or a hostile folder name, must not change what
/// a summary or a generated CI job does.
@Suite struct RenderingTests {
  static func report(details: String, message: String) -> Report {
    let target = CellTarget(platform: Platform(os: "linux", arch: "amd64"), libc: .gnu(nil))
    let cell = VerifiedCell(
      execution: ExecutionRecord(
        id: "linux-amd64-gnu", target: target, env: nil, runner: RunnerRecord(kind: .native, reason: "the host"),
        outcome: .failed),
      artifacts: [], findings: [Finding(.stdout, .step(.run("greet")), .failed, message, details: details)])
    let planned = Cell(id: cell.id, values: [], target: target, env: nil, out: "o")
    return Report(
      plan: .init(matrix: "m.yml", matrixBytes: Data(), filter: nil, shard: nil, planned: [planned], all: [planned]),
      hosts: [], started: "2026-12-01T00:00:00Z", finished: "2026-12-01T00:00:01Z", interrupted: false, cells: [cell])
  }

  @Test func programOutputCannotEscapeTheSummarysFenceOrReachTheTerminal() async throws {
    let hostile =
      "```\n~~~~\n````\n## Injected heading\n[link](https://example.invalid)\n\u{1B}[31mred\u{1B}[0m\u{0}\u{7}end"
    let markdown = MarkdownReport.render(Self.report(details: hostile, message: "[click](https://x.invalid) \u{1B}[2J"))
    #expect(!markdown.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" && $0 != "\t" }, "no control bytes")
    #expect(!markdown.contains("\u{1B}"))
    // CommonMark's rule: a fence closes only on a line of at least as many backticks.
    let lines = markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let open = try #require(lines.firstIndex { $0.trimmingCharacters(in: .whitespaces).hasPrefix("`````") })
    let fence = lines[open].trimmingCharacters(in: .whitespaces)
    #expect(fence == "`````", "one backtick more than the longest run in the output (4)")
    let close = try #require(lines[(open + 1)...].firstIndex { $0.trimmingCharacters(in: .whitespaces) == fence })
    #expect(lines[(open + 1)..<close].contains { $0.contains("## Injected heading") }, "the heading stays inside")
    #expect(!lines[(open + 1)..<close].contains { $0.trimmingCharacters(in: .whitespaces).hasPrefix(fence) })
    #expect(markdown.contains("\\[click\\](https://x.invalid)"), "no link from a message")
    let html = try await Command.run("python3", ["-c", Self.renderer, markdown])
    #expect(html.status == 0, "\(html.stderr)")
    #expect(html.stdout.contains("Injected heading") && !html.stdout.contains("<h2>Injected"), "\(html.stdout)")
    #expect(!html.stdout.contains("<a href=\"https://"), "\(html.stdout)")
  }

  /// Python-Markdown with fenced code (Scripts/setup-host.sh installs it): an independent renderer.
  static let renderer = """
    import sys, markdown
    print(markdown.markdown(sys.argv[1], extensions=["fenced_code", "tables"]))
    """

  @Test func aShellyFolderNameNeverReachesAShellStep() throws {
    let yaml = "matrix:\n  platform: [linux/amd64]\nbuild:\n  shell: bash\n  script: echo ${cell.out}\n"
    let file = try MatrixFile.parse(yaml: yaml, file: "/nowhere/m.yml")
    for out in ["/tmp/a$(touch /tmp/pwned)", "/tmp/a`id`", "/tmp/a\"b", "/tmp/a\\b"] {
      #expect(throws: MatrixError.self, "\(out)") {
        try Planner(host: Platform(os: "linux", arch: "amd64"), outputRoot: out, directory: "/nowhere").plan(file)
      }
    }
    let plain = try Planner(host: Platform(os: "linux", arch: "amd64"), outputRoot: "/tmp/a b", directory: "/").plan(
      file)
    #expect(plain.count == 1)
  }

  /// The generated GitLab job quotes the matrix path as one shell word inside a YAML string.
  @Test func theGitLabJobQuotesTheMatrixPath() async throws {
    let file = try MatrixFile.parse(yaml: "matrix:\n  platform: [linux/amd64]\n", file: "/nowhere/m.yml")
    let cells = try Planner(host: Platform(os: "linux", arch: "amd64"), directory: "/nowhere").plan(file)
    let path = "ci/$(touch pwned)/it's: #x.yml"
    let yaml = CIFanOut.gitlab(cells, matrixPath: path)
    let parsed = try #require(try Yams.load(yaml: yaml) as? [String: Any])
    let script = try #require(((parsed["archway"] as? [String: Any])?["script"] as? [String])?.first)
    let words = try await Command.run(
      "python3", ["-c", "import shlex,sys; print(shlex.split(sys.argv[1])[2])", script])
    #expect(words.stdout.trimmingCharacters(in: .newlines) == path, "\(script)")
    let echoed = try await Command.run(
      "bash", ["-c", "set -- " + script.dropFirst("archway run ".count) + "; printf %s \"$1\""])
    #expect(echoed.stdout == path)
    #expect(!FileManager.default.fileExists(atPath: "pwned"))
  }
}
