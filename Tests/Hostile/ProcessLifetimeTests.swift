import ArchwayTestSupport
import Foundation
import Testing

@testable import ArchwayKit

/// Issue 13, items 5 and 13: a step's processes end with the step, however they hide, and what an
/// Archway killed with `kill -9` left running is ended by the next run into its folder. The limit
/// guards against a hang, sized for a test that waits minutes for a thread under the whole suite.
@Suite(.serialized, .timeLimit(.minutes(6))) struct ProcessLifetimeTests {
  static func matrix(_ script: String, in folder: String) throws -> String {
    let path = folder + "/m.yml"
    try "matrix:\n  platform: [linux/amd64]\nbuild:\n  argv: [sh, -c, '\(script)']\n".write(
      toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  /// The pid a step's process wrote into `file`, once it has (nil after 5 s).
  static func pid(in file: String) async throws -> pid_t? {
    for _ in 0..<200 {
      if let text = try? String(contentsOfFile: file, encoding: .utf8),
        let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines))
      {
        return pid
      }
      try await Task.sleep(for: .milliseconds(25))
    }
    return nil
  }

  /// A process that drops the step's marker and leaves its session was beyond the sweep; in the
  /// step's control group it is not. (CI runs as root, where Archway has cgroups.)
  @Test func aProcessThatDropsTheMarkerAndLeavesTheSessionEndsWithItsStep() async throws {
    try #require(StepCgroup.parent != nil, "Archway runs steps in cgroups as root")
    let folder = Fixtures.scratch("escapee")
    let file = folder + "/escapee.pid"
    let path = try Self.matrix(
      "env -u ARCHWAY_STEP setsid sh -c \"echo \\$\\$ > \(file); exec sleep 300\" >/dev/null 2>&1 & sleep 0.3",
      in: folder)
    let result = try await Command.run(Fixtures.archway, ["run", path, "--out", folder + "/out"])
    #expect(result.status == 0, "\(result.stderr)")
    let escapee = try #require(try await Self.pid(in: file))
    #expect(!OrphanSweep.isRunning(escapee), "pid \(escapee) outlived its step")
    // Groups of Archways that have ended (the child above) must all be gone; live ones are this
    // test process's own, of suites running beside this one.
    let abandoned = try FileManager.default.contentsOfDirectory(atPath: StepCgroup.parent!).filter { name in
      StepCgroup.owner(ofGroup: name).map { !OrphanSweep.isRunning($0) } ?? false
    }
    #expect(abandoned.isEmpty, "the step's group is removed: \(abandoned)")
  }

  /// Starts `archway run` into `folder/out` with a step that leaves a process outside its session
  /// and without its marker, and kills Archway with SIGKILL once that process runs. Returns
  /// Archway's pid and the leftover's.
  static func killedRun(in folder: String) async throws -> (archway: pid_t, left: pid_t) {
    let file = folder + "/left.pid"
    let path = try matrix(
      "env -u ARCHWAY_STEP setsid sh -c \"echo \\$\\$ > \(file); while :; do sleep 0.1; done\""
        + " >/dev/null 2>&1 & sleep 60", in: folder)
    let run = Process()
    run.executableURL = URL(fileURLWithPath: Fixtures.archway)
    run.arguments = ["run", path, "--out", folder + "/out"]
    run.standardOutput = FileHandle.nullDevice
    run.standardError = FileHandle.nullDevice
    try run.run()
    let left = try #require(try await pid(in: file))
    kill(run.processIdentifier, SIGKILL)
    await run.exited()
    return (run.processIdentifier, left)
  }

  @Test func theNextRunEndsWhatAKilledRunLeft() async throws {
    let folder = Fixtures.scratch("killed")
    let (_, left) = try await Self.killedRun(in: folder)
    let quick = folder + "/quick.yml"
    try "matrix:\n  platform: [linux/amd64]\nbuild:\n  argv: ['true']\n".write(
      toFile: quick, atomically: true, encoding: .utf8)
    // The killed run's guardian ends the leftover at once (below), and any Archway ends what the
    // groups of Archways that are gone hold: so the next run may have nothing to say. What holds
    // either way is that the leftover is gone once the next run has started.
    let next = try await Command.run(
      Fixtures.archway, ["run", quick, "--out", folder + "/out"], environment: ["NO_COLOR": "1"])
    #expect(next.status == 0, "\(next.stderr)")
    if next.stderr.contains("archway: ended ") {
      #expect(next.stderr.contains("that an earlier Archway, killed or lost, left running"), "\(next.stderr)")
    }
    #expect(!OrphanSweep.isRunning(left))
  }

  /// Issue 33, item 13: the steps of an Archway killed with `kill -9` ran until the next run into
  /// its folder. Its guardian, a process of its own that outlives it, ends them at once and writes
  /// down what it ended. (Any Archway sweeps the control groups of Archways that are gone, so one of
  /// a suite running beside this one may end the leftover first: the guardian's log says it looked.)
  @Test func aKilledRunsStepsEndWithoutANextRun() async throws {
    let folder = Fixtures.scratch("killed-guarded")
    let (archway, left) = try await Self.killedRun(in: folder)
    var running = true
    for _ in 0..<200 where running {
      try await Task.sleep(for: .milliseconds(50))
      running = OrphanSweep.isRunning(left)
    }
    #expect(!running, "pid \(left) outlived the Archway killed with kill -9 by 10 s")
    // Another suite's Archway may have ended the leftover before the guardian did: the guardian
    // then writes its log a moment later. Wait for it (10 s at most) rather than race it.
    let logPath = folder + "/out/" + Leftovers.guardLog
    for _ in 0..<200 where !FileManager.default.fileExists(atPath: logPath) {
      try await Task.sleep(for: .milliseconds(50))
    }
    let log = try String(contentsOfFile: logPath, encoding: .utf8)
    #expect(log.contains("archway (pid \(archway)) ended without ending its run"), "\(log)")
  }

  /// An Archway in another PID namespace (a privileged CI container sharing the host's cgroups)
  /// sees the host's Archways' pids as not running: their groups are not its to sweep. A group of
  /// this namespace whose owner is gone is.
  @Test func onlyTheGroupsOfThisPidNamespaceAreSwept() async throws {
    let parent = try #require(StepCgroup.parent, "Archway runs steps in cgroups as root")
    // No pid is ever 999999999 (pid_max is at most 2^22), so the owner of both is "gone".
    let elsewhere = parent + "/999999999@1-\(UUID().uuidString)"
    let here = parent + "/999999999@\(StepCgroup.pidNamespace)-\(UUID().uuidString)"
    var sleepers: [Process] = []
    for group in [elsewhere, here] {
      #expect(mkdir(group, 0o755) == 0)
      let sleeper = Process()
      sleeper.executableURL = URL(fileURLWithPath: "/bin/sleep")
      sleeper.arguments = ["60"]
      try sleeper.run()
      try "\(sleeper.processIdentifier)\n".write(toFile: group + "/cgroup.procs", atomically: false, encoding: .utf8)
      sleepers.append(sleeper)
    }
    defer {
      for sleeper in sleepers where sleeper.isRunning { kill(sleeper.processIdentifier, SIGKILL) }
      for group in [elsewhere, here] { StepCgroup(path: group, descriptor: -1).killAll() }
    }
    _ = StepCgroup.sweepAbandoned()
    await sleepers[1].exited()
    #expect(sleepers[1].terminationReason == .uncaughtSignal && sleepers[1].terminationStatus == SIGKILL)
    #expect(sleepers[0].isRunning, "another namespace's group was swept")
  }

  /// The next run ends the processes of its own folder's cells, never those of a run into a folder
  /// inside it (which holds a lock of its own and may be running now).
  @Test func theSweepTakesOnlyTheFoldersOwnCells() {
    let needle = Array("ARCHWAY_CELL_OUT=/o/".utf8)
    func block(_ value: String) -> ArraySlice<UInt8> {
      ArraySlice(Array("A=1\u{0}ARCHWAY_CELL_OUT=\(value)\u{0}".utf8))
    }
    #expect(OrphanSweep.contains(entry: needle, in: block("/o/linux-amd64-gnu"), child: true))
    #expect(!OrphanSweep.contains(entry: needle, in: block("/o/sub/linux-amd64-gnu"), child: true))
    #expect(!OrphanSweep.contains(entry: needle, in: block("/o/"), child: true))
    #expect(!OrphanSweep.contains(entry: needle, in: block("/other/linux-amd64-gnu"), child: true))
  }
}
