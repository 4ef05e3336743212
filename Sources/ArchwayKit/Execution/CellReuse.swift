import Foundation
import SystemPackage

/// What a run knows of reuse for one cell (`run --reuse`, docs/reuse.md): its key, and where its run
/// steps' outcomes were taken from, or why an earlier run's were not.
public struct CellReuse: Sendable, Hashable, Codable {
  /// The cell's key, made once its build left its artifacts.
  package var key: ReuseKey
  /// The earlier run whose run steps and rebuilds this cell carries; nil when they ran now.
  package var from: ReusedFrom?
  /// The earlier run whose build this cell took (its files copied into the cell's folder), when the
  /// build names its `inputs:` and they, and all else but what it makes, were the same; nil when
  /// it built now.
  package var buildFrom: ReusedFrom?
  /// Why the earlier run's build was not taken, for a build that names its `inputs:` (`input
  /// src/main.c changed`); nil when there was none to take, or it was taken.
  package var buildNotReused: String?
  /// Why the earlier run's cell of this id was not taken (`artifact app changed`); nil when there
  /// was none, or it was taken.
  package var notReused: String?

  enum CodingKeys: String, CodingKey {
    case key, from = "reused_from", buildFrom = "build_reused_from", notReused = "not_reused"
    case buildNotReused = "build_not_reused"
  }

  /// A cell's reuse with its key, nothing taken yet (but its build, when `buildFrom` says so).
  package init(
    key: ReuseKey, from: ReusedFrom? = nil, buildFrom: ReusedFrom? = nil, buildNotReused: String? = nil,
    notReused: String? = nil
  ) {
    self.key = key
    self.from = from
    self.buildFrom = buildFrom
    self.buildNotReused = buildNotReused
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
  /// The earlier cell's folder, where the logs its steps name are, and the files its build made.
  package var folder: String
  package var from: ReusedFrom
  /// Its build step, and the run that last ran it; nil when it had none.
  package var build: (step: StepOutcome, from: ReusedFrom)?

  /// An offer from its parts.
  package init(
    key: ReuseKey, steps: [StepOutcome], fingerprint: Fingerprint?, folder: String, from: ReusedFrom,
    build: (step: StepOutcome, from: ReusedFrom)? = nil
  ) {
    self.key = key
    self.steps = steps
    self.fingerprint = fingerprint
    self.folder = folder
    self.from = from
    self.build = build
  }

  /// The largest log copied into the cell's folder when the earlier cell's is elsewhere.
  static let largestLog = 64 << 20

  /// Why an offer's steps cannot be taken: a log they name is not a file in the earlier cell's folder
  /// (a merged report's cells are in its shards' folders), or cannot be brought into this one.
  struct MissingLog: Error, CustomStringConvertible {
    var path: String
    var why: String
    var description: String { "the earlier run's log \(path) \(why)" }
  }

  /// The offered steps with their logs in `out`, the cell's folder: each log a regular file inside
  /// ``folder``, copied into `out` when the earlier run was in another folder (written anew, at most
  /// ``largestLog`` bytes, only where its folder resolves inside `out`, never through a link or into
  /// a device at its path: ``ProcessSupervisor/freshFile(_:)``). Fails when a log is not
  /// there: the checks that read logs (a reference) would then read none.
  func steps(in out: String) -> Result<[StepOutcome], MissingLog> { Self.steps(steps, of: folder, in: out) }

  /// `steps`, whose logs are in `folder`, with their logs in `out` (``steps(in:)``).
  static func steps(_ steps: [StepOutcome], of folder: String, in out: String) -> Result<[StepOutcome], MissingLog> {
    func taken(_ path: String?) throws(MissingLog) -> String? {
      guard let path else { return nil }
      guard path.hasPrefix(folder + "/"), case .file(let source) = ArtifactFile.check(path, folder: folder) else {
        throw MissingLog(path: path, why: "is not a file in its cell's folder \(folder)")
      }
      guard folder != out else { return path }
      let destination = out + path.dropFirst(folder.count)
      // Into the cell's own log folders (made before its build), never through a link its build left.
      let parent = URL(fileURLWithPath: destination).deletingLastPathComponent()
      let realOut = URL(fileURLWithPath: out).resolvingSymlinksInPath().path
      guard PathText.isInside(parent.resolvingSymlinksInPath().path, folder: realOut) else {
        throw MissingLog(path: path, why: "would be copied through a link out of \(out)")
      }
      do {
        let contents = try RegularFile.contents(atPath: source, limit: Self.largestLog)
        // A new file, or an emptied one of ours: never through a link or into a device left there.
        let log = try ProcessSupervisor.freshFile(destination)
        defer { try? log.close() }
        _ = try log.writeAll(contents)
      } catch {
        throw MissingLog(path: path, why: "cannot be copied to \(destination): \(error)")
      }
      return destination
    }
    var moved: [StepOutcome] = []
    for var step in steps {
      do throws(MissingLog) {
        step.process.stdoutLog = try taken(step.process.stdoutLog)
        step.process.stderrLog = try taken(step.process.stderrLog)
      } catch {
        return .failure(error)
      }
      moved.append(step)
    }
    return .success(moved)
  }
}
