import ArchwayTestSupport
import Foundation
import Testing

/// The sweep of what an earlier, killed Archway left running ends only that: never Archway's own
/// ancestors, nor a process that merely carries the variable Archway marks its steps with.
@Suite struct LeftoverSweepCLITests {
  @Test func aCallerCarryingTheCellVariableSurvives() async throws {
    let folder = Fixtures.scratch("leftover-caller")
    try "matrix:\n  platform: [linux/amd64]\nrun:\n  - argv: [\"true\"]\n".write(
      toFile: folder + "/m.yml", atomically: true, encoding: .utf8)
    // The shell that starts Archway, and a process beside it, carry the variable as a cell's step
    // would: neither is a leftover of an earlier run.
    let script = """
      sleep 30 & bystander=$!
      "$0" run "$1/m.yml" --out "$1/out" >/dev/null 2>&1
      status=$?
      kill -0 "$bystander" 2>/dev/null && echo "bystander alive"
      kill "$bystander" 2>/dev/null
      echo "caller alive, archway exited $status"
      """
    let run = try await Command.run(
      "env", ["ARCHWAY_CELL_OUT=\(folder)/out/linux-amd64-gnu", "sh", "-c", script, Fixtures.archway, folder])
    #expect(run.stdout.contains("caller alive, archway exited 0"), "\(run.status) \(run.stdout) \(run.stderr)")
    #expect(run.stdout.contains("bystander alive"), "\(run.stdout)")
  }
}
