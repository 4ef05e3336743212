import ArchwayKit
import ArgumentParser

struct ReportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract: "Render a JSON report again as JUnit XML, Markdown, HTML or SHA256SUMS.",
    discussion: """
      Reads a report written by `archway run` or `archway merge` (report.json) and writes the \
      renderings asked for; without any option it prints the Markdown summary. Exits with the \
      report's own code (0 passed, 1 a check failed, 3 nothing could be checked, 130 interrupted).

      Examples:
        archway report archway-out/report.json --junit junit.xml --html report.html
        archway report merged/report.json >> "$GITHUB_STEP_SUMMARY"
      """
  )

  @Argument(help: "The JSON report.")
  var report: String

  @Option(help: "Write the JUnit XML to FILE.")
  var junit: String?

  @Option(help: "Write the Markdown summary to FILE.")
  var markdown: String?

  @Option(help: "Write the HTML report to FILE.")
  var html: String?

  @Option(help: "Write SHA256SUMS to FILE (paths CELL/ARTIFACT, as in the run's output folder).")
  var sha256sums: String?

  func run() throws {
    let loaded = try ReportFiles.read(report)
    let extra: [(ReportWriter.Kind, String?)] = [
      (.junit, junit), (.markdown, markdown), (.html, html), (.sha256sums, sha256sums),
    ]
    if extra.allSatisfy({ $0.1 == nil }) {
      Output.write(MarkdownReport.render(loaded))
    } else {
      for failure in ReportWriter.write(loaded, extra.compactMap { kind, path in path.map { (kind, $0) } }) {
        throw CommandFailure(message: "cannot write \(failure.path): \(failure.reason)")
      }
    }
    if loaded.exitStatus != 0 { throw ExitCode(loaded.exitStatus) }
  }
}
