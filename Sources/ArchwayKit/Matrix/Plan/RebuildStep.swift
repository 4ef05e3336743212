/// A further build of a cell for the reproducibility check (`verify: reproducible:`): the build step
/// again, writing into `CELL/rebuild-N/` instead of the cell's folder, with the chosen parts of its
/// environment varied as reprotest varies them. The planner makes them; the executor runs them.
package struct RebuildStep: Sendable, Hashable {
  /// 2 for the second build, and so on.
  package let number: Int
  /// Where it writes: `CELL/rebuild-N`.
  package let folder: String
  /// The build's command with the cell's folder replaced by ``folder`` and its environment varied;
  /// under `faketime` for `time`, through `sh` setting the umask for `umask`.
  package let command: StepCommand
  /// Artifact name → where this build leaves it (the build's path, relocated).
  package let artifacts: [String: String]
  /// Artifact name → the archive and member it is, the archive relocated.
  package var members: [String: ArtifactMember] = [:]
  /// What this build varies against the first.
  package let vary: [VerifyPolicy.Variation]

  /// How far `time` moves the clock: over a year, so `__DATE__` and `__TIME__` both change.
  package static let clockShift = "+397d"

  /// `.rebuild(number)`.
  package var id: StepID { .rebuild(number) }

  /// The rebuilds a cell in `out` whose build is `build`, leaving `artifacts`, needs for `reproducible`.
  package static func plan(
    _ build: StepCommand, artifacts: [String: String], members: [String: ArtifactMember] = [:], out: String,
    reproducible: VerifyPolicy.Reproducibility
  ) -> [RebuildStep] {
    (2...max(2, reproducible.builds)).map { number in
      let folder = out + "/rebuild-\(number)"
      let relocate = { (text: String) in text.replacingOccurrences(of: out, with: folder) }
      var command = build
      command.argv = build.argv.map(relocate)
      command.environment = build.environment.mapValues(relocate)
      let vary = reproducible.vary
      if vary.contains(.locale) {
        command.environment["LANG"] = "fr_CH.UTF-8"
        command.environment["LC_ALL"] = "fr_CH.UTF-8"
      }
      if vary.contains(.timezone) { command.environment["TZ"] = "GMT-14" }
      if vary.contains(.umask) { command.argv = ["sh", "-c", "umask 0002 && exec \"$@\"", "umask"] + command.argv }
      if vary.contains(.time) { command.argv = ["faketime", "-f", clockShift] + command.argv }
      var step = RebuildStep(
        number: number, folder: folder, command: command, artifacts: artifacts.mapValues(relocate), vary: vary)
      step.members = members.mapValues { ArtifactMember(archive: relocate($0.archive), member: $0.member) }
      return step
    }
  }
}
