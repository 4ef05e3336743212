import Foundation

/// Compares each artifact of a cell's first build with the same artifact of every rebuild
/// (``RebuildStep``): a mismatch names the artifact and, for ELF, the first section that differs.
enum ReproducibilityChecks {
  /// One `reproducible` finding per artifact; none when the cell does not ask for the check; one for
  /// the cell when a rebuild did not run or did not succeed.
  static func findings(_ execution: ExecutionRecord, artifacts: [ArtifactRecord], cell: Cell) -> [Finding] {
    guard let reproducible = cell.verify.reproducible, !artifacts.isEmpty else { return [] }
    let varied = reproducible.vary.map(\.rawValue).joined(separator: ", ")
    let rebuilds = cell.steps.rebuilds
    for rebuild in rebuilds {
      let name = rebuild.id.name
      guard let step = execution.step(rebuild.id) else {
        return [Finding(.reproducible, .cell, .skipped, "\(name) did not run (the cell stopped before it)")]
      }
      let ended = OutputChecks.ending(.reproducible, .cell, step, expected: 0)
      if ended.verdict != .passed {
        return [
          Finding(
            .reproducible, .cell, ended.verdict, "\(name) did not succeed: \(ended.message)", details: ended.details,
            lastWords: ended.lastWords)
        ]
      }
    }
    return artifacts.map { artifact in
      let subject = Finding.Subject.artifact(artifact.name)
      guard let first = FileManager.default.contents(atPath: artifact.path) else {
        return Finding(.reproducible, subject, .error, "cannot read \(artifact.path)")
      }
      for rebuild in rebuilds {
        let path = rebuild.artifacts[artifact.name] ?? artifact.path
        // A rebuild's artifact is held to what the first build's was: a regular file in its folder.
        let other: Data
        switch ArtifactFile.check(path, folder: rebuild.folder) {
        case .file(let resolved):
          guard let data = FileManager.default.contents(atPath: resolved) else {
            return Finding(.reproducible, subject, .error, "cannot read \(resolved)")
          }
          other = data
        case .missing:
          return Finding(.reproducible, subject, .failed, "\(rebuild.id.name) left no artifact at \(path)")
        case .refused(let why):
          return Finding(.reproducible, subject, .failed, "\(rebuild.id.name): \(why)")
        }
        if let difference = BinaryDifference.locate(first, other) {
          return Finding(
            .reproducible, subject, .failed, "build 1 and \(rebuild.id.name) differ: \(difference)",
            details: "varied: \(varied)\nbuild 1: \(artifact.path)\n\(rebuild.id.name): \(path)")
        }
      }
      return Finding(
        .reproducible, subject, .passed, "\(reproducible.builds) builds are identical (varied: \(varied))")
    }
  }
}
