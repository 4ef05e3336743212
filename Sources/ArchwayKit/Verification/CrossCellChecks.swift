import Foundation

/// The checks across cells, made once every cell a cell is compared with has ended, and before the
/// cell is reported: a run step whose `expect.reference` names another cell must print what the same
/// step printed there (both normalized), a cell with `verify: same_as` must have built the other
/// cell's bytes, and each artifact is held to a baseline `SHA256SUMS` when one is given.
package enum CrossCellChecks {
  /// The kinds these checks make (a merge makes them again, now that every shard's cells are in).
  package static let kinds: Set<CheckKind> = [.sameAs, .reference]

  /// The other cells `cell` is compared with: its `same_as` cell and its steps' reference cells.
  package static func dependencies(of cell: Cell) -> Set<String> {
    var ids = Set(cell.steps.run.compactMap { $0.expect.outputs?.reference })
    if let other = cell.verify.sameAs { ids.insert(other) }
    ids.remove(cell.id)
    return ids
  }

  /// What the cross-cell checks compare a cell with.
  package struct Context: Sendable {
    /// The cells of this report, by id, as verified.
    package var cells: [String: VerifiedCell]
    /// Every cell's folder, by id, as the plan defines it: each log is read only from inside its
    /// own cell's folder.
    package var folders: [String: String]
    /// The ids of every cell of the matrix (those this report lacks are another shard's).
    package var planned: [String]

    /// A context of `cells`, in a plan of `definitions`.
    package init(cells: [VerifiedCell], definitions: [Cell]) {
      self.cells = Dictionary(cells.map { ($0.id, $0) }) { first, _ in first }
      folders = Dictionary(definitions.map { ($0.id, $0.out) }) { first, _ in first }
      planned = definitions.map(\.id)
    }
  }

  /// `cell`, defined by `definition`, with its cross-cell findings added: `same_as`, then each
  /// reference in step-name order, then, with `baseline` (path → SHA-256), each artifact against it.
  package static func apply(
    to cell: VerifiedCell, definition: Cell, in context: Context, baseline: [String: String]? = nil
  ) -> VerifiedCell {
    var findings: [Finding] = []
    if let other = definition.verify.sameAs, other != cell.id {
      findings += sameAs(cell, other, in: context)
    }
    let references = definition.steps.run.compactMap { step in step.expect.outputs.map { (step, $0) } }
      .filter { $0.1.reference != nil }.sorted { $0.0.name < $1.0.name }
    for (step, expectation) in references {
      guard let referenceID = expectation.reference, referenceID != cell.id else { continue }
      findings.append(
        reference(step.id, of: cell, against: referenceID, in: context, normalize: expectation.normalize))
    }
    if let baseline { findings += self.baseline(cell, baseline) }
    return cell.adding(findings)
  }

  /// `verify: same_as`: each of `cell`'s artifacts against the one of the same name in the cell
  /// `otherID`, byte for byte; a difference names the first ELF section that differs.
  static func sameAs(_ cell: VerifiedCell, _ otherID: String, in context: Context) -> [Finding] {
    guard let other = context.cells[otherID] else {
      return [Finding(.sameAs, .cell, .skipped, "the cell \(otherID) is not in this report; merge the shards' reports")]
    }
    guard !cell.artifacts.isEmpty else { return [Finding(.sameAs, .cell, .skipped, "the build left no artifact")] }
    return cell.artifacts.map { mine in
      let subject = Finding.Subject.artifact(mine.name)
      guard let theirs = other.artifacts.first(where: { $0.name == mine.name }) else {
        return Finding(.sameAs, subject, .error, "\(otherID) has no artifact '\(mine.name)' to compare with")
      }
      // The verifier streamed both checksums: equal ones need no second read of the files.
      if let sum = mine.sha256, sum == theirs.sha256 {
        return Finding(
          .sameAs, subject, .passed,
          "byte-identical to \(otherID)'s (sha256 \(sum.prefix(16))…, \(mine.size ?? 0) bytes)")
      }
      // Read only inside each cell's folder: a merged shard's report names the paths.
      guard let theirFolder = context.folders[otherID], let myFolder = context.folders[cell.id],
        case .file(let theirPath) = ArtifactFile.check(theirs.path, folder: theirFolder),
        case .file(let myPath) = ArtifactFile.check(mine.path, folder: myFolder),
        let a = try? Data(contentsOf: URL(fileURLWithPath: theirPath)),
        let b = try? Data(contentsOf: URL(fileURLWithPath: myPath)),
        let difference = BinaryDifference.locate(a, b)
      else {
        return Finding(.sameAs, subject, .error, "the artifacts cannot be read back to be compared")
      }
      return Finding(
        .sameAs, subject, .failed, "differs from \(otherID)'s: \(difference)",
        details: "sha256 \(theirs.sha256 ?? "?") there, \(mine.sha256 ?? "?") here")
    }
  }

  /// Run step `step`'s standard output in `cell` against the same step's in the cell `referenceID`.
  static func reference(
    _ step: StepID, of cell: VerifiedCell, against referenceID: String, in context: Context,
    normalize: Normalization
  ) -> Finding {
    func result(_ verdict: Verdict, _ message: String) -> Finding { Finding(.reference, .step(step), verdict, message) }
    guard let reference = context.cells[referenceID] else {
      if context.planned.contains(referenceID) {
        return result(.skipped, "the reference cell \(referenceID) is not in this report; merge the shards' reports")
      }
      return result(
        .error, "no cell '\(referenceID)' in the matrix" + Suggestion.phrase(for: referenceID, among: context.planned))
    }
    guard let mine = cell.execution.step(step), case .exited = mine.status else {
      return result(.skipped, "the step did not run to its end here")
    }
    guard let theirs = reference.execution.step(step), case .exited = theirs.status else {
      return result(.error, "the step did not run to its end in the reference cell \(referenceID)")
    }
    let (myFolder, theirFolder) = (context.folders[cell.id] ?? "", context.folders[referenceID] ?? "")
    guard let actual = OutputChecks.bytes(of: mine, .stdout, in: myFolder) else {
      return result(.error, OutputChecks.unreadable(mine, .stdout, in: myFolder))
    }
    guard let expected = OutputChecks.bytes(of: theirs, .stdout, in: theirFolder) else {
      return result(
        .error, "in the reference cell \(referenceID), " + OutputChecks.unreadable(theirs, .stdout, in: theirFolder))
    }
    return OutputChecks.compare(
      .reference, .step(step), expected: expected, actual: actual, normalize: normalize,
      what: "\(referenceID)'s stdout", actualLabel: "\(cell.id)'s stdout")
  }

  /// Each artifact of `cell` against `baseline` (path → SHA-256, paths as ``Checksums/relativePath(_:cell:)``
  /// names them): a changed one fails, a new one passes, and one the baseline has in this cell's
  /// folder that the run did not produce fails the cell.
  static func baseline(_ cell: VerifiedCell, _ baseline: [String: String]) -> [Finding] {
    var findings: [Finding] = []
    var produced = Set<String>()
    for artifact in cell.artifacts {
      guard let now = artifact.sha256 else { continue }
      let relative = Checksums.relativePath(artifact, cell: cell.id)
      produced.insert(relative)
      let subject = Finding.Subject.artifact(artifact.name)
      if let was = baseline[relative] {
        if was != now {
          findings.append(
            Finding(
              .baseline, subject, .failed, "changed since the baseline: \(was.prefix(16))… → \(now.prefix(16))…",
              details: relative))
        }
      } else {
        findings.append(Finding(.baseline, subject, .passed, "new since the baseline", details: relative))
      }
    }
    for path in baseline.keys.sorted() where path.hasPrefix(cell.id + "/") && !produced.contains(path) {
      findings.append(Finding(.baseline, .cell, .failed, "\(path) is in the baseline but this run did not produce it"))
    }
    return findings
  }
}
