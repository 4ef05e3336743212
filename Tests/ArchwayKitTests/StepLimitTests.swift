import ArchwayKit
import ArchwayTestSupport
import Foundation
import Testing

/// A step's time limit is the process's, not the thread pool's: on a loaded machine other work can
/// hold every cooperative thread past a step's limit, and a step that ended long before it was then
/// reported as timed out (seen in CI: container and wine steps "timed out" in a stalled test run).
@Suite(.serialized) struct StepLimitTests {
  /// Holds every thread of Swift concurrency's pool (one per core) for `milliseconds`.
  static func holdThePool(milliseconds: UInt32) async {
    await withTaskGroup(of: Void.self) { group in
      for _ in 0..<ProcessInfo.processInfo.activeProcessorCount {
        group.addTask { usleep(milliseconds * 1000) }
      }
    }
  }

  @Test func aStepThatEndedBeforeItsLimitIsNotTimedOutByABusyPool() async throws {
    let folder = Fixtures.scratch("step-limit")
    let launch = ProcessLaunch(
      name: "quick", argv: ["sh", "-c", "echo done"], environment: ["PATH": "/usr/bin:/bin"],
      timeout: .milliseconds(400), logs: folder + "/quick")
    async let outcome = ProcessSupervisor.run(launch)
    // While the step starts and ends, every thread of the pool is held well past its limit.
    try await Task.sleep(for: .milliseconds(Int.random(in: 0...30)))
    await Self.holdThePool(milliseconds: 1200)
    let ended = await outcome
    #expect(ended.status == .exited(0), "\(ended.status)")
    #expect(ended.stdoutHead == "done\n")
  }

  /// The other side: a step still running at its limit is timed out at its limit, even while the
  /// pool is held past the time the step would have ended by itself (a limit kept by a pool timer
  /// let it finish and pass).
  @Test func aStepStillRunningAtItsLimitIsEndedThereByABusyPool() async throws {
    let folder = Fixtures.scratch("step-limit-busy")
    let launch = ProcessLaunch(
      name: "late", argv: ["sh", "-c", "sleep 1; echo late"], environment: ["PATH": "/usr/bin:/bin"],
      timeout: .milliseconds(300), logs: folder + "/late")
    async let outcome = ProcessSupervisor.run(launch)
    try await Task.sleep(for: .milliseconds(Int.random(in: 0...30)))
    await Self.holdThePool(milliseconds: 1800)
    let ended = await outcome
    #expect(ended.status == .timedOut(seconds: 0.3), "\(ended.status)")
    #expect(ended.stdoutHead == "")
  }

  /// A step still running at its limit is timed out, pool or no pool.
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
