import Foundation

/// The checks across cells: a run step whose `expect.reference` names another cell must print what
/// the same step printed there (both normalized), for instance every emulated build the same as the
/// native one; a cell with `verify: same_as` must have built the other cell's bytes.
public enum ReferenceChecks {
  /// Replaces the `reference` checks of every cell in `report` and updates their verdicts. Run once
  /// all cells have ended, and again after a merge brings the reference cells of other shards in.
  public static func apply(to report: inout Report) {
    let indexByID = Dictionary(report.cells.enumerated().map { ($1.id, $0) }) { first, _ in first }
    // Each log is read only from inside its own cell's folder, as the plan defines it.
    let folders = Dictionary(report.plan.cells.map { ($0.id, $0.out) }) { first, _ in first }
    for cell in report.plan.cells {
      guard let index = indexByID[cell.id] else { continue }
      if let other = cell.verify.sameAs, other != cell.id {
        report.cells[index].checks.removeAll { $0.name == "same-as" }
        report.cells[index].checks += sameAs(report.cells[index], other, in: report, indexByID: indexByID)
      }
      let references = cell.steps.run.compactMap { step in step.expect.outputs.map { (step.name, $0) } }
        .filter { $0.1.reference != nil }.sorted { $0.0 < $1.0 }
      guard !references.isEmpty else { continue }
      var record = report.cells[index]
      record.checks.removeAll { $0.name == "reference" }
      for (step, expectation) in references {
        guard let referenceID = expectation.reference, referenceID != cell.id else { continue }
        record.checks.append(
          check(
            step, of: record, against: referenceID, in: report, indexByID: indexByID, folders: folders,
            normalize: expectation.normalize))
      }
      report.cells[index] = record
    }
  }

  /// `verify: same_as`: each of `record`'s artifacts against the one of the same name in the cell
  /// `otherID`, byte for byte; a difference names the first ELF section that differs.
  static func sameAs(
    _ record: CellRecord, _ otherID: String, in report: Report, indexByID: [String: Int]
  ) -> [Check] {
    guard let other = indexByID[otherID].map({ report.cells[$0] }) else {
      return [Check("same-as", .skipped, "the cell \(otherID) is not in this report; merge the shards' reports")]
    }
    guard !record.artifacts.isEmpty else { return [Check("same-as", .skipped, "the build left no artifact")] }
    return record.artifacts.map { mine in
      guard let theirs = other.artifacts.first(where: { $0.name == mine.name }) else {
        return Check("same-as", subject: mine.name, .error, "\(otherID) has no artifact '\(mine.name)' to compare with")
      }
      // The verifier streamed both checksums: equal ones need no second read of the files.
      if let sum = mine.sha256, sum == theirs.sha256 {
        return Check(
          "same-as", subject: mine.name, .passed,
          "byte-identical to \(otherID)'s (sha256 \(sum.prefix(16))…, \(mine.size ?? 0) bytes)")
      }
      guard let a = try? Data(contentsOf: URL(fileURLWithPath: theirs.path)),
        let b = try? Data(contentsOf: URL(fileURLWithPath: mine.path)),
        let difference = BinaryDifference.locate(a, b)
      else {
        return Check("same-as", subject: mine.name, .error, "the artifacts cannot be read back to be compared")
      }
      return Check(
        "same-as", subject: mine.name, .failed, "differs from \(otherID)'s: \(difference)",
        details: "sha256 \(theirs.sha256 ?? "?") there, \(mine.sha256 ?? "?") here")
    }
  }

  static func check(
    _ step: String, of record: CellRecord, against referenceID: String, in report: Report,
    indexByID: [String: Int], folders: [String: String], normalize: Normalization
  ) -> Check {
    func result(_ verdict: Verdict, _ message: String) -> Check {
      Check("reference", subject: step, verdict, message)
    }
    guard let reference = indexByID[referenceID].map({ report.cells[$0] }) else {
      let all = report.plan.cells.map(\.id)
      if all.contains(referenceID) {
        return result(.skipped, "the reference cell \(referenceID) is not in this report; merge the shards' reports")
      }
      return result(.error, "no cell '\(referenceID)' in the matrix" + Suggestion.phrase(for: referenceID, among: all))
    }
    guard let mine = record.steps.first(where: { $0.id.role == .run && $0.name == step }), case .exited = mine.status
    else {
      return result(.skipped, "the step did not run to its end here")
    }
    guard let theirs = reference.steps.first(where: { $0.id.role == .run && $0.name == step }),
      case .exited = theirs.status
    else {
      return result(.error, "the step did not run to its end in the reference cell \(referenceID)")
    }
    guard let actual = folders[record.id].flatMap({ CellVerifier.bytes(of: mine, .stdout, in: $0) }),
      let expected = folders[referenceID].flatMap({ CellVerifier.bytes(of: theirs, .stdout, in: $0) })
    else {
      return result(.error, "the outputs cannot be read back from their logs")
    }
    return CellVerifier.compare(
      "reference", step, expected: expected, actual: actual, normalize: normalize, what: "\(referenceID)'s stdout",
      actualLabel: "\(record.id)'s stdout")
  }
}
