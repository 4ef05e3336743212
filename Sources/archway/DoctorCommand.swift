import ArchwayKit
import ArgumentParser
import Foundation

struct DoctorCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "doctor",
    abstract: "Show what this host can build and run, and how to add what is missing.",
    discussion: """
      Checks qemu-user emulators and their sysroots per target, binfmt_misc and its registrations, \
      cross compilers, zig, Go, musl-gcc, podman/docker (and whether a container of an archway/ image \
      starts, with $ARCHWAY_ENGINE_ARGS), wine, bwrap and debootstrap; on macOS, whether Archway runs \
      translated by Rosetta; and whether the compilers and build tools on PATH (gcc and the cross \
      gccs, zig, go, cargo, cmake, make) are built for this host: one of another arch runs emulated \
      or translated, 5–10× slower, and is named with the fix. A qemu known to crash at random is \
      shown as "warn" with its sources (a static build without PIE; qemu 9.2.0 to 9.2.2). With --matrix, also \
      says how each cell would run here, and exits 3 when no cell could run at all.

      Examples:
        archway doctor
        archway doctor --matrix Matrix/archway.yml
        archway doctor --json | jq '.checks[] | select(.ok == false) | .fix'
        archway doctor --json | jq '.checks[] | select(.warning)'
      """
  )

  @Option(help: "A matrix file: how would each of its cells run on this host?")
  var matrix: String?

  @Flag(help: "Print the checks (and cells) as JSON.")
  var json = false

  func run() async throws {
    let host = HostProbe.platform()
    let environment = ProcessInfo.processInfo.environment
    let report = await HostReport.probe(
      host: host, path: environment["PATH"], engineArguments: CellExecutor.engineArguments(environment))
    var runners: [(String, RunnerRecord)] = []
    var checks = report.checks
    if let matrix {
      let cells = try Planner(host: host).plan(try MatrixFile.load(path: matrix))
      let facts = HostFacts.probe(platform: host, path: environment["PATH"], environment: environment)
      let choices = cells.map { RunnerChoice.choose(for: $0, on: facts) }
      runners = zip(cells, choices).map { ($0.id, $1.record) }
      checks += await RunnerChoice.machineChecks(choices)
    }
    if json {
      try Output.printJSON(
        DoctorOutput(host: report.host, checks: checks, cells: runners.map { .init(id: $0.0, runner: $0.1) }))
    } else {
      print(Output.bold("Host \(report.host)"))
      for check in checks {
        let mark =
          !check.ok ? Output.red("missing") : check.warning == nil ? Output.green("ok     ") : Output.yellow("warn   ")
        print("\(mark) \(check.name): \(check.detail)" + (check.fix.map { Output.dim("  → \($0)") } ?? ""))
        if let warning = check.warning { print("        " + Output.yellow("known problem: ") + warning) }
      }
      if !runners.isEmpty {
        print(Output.bold("\nCells of \(matrix!)"))
        for (id, runner) in runners {
          print("\(runner.kind.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)) \(id): \(runner.reason)")
        }
      }
    }
    if !runners.isEmpty, runners.allSatisfy({ $0.1.hostLacksIt }) { throw ExitCode(3) }
  }
}

/// `archway doctor --json`.
struct DoctorOutput: Encodable {
  struct CellRunner: Encodable {
    var id: String
    var runner: RunnerRecord
  }
  var host: String
  var checks: [HostCheck]
  var cells: [CellRunner]
}
