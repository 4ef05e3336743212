// libFuzzer entry for the report reader: `archway report`, `diff`, `merge` and `--baseline` read a
// report.json that anything may have written (a shard of another machine, a cache, an attacker), so
// any bytes must give a Report or a ReportError, never a trap, a hang or a huge allocation. What
// reads is then used as the commands use it (JUnit, Markdown, HTML, SHA256SUMS, a diff against
// itself and against no cells, a merge, written back as JSON), so a trap anywhere past the reader
// is found too. The coverage-guided sibling of Tests/Hostile/ReportReaderTests.swift; built (with
// the whole kit) and run by Scripts/fuzz.sh report, not by swift test.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzReport(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  guard let data, size > 0 else { return 0 }
  // What ReportFiles.read hands it: the file's bytes, at most Report.largestFile of them.
  guard let report = try? Report.decode(Data(bytes: data, count: size), named: "report.json") else { return 0 }
  _ = JUnitReport.render(report)
  _ = MarkdownReport.render(report)
  _ = HTMLReport.render(report)
  _ = Checksums.render(report.checksums)
  _ = (report.summaryLine, report.exitStatus, report.counts)
  var none = report
  none.cells = []
  for diff in [
    ReportDiff(from: report, to: report), ReportDiff(from: none, to: report), ReportDiff(from: report, to: none),
  ] {
    _ = (diff.text, diff.markdown)
  }
  // `archway merge` of this one report writes what it read back out; that must read again.
  if let merged = try? Report.merge([(name: "shard/report.json", report: report)]) {
    let json = try? ReportWriter.render(.json, merged)
    precondition(json.flatMap { try? Report.decode($0, named: "merged.json") } != nil, "a merge reads back")
  }
  return 0
}
