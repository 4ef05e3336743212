import ArchwayTestSupport
import Foundation
import Testing

@testable import ArchwayKit

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

  /// What `work` returns, every thread of the pool held for `milliseconds` while it runs (from
  /// within 30 ms of its start, so at any moment of its start or its end).
  static func whileThePoolIsHeld<Value: Sendable>(
    milliseconds: UInt32, _ work: @escaping @Sendable () async -> Value
  ) async -> Value {
    async let value = work()
    try? await Task.sleep(for: .milliseconds(Int.random(in: 0...30)))
    await holdThePool(milliseconds: milliseconds)
    return await value
  }

  /// The outcome of `script` with `limit`, run while the pool is held (``whileThePoolIsHeld(milliseconds:_:)``).
  static func runWhileThePoolIsHeld(
    _ script: String, limit: Duration, milliseconds: UInt32, name: String
  ) async -> ProcessOutcome {
    let folder = Fixtures.scratch("step-limit-\(name)")
    let launch = ProcessLaunch(
      argv: ["sh", "-c", script], environment: ["PATH": "/usr/bin:/bin"], timeout: limit,
      logs: folder + "/" + name)
    return await whileThePoolIsHeld(milliseconds: milliseconds) { await ProcessSupervisor.run(launch) }
  }

  @Test func aStepThatEndedBeforeItsLimitIsNotTimedOutByABusyPool() async throws {
    // The pool is held well past the step's limit.
    let ended = await Self.runWhileThePoolIsHeld(
      "echo done", limit: .milliseconds(400), milliseconds: 1200, name: "quick")
    #expect(ended.status == .exited(0), "\(ended.status)")
    #expect(ended.stdoutHead == "done\n")
  }

  /// The other side: a step still running at its limit is timed out at its limit, even while the
  /// pool is held past the time the step would have ended by itself (a limit kept by a pool timer
  /// let it finish and pass).
  @Test func aStepStillRunningAtItsLimitIsEndedThereByABusyPool() async throws {
    let ended = await Self.runWhileThePoolIsHeld(
      "sleep 1; echo late", limit: .milliseconds(300), milliseconds: 1800, name: "late")
    #expect(ended.status == .timedOut(seconds: 0.3), "\(ended.status)")
    #expect(ended.stdoutHead == "")
  }

  /// A step still running at its limit is timed out, pool or no pool.
  @Test func aStepStillRunningAtItsLimitIsTimedOut() async throws {
    let folder = Fixtures.scratch("step-limit-running")
    let launch = ProcessLaunch(
      argv: ["sleep", "3600"], environment: ["PATH": "/usr/bin:/bin"],
      timeout: .milliseconds(400), logs: folder + "/slow")
    let start = ContinuousClock.now
    let ended = await ProcessSupervisor.run(launch)
    #expect(ended.status == .timedOut(seconds: 0.4), "\(ended.status)")
    // A hang detector (the step would end by itself after an hour), not a timing.
    #expect(ContinuousClock.now - start < .seconds(900))
  }

  /// A host probe (`qemu --version`, `podman images`) keeps its limit as a step does: one that
  /// answered in time is not lost to a busy pool (`archway doctor` told a host with images that
  /// it had none), and one still running at its limit is ended there, not waited for.
  @Test func aProbeThatAnsweredInTimeIsNotLostToABusyPool() async {
    let answer = await Self.whileThePoolIsHeld(milliseconds: 1200) {
      await HostReport.output(of: ["echo", "fine"], limit: .milliseconds(400))
    }
    #expect(answer == "fine\n")
  }

  @Test func aProbeStillRunningAtItsLimitIsEndedThereByABusyPool() async {
    let marker = "35\(Int.random(in: 100_000...999_999))"
    let answer = await Self.whileThePoolIsHeld(milliseconds: 1800) {
      await HostReport.output(of: ["sh", "-c", "sleep 1; echo late; exec sleep \(marker)"], limit: .milliseconds(300))
    }
    #expect(answer == nil)
    try? await Task.sleep(for: .milliseconds(200))
    #expect(await Survivors.matching(marker).isEmpty, "the probe was ended, not left running")
  }
}
