import Foundation

/// What an earlier run offers this one (`run --reuse`, docs/reuse.md): each cell that passed, whose
/// steps each ran once, with the key its run made. A cell of this run whose key equals one of these
/// takes its run steps, rebuilds and their findings instead of running them again.
package struct ReuseOffers: Sendable {
  /// Cell id → the offer the executor compares keys with.
  package var offers: [String: ReuseOffer] = [:]
  /// Cell id → the earlier cell's findings, of which the verifier keeps what its steps showed.
  package var findings: [String: [Finding]] = [:]

  /// No offers.
  package init() {}

  /// The offers of `report`, read from `path`: its cells are found in the folder beside it
  /// (``ShardFolders``), never where its plan says they were; a cell it holds twice is not offered. A cell reused there names the run its
  /// steps (or its build) came from, which this one names again.
  package init(_ report: Report, at path: String) {
    let recorded = Dictionary(report.plan.cells.map { ($0.id, $0.out) }) { one, _ in one }
    // A report that holds a cell twice (made by hand: merge refuses it) offers neither.
    let counts = Dictionary(report.cells.map { ($0.id, 1) }, uniquingKeysWith: +)
    for earlier in report.cells where counts[earlier.id] == 1 {
      guard earlier.verdict == .passed, earlier.outcome == .passed, let key = earlier.execution.reuse?.key,
        earlier.steps.allSatisfy({ $0.failedAttempts == nil })
      else { continue }
      let folder = ShardFolders.cell(earlier.id, ofReportAt: path)
      let cell = earlier.moved(from: recorded[earlier.id], to: folder)
      let ran = ReusedFrom(report: path, started: report.started, duration: cell.duration)
      offers[cell.id] = ReuseOffer(
        key: key, steps: cell.steps.filter { [.run, .rebuild].contains($0.id.role) }, fingerprint: cell.fingerprint,
        folder: folder, from: cell.reusedFrom ?? ran,
        build: cell.steps.first { $0.id == .build }.map { ($0, cell.execution.reuse?.buildFrom ?? ran) })
      findings[cell.id] = cell.findings
    }
  }
}
