import Foundation

/// Compares each artifact of a cell's first build with the same artifact of every rebuild
/// (``RebuildStep``): a mismatch names the artifact and, for ELF, the first section that differs.
public enum ReproducibilityCheck {
  /// One `reproducible` check per artifact; none when the cell does not ask for the check.
  /// `artifacts` are the build's declared paths (name → path as written, inside the cell's folder).
  static func checks(
    _ record: CellRecord, cell: Cell, spec: VerifyPolicy
  ) -> [Check] {
    guard let reproducible = spec.reproducible, !record.artifacts.isEmpty else { return [] }
    let varied = reproducible.vary.map(\.rawValue).joined(separator: ", ")
    let rebuilds = cell.steps.rebuilds
    var problem: Check?
    for rebuild in rebuilds {
      let name = rebuild.id.name
      guard let step = record.steps.first(where: { $0.id == rebuild.id }) else {
        problem = Check("reproducible", .skipped, "\(name) did not run (the cell stopped before it)")
        break
      }
      let ended = CellVerifier.stepCheck("reproducible", subject: nil, step, expected: 0)
      if ended.verdict != .passed {
        problem = Check(
          "reproducible", ended.verdict, "\(name) did not succeed: \(ended.message)", details: ended.details)
        break
      }
    }
    if let problem { return [problem] }
    return record.artifacts.map { artifact in
      guard let first = FileManager.default.contents(atPath: artifact.path) else {
        return Check("reproducible", subject: artifact.name, .error, "cannot read \(artifact.path)")
      }
      for rebuild in rebuilds {
        let path = rebuild.artifacts[artifact.name] ?? artifact.path
        // A rebuild's artifact is held to what the first build's was: a regular file in its folder.
        let other: Data
        switch ArtifactFile.check(path, folder: rebuild.folder) {
        case .file(let resolved):
          guard let data = FileManager.default.contents(atPath: resolved) else {
            return Check("reproducible", subject: artifact.name, .error, "cannot read \(resolved)")
          }
          other = data
        case .missing:
          return Check(
            "reproducible", subject: artifact.name, .failed, "rebuild-\(rebuild.number) left no artifact at \(path)")
        case .refused(let why):
          return Check("reproducible", subject: artifact.name, .failed, "rebuild-\(rebuild.number): \(why)")
        }
        if let difference = BinaryDifference.locate(first, other) {
          return Check(
            "reproducible", subject: artifact.name, .failed,
            "build 1 and rebuild-\(rebuild.number) differ: \(difference)",
            details: "varied: \(varied)\nbuild 1: \(artifact.path)\nrebuild-\(rebuild.number): \(path)")
        }
      }
      return Check(
        "reproducible", subject: artifact.name, .passed,
        "\(reproducible.builds) builds are identical (varied: \(varied))")
    }
  }
}
