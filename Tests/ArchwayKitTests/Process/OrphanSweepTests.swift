import ArchwayTestSupport
import Foundation
import Testing

@testable import ArchwayKit

/// The marker sweep after each step reads the environments of the processes born since the step
/// began, not of every process (issue 17: reading another process's environment waits for its
/// memory map's lock, milliseconds for a busy one, after every step), and still ends every process
/// a step leaves that carries its marker.
@Suite struct OrphanSweepTests {
  typealias Window = OrphanSweep.PidWindow

  @Test func theWindowHoldsThePidsHandedOutSinceAndWrapsPastPidMax() throws {
    let plain = try #require(Window(after: 1000, through: 1010, born: 10, inUse: 100, pidMax: 32768))
    #expect([1001, 1005, 1010].allSatisfy(plain.contains))
    #expect(![1, 999, 1000, 1011, 30000].contains(where: plain.contains))
    let wrapped = try #require(Window(after: 32760, through: 305, born: 20, inUse: 100, pidMax: 32768))
    #expect([32761, 32767, 300, 305].allSatisfy(wrapped.contains))
    #expect(![306, 5000, 32760].contains(where: wrapped.contains))
    let nothingBorn = try #require(Window(after: 1000, through: 1000, born: 0, inUse: 100, pidMax: 32768))
    #expect(![999, 1000, 1001].contains(where: nothingBorn.contains))
    // A few pids are looked up one by one, in the order they were handed out; many, through /proc.
    #expect(plain.pids(atMost: 64) == Array(1001...1010))
    #expect(wrapped.pids(atMost: 64) == Array(32761...32767) + Array(300...305))
    #expect(nothingBorn.pids(atMost: 64) == [])
    #expect(plain.pids(atMost: 9) == nil && wrapped.pids(atMost: 12) == nil)
    // Each lists exactly the pids the window holds.
    for window in [plain, wrapped] {
      #expect(window.pids(atMost: 64)?.sorted() == (1...32767).filter { $0 >= 300 && window.contains($0) })
    }
  }

  /// 32,468 pids (300 to 32,767) are handed out in turn, stepping over those in use; with 100 in
  /// use, 3 × 100 numbers (each one's pid, group and session) may be stepped over.
  @Test func whenTheCounterMayHaveGoneRoundEveryProcessIsRead() {
    #expect(Window(after: 1000, through: 1010, born: 8041, inUse: 100, pidMax: 32768) != nil)
    #expect(Window(after: 1000, through: 1010, born: 8042, inUse: 100, pidMax: 32768) == nil)
    #expect(Window(after: 1000, through: 1010, born: 0, inUse: 10823, pidMax: 32768) == nil)
    #expect(Window(after: 1000, through: 999, born: -1, inUse: 100, pidMax: 32768) == nil, "a counter gone back")
  }

  @Test func theWindowFromTheCountersHoldsAProcessStartedAfterThemAndNotOneBefore() throws {
    let before = Process()
    before.executableURL = URL(fileURLWithPath: "/bin/true")
    try before.run()
    before.waitUntilExit()
    let births = try #require(OrphanSweep.Births.now(), "Linux's /proc has the counters")
    let after = Process()
    after.executableURL = URL(fileURLWithPath: "/bin/true")
    try after.run()
    after.waitUntilExit()
    let window = try #require(births.window())
    #expect(window.contains(after.processIdentifier))
    #expect(!window.contains(before.processIdentifier))
  }

  /// A process that leaves both the step's session and its control group (as root it may move
  /// itself out) escapes the group kills: the marker it still carries is what finds it, though it
  /// is not among the processes the sweep knew of.
  @Test func aProcessThatLeavesTheStepsGroupAndSessionIsFoundByItsMarker() async throws {
    let group = try #require(StepCgroup.parent, "Archway runs steps in cgroups as root")
    let root = URL(fileURLWithPath: group).deletingLastPathComponent().path
    let marker = "36\(Int.random(in: 100_000...999_999))"
    let outcome = await ProcessSupervisor.run(
      ProcessSupervisorTests.launch(
        "leaves", "setsid sh -c 'echo $$ > \(root)/cgroup.procs && exec sleep \(marker)' & sleep 0.3; echo left"))
    #expect(outcome.status == .exited(0) && outcome.stdoutHead == "left\n")
    let left = await Survivors.matching(marker)
    #expect(left.isEmpty, "\(left)")
  }
}
