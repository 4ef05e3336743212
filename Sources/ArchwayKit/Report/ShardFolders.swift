import Foundation

/// Where `merge` finds a shard's cells: in the folder its report sits in, wherever the CI's
/// artifact download put it (`shards/archway-shard-1/report.json` → `shards/archway-shard-1/ID`).
/// The merging side decides this; a shard's report is data from a job the project under test ran
/// in, so nothing it says about folders widens what is read.
enum ShardFolders {
  /// The folder of the cell `id` of the report at `path`: the report's folder and the id.
  static func cell(_ id: String, ofReportAt path: String) -> String {
    let report = PathText.absolute(path, from: FileManager.default.currentDirectoryPath)
    return URL(fileURLWithPath: report).deletingLastPathComponent().appendingPathComponent(id).path
  }
}

extension VerifiedCell {
  /// This cell as found in `folder` rather than in `recorded`, the folder its report names: every
  /// log and artifact path under `recorded` is taken under `folder` instead. Any other path stays
  /// as written, outside `folder`, where the readers refuse it.
  func moved(from recorded: String?, to folder: String) -> VerifiedCell {
    guard let recorded, recorded != folder else { return self }
    func move(_ path: String?) -> String? {
      guard let path, path.hasPrefix(recorded + "/") else { return path }
      return folder + path.dropFirst(recorded.count)
    }
    func move(_ artifact: ArtifactRecord) -> ArtifactRecord {
      var artifact = artifact
      artifact.path = move(artifact.path) ?? artifact.path
      return artifact
    }
    let steps = execution.steps.map { step in
      var step = step
      step.process.stdoutLog = move(step.process.stdoutLog)
      step.process.stderrLog = move(step.process.stderrLog)
      return step
    }
    let e = execution
    let moved = ExecutionRecord(
      id: e.id, target: e.target, values: e.values, env: e.env, runner: e.runner, outcome: e.outcome,
      problems: e.problems, steps: steps, artifacts: e.artifacts.map(move), duration: e.duration,
      fingerprint: e.fingerprint, toolchains: e.toolchains, loaderRoot: e.loaderRoot, reuse: e.reuse)
    return VerifiedCell(execution: moved, artifacts: artifacts.map(move), findings: findings, verdict: verdict)
  }
}
