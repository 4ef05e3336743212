import ArchwayKit
import ArgumentParser
import Foundation

struct PlanCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "plan",
    abstract: "Expand a matrix file into cells, without running anything.",
    discussion: """
      MATRIX defaults to Matrix/archway.yml, then archway.yml. The format is described in \
      docs/matrix.md; a bad file is reported as FILE:LINE:COLUMN with the bad value quoted (exit 2).

      Examples:
        archway plan
        archway plan Matrix/glibc-floor.yml --json | jq -r '.[].id'
        archway plan --filter 'arch=arm64,libc=gnu*' --shard 2/4
        archway plan --format github            # for strategy.matrix: ${{ fromJSON(needs.plan.outputs.matrix) }}
        archway plan --format gitlab --shards 8 > child-pipeline.yml
      """
  )

  @OptionGroup var cellSelection: SelectionOptions

  @Flag(help: "Print the cells as a JSON array.")
  var json = false

  @Option(help: "table, json, github (a strategy.matrix for GitHub Actions) or gitlab (a child pipeline).")
  var format: PlanFormat?

  @Option(help: "With --format github|gitlab: one CI job per shard, N shards (default: one job per cell).")
  var shards: Int?

  @Option(help: "The output folder cells' ${cell.out} lies in.")
  var out = "archway-out"

  func validate() throws {
    if json && format != nil { throw ValidationError("give --json or --format, not both") }
    if let shards, shards < 1 { throw ValidationError("--shards must be at least 1, not \(shards)") }
  }

  func run() async throws {
    let selection = try cellSelection.select(host: HostProbe.platform(), out: out)
    switch json ? .json : (format ?? .table) {
    case .json:
      try Output.printJSON(selection.cells)
    case .github:
      // One line, as a GitHub step output must be: echo "matrix=$(archway plan --format github)".
      try Output.printJSON(CIFanOut.github(selection.cells, shards: shards), compact: true)
    case .gitlab:
      Output.write(CIFanOut.gitlab(selection.cells, matrixPath: selection.path, set: selection.set, shards: shards))
    case .table:
      let table = PlanTable.make(selection.cells)
      print(table.render { text, _, row in row < 0 ? Output.bold(text) : text })
      Output.error(Output.dim("\(selection.cells.count) of \(selection.total) cells from \(selection.path)"))
    }
  }
}

enum PlanFormat: String, ExpressibleByArgument, CaseIterable {
  case table, json, github, gitlab
}
