import Foundation

extension VerifiedCell {
  /// This cell with its artifacts hashed again when the run ends, so that what `SHA256SUMS` lists is
  /// what is on disk then: a step's process that escaped its group (or another cell's step) may
  /// have written to an artifact after its checks were made. A changed or vanished artifact is a
  /// failed `sha256` check, and its record holds what is there now. `folder` is the cell's own,
  /// outside which nothing is read.
  package func rehashed(in folder: String) -> VerifiedCell {
    var changed: [Finding] = []
    let artifacts = self.artifacts.map { artifact -> ArtifactRecord in
      guard let checked = artifact.sha256 else { return artifact }
      var now = artifact
      if case .file(let path) = ArtifactFile.check(artifact.path, folder: folder) {
        (now.size, now.sha256) = FileDigest.measure(path)
      } else {
        (now.size, now.sha256) = (nil, nil)
      }
      guard now.sha256 != checked else { return artifact }
      let message =
        now.sha256.map { sum in
          "changed after it was verified: sha256 \(checked.prefix(16))… when checked, \(sum.prefix(16))… when the"
            + " run ended; a process outlived its step (or another cell's step) and wrote to it"
        } ?? "is gone or cannot be read since it was verified (sha256 \(checked.prefix(16))… then)"
      changed.append(Finding(.sha256, .artifact(artifact.name), .failed, message, details: now.sha256))
      return now
    }
    guard !changed.isEmpty else { return self }
    return VerifiedCell(execution: execution, artifacts: artifacts, findings: findings + changed)
  }
}
