import ArchwayKit
import ArgumentParser

struct MergeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "merge",
    abstract: "Combine the reports of a sharded run into one report.",
    discussion: """
      Each shard (`archway run --shard I/N`) writes its own report.json; merge checks they are \
      shards of one plan (same matrix and filter), puts the cells in plan order, makes the \
      cross-cell checks again (a reference cell may have run in another shard) and reports every \
      planned cell no shard ran as an error. Writes OUT/report.json and its renderings.

      Each shard's cells are read from the folder its report.json sits in (the shard's --out), \
      wherever it was downloaded to; nothing a shard's report says about folders is trusted.

      Exit codes as for `archway run`; 2 when the reports are of different plans or unreadable.

      Examples:
        archway merge shard-*/report.json --out merged
      """
  )

  @Argument(help: "The shards' JSON reports.")
  var reports: [String]

  @Option(help: "The folder the merged report and its renderings are written to.")
  var out = "archway-out"

  func validate() throws {
    guard !reports.isEmpty else { throw ValidationError("name at least one report") }
  }

  func run() throws {
    let loaded = try reports.map { ($0, try ReportFiles.read($0)) }
    let merged = try Report.merge(loaded)
    let lock = try OutputLock(folder: out)
    defer { withExtendedLifetime(lock) {} }
    let written = ReportFiles.write(merged, out: out, extra: [])
    Output.error("\(merged.summaryLine); merged \(reports.count) reports; \(written.line(out: out))")
    let status = ReportFiles.exitStatus(merged, written: written)
    if status != 0 { throw ExitCode(status) }
  }
}
