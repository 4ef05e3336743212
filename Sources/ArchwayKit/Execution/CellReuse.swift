import Foundation

/// What a run knows of reuse for one cell (`run --reuse`, docs/reuse.md): its key, and where its run
/// steps' outcomes were taken from, or why an earlier run's were not.
public struct CellReuse: Sendable, Hashable, Codable {
  /// The cell's key, made once its build left its artifacts.
  package var key: ReuseKey
  /// The earlier run whose run steps and rebuilds this cell carries; nil when they ran now.
  package var from: ReusedFrom?
  /// Why the earlier run's cell of this id was not taken (`artifact app changed`); nil when there
  /// was none, or it was taken.
  package var notReused: String?

  enum CodingKeys: String, CodingKey { case key, from = "reused_from", notReused = "not_reused" }

  /// A cell's reuse with its key, nothing taken yet.
  package init(key: ReuseKey, from: ReusedFrom? = nil, notReused: String? = nil) {
    self.key = key
    self.from = from
    self.notReused = notReused
  }
}

/// The run a reused cell's steps come from: the one that ran them (a cell reused night after night
/// names the night its steps last ran).
public struct ReusedFrom: Sendable, Hashable, Codable {
  /// The report it was read from, as given to `--reuse`.
  package var report: String
  /// When that run started (ISO 8601).
  package var started: String
  /// How many seconds the cell took in that run.
  package var duration: Double
}

/// An earlier run's passed cell, offered to this run: its key, its run steps' and rebuilds'
/// outcomes, what its environment said of itself, where its logs are, and which run it was.
package struct ReuseOffer: Sendable {
  package var key: ReuseKey
  package var steps: [StepOutcome]
  package var fingerprint: Fingerprint?
  /// The earlier cell's folder, where the logs its steps name are.
  package var folder: String
  package var from: ReusedFrom

  /// An offer from its parts.
  package init(key: ReuseKey, steps: [StepOutcome], fingerprint: Fingerprint?, folder: String, from: ReusedFrom) {
    self.key = key
    self.steps = steps
    self.fingerprint = fingerprint
    self.folder = folder
    self.from = from
  }

  /// The largest log copied into the cell's folder when the earlier cell's is elsewhere; a larger one
  /// stays where the earlier run left it (a check that reads it from this cell's folder then says so).
  static let largestLog = 64 << 20

  /// The offered steps with their logs in `out`, the cell's folder: copied there from ``folder`` when
  /// the earlier run was in another (each read as a regular file inside it, written anew).
  func steps(in out: String) -> [StepOutcome] {
    guard folder != out else { return steps }
    func copied(_ path: String?) -> String? {
      guard let path, path.hasPrefix(folder + "/") else { return path }
      let destination = out + path.dropFirst(folder.count)
      guard case .file(let source) = ArtifactFile.check(path, folder: folder),
        let bytes = try? RegularFile.contents(atPath: source, limit: Self.largestLog),
        (try? AtomicFile.write(bytes, to: destination)) != nil
      else { return path }
      return destination
    }
    return steps.map { step in
      var step = step
      step.process.stdoutLog = copied(step.process.stdoutLog)
      step.process.stderrLog = copied(step.process.stderrLog)
      return step
    }
  }
}
