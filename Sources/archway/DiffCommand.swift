import ArchwayKit
import ArgumentParser
import Foundation

struct DiffCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "diff",
    abstract: "What changed between two reports: new failures, floors that rose, libraries, sizes, outputs.",
    discussion: """
      Compares the cells of NEW with those of OLD (report.json of `archway run` or `merge`) and \
      prints each change in a category: new-failure, fixed, still-failing, new-cell, \
      missing-cell, floor-rose (with the symbols that need the new floor), floor-fell, \
      needed-added, needed-removed, interpreter-changed, libc-changed, linkage-changed, \
      arch-changed, size-grew, size-shrank, output-changed, duration-grew, \
      reproducibility-flipped, artifact-changed, new-artifact, missing-artifact, \
      environment-changed. Exits 1 when a change is in a --fail-on category (default: \
      new-failure, floor-rose), 0 otherwise, printing the rest as notes; 2 for bad usage.

      Examples:
        archway diff last-good/report.json archway-out/report.json
        archway diff old.json new.json --fail-on new-failure,floor-rose,needed-added --markdown changes.md
        archway diff old.json new.json --json | jq '.changes[] | select(.category == "floor-rose")'
      """
  )

  @Argument(help: "The older report (the baseline).")
  var old: String

  @Argument(help: "The newer report.")
  var new: String

  @Flag(help: "Print the changes as JSON (changes, each with `fails`, and the policy).")
  var json = false

  @Option(help: "Write the changes as a Markdown section to FILE.")
  var markdown: String?

  @Option(
    name: .customLong("fail-on"),
    help: ArgumentHelp("The categories that fail (comma-separated; `none` for none).", valueName: "CATEGORIES"))
  var failOn: String?

  @Option(help: ArgumentHelp("How much an artifact must grow or shrink to be a change.", valueName: "PERCENT"))
  var sizeGrowth: Double = 10

  @Option(help: ArgumentHelp("The factor by which a run step's duration must grow to be a change.", valueName: "F"))
  var durationGrowth: Double = 2

  func validate() throws {
    _ = try policy()
  }

  func policy() throws -> ReportDiff.Policy {
    var policy = ReportDiff.Policy()
    if let failOn {
      do {
        policy.failOn = try ReportDiff.Policy.categories(failOn)
      } catch {
        throw ValidationError("--fail-on: \(error.description)")
      }
    }
    guard sizeGrowth >= 0, sizeGrowth.isFinite else { throw ValidationError("--size-growth must be a percentage ≥ 0") }
    guard durationGrowth >= 1, durationGrowth.isFinite else {
      throw ValidationError("--duration-growth must be a factor ≥ 1")
    }
    policy.sizeGrowth = sizeGrowth / 100
    policy.durationGrowth = durationGrowth
    return policy
  }

  func run() throws {
    let diff = ReportDiff(from: try ReportFiles.read(old), to: try ReportFiles.read(new), policy: try policy())
    if let markdown {
      do {
        try AtomicFile.write(Data(diff.markdown.utf8), to: markdown)
      } catch {
        throw CommandFailure(message: "cannot write \(markdown): \(error)")
      }
    }
    if json {
      Output.write(String(decoding: try PrettyJSON.encoder().encode(diff), as: UTF8.self) + "\n")
    } else {
      Output.write(diff.text)
    }
    if !diff.failures.isEmpty { throw ExitCode(1) }
  }
}
