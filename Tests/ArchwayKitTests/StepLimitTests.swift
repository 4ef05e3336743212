import ArchwayKit
import ArchwayTestSupport
import Foundation
import Testing

/// A step's time limit is the process's, not the thread pool's: on a loaded machine other work can
/// hold every cooperative thread past a step's limit, and a step that ended long before it was then
/// reported as timed out (seen in CI: container and wine steps "timed out" in a stalled test run).
@Suite struct StepLimitTests {
  @Test func aStepThatEndedBeforeItsLimitIsNotTimedOutByABusyPool() async throws {
    let folder = Fixtures.scratch("step-limit")
    let launch = ProcessLaunch(
      name: "quick", argv: ["sh", "-c", "echo done"], environment: ["PATH": "/usr/bin:/bin"],
      timeout: .milliseconds(400), logs: folder + "/quick")
    async let outcome = ProcessSupervisor.run(launch)
    // While the step starts and ends, every thread of the pool is held well past its limit.
    try await Task.sleep(for: .milliseconds(Int.random(in: 0...30)))
    await withTaskGroup(of: Void.self) { group in
      for _ in 0..<(2 * ProcessInfo.processInfo.activeProcessorCount + 2) {
        group.addTask { usleep(1_200_000) }
      }
    }
    let ended = await outcome
    #expect(ended.status == .exited(0), "\(ended.status)")
    #expect(ended.stdoutHead == "done\n")
  }

  /// The other side: a step still running at its limit is timed out, pool or no pool.
  @Test func aStepStillRunningAtItsLimitIsTimedOut() async throws {
    let folder = Fixtures.scratch("step-limit-running")
    let launch = ProcessLaunch(
      name: "slow", argv: ["sleep", "30"], environment: ["PATH": "/usr/bin:/bin"],
      timeout: .milliseconds(400), logs: folder + "/slow")
    let start = ContinuousClock.now
    let ended = await ProcessSupervisor.run(launch)
    #expect(ended.status == .timedOut(seconds: 0.4), "\(ended.status)")
    #expect(ContinuousClock.now - start < .seconds(25))
  }
}
