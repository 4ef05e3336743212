import ArchwayKit
import ArgumentParser

/// The options `plan` and `run` share to pick cells, so that a CI job's `run --shard I/N` runs
/// exactly the cells `plan --shards N` gave it.
struct SelectionOptions: ParsableArguments {
  @Argument(help: "The matrix file (default: Matrix/archway.yml, then archway.yml).")
  var matrix: String?

  @Option(help: "Only the cells matching EXPR: KEY=GLOB or KEY!=GLOB, comma for AND (arch=arm64,libc=gnu*).")
  var filter: String?

  @Option(help: "Only shard I of N (e.g. 2/4): disjoint, deterministic, together the whole plan.")
  var shard: String?

  @Option(
    help: ArgumentHelp(
      "A value for every cell that has none of its own (over the matrix's defaults:), as YAML reads it: "
        + "--set version=1.2 for ${version}. Repeatable.", valueName: "KEY=VALUE"))
  var set: [String] = []

  @Option(help: "A previous report: balance shards by its recorded cell durations instead of by count.")
  var durations: String?

  @Option(
    name: .customLong("containers"),
    help: ArgumentHelp(
      "A folder of environment recipes, looked in after the matrix file's Containers/ and before Archway's own.",
      valueName: "DIR"))
  var containers: [String] = []

  @Option(help: "The most cells the matrix may make; more is an error (default \(Planner.defaultMaximumCells)).")
  var maxCells = Planner.defaultMaximumCells

  func validate() throws {
    guard maxCells > 0 else { throw ValidationError("--max-cells must be at least 1, not \(maxCells)") }
  }

  /// The selected cells, planned for `host` with output under `out`.
  func select(host: Platform, out: String) throws -> PlanSelection {
    guard let path = matrix ?? MatrixFile.defaultPath() else {
      throw CommandFailure(message: "no matrix file: name one, or create Matrix/archway.yml (see docs/matrix.md)")
    }
    var planner = Planner(host: host, outputRoot: out)
    planner.recipeFolders = containers
    planner.maximumCells = maxCells
    planner.set = try set.map(Planner.setting)
    return try PlanSelection(
      path: path, filter: filter, shard: shard, durationsReport: durations, planner: planner)
  }
}
