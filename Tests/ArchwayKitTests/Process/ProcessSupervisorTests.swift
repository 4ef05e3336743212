import ArchwayKit
import ArchwayTestSupport
import Foundation
import Testing

/// Real processes under the supervisor: exit codes, signals, time limits that end whole process
/// trees, cancellation, huge output, missing programs.
@Suite struct ProcessSupervisorTests {
  static let folder = Fixtures.scratch("sup")

  static func launch(
    _ name: String, _ script: String, timeout: Duration = .seconds(30), stdin: String? = nil
  )
    -> ProcessLaunch
  {
    ProcessLaunch(
      argv: ["sh", "-c", script], environment: ["PATH": "/usr/bin:/bin"], stdin: stdin,
      timeout: timeout, stdoutLog: "\(folder)/\(name).out", stderrLog: "\(folder)/\(name).err")
  }

  @Test func exitCodeOutputAndStdin() async {
    let outcome = await ProcessSupervisor.run(
      Self.launch("exit", "read x; echo out $x; echo err >&2; exit 3", stdin: "in\n"))
    #expect(outcome.status == .exited(3))
    #expect(outcome.stdoutHead == "out in\n" && outcome.stderrHead == "err\n")
    #expect(outcome.stdoutBytes == 7 && outcome.stdoutTail.isEmpty)
  }

  @Test func aCrashIsASignal() async {
    #expect(await ProcessSupervisor.run(Self.launch("segv", "kill -SEGV $$")).status == .signaled("SIGSEGV"))
    #expect(await ProcessSupervisor.run(Self.launch("abrt", "kill -ABRT $$")).status == .signaled("SIGABRT"))
  }

  @Test func aTimeoutEndsTheWholeTreeEvenWhatIgnoresSIGTERM() async throws {
    let marker = "31\(Int.random(in: 100_000...999_999))"
    // A grandchild that ignores SIGTERM, and one more in the background: only SIGKILL to the group ends them.
    let script = "trap '' TERM; sleep \(marker) & (sleep \(marker); true) & echo started; wait"
    let start = ContinuousClock.now
    // 2 s: time for the shell to set its trap and start the sleeps even on a loaded machine (a SIGTERM
    // before the trap would end it at once and prove nothing); `started` below says it got that far.
    let outcome = await ProcessSupervisor.run(Self.launch("timeout", script, timeout: .seconds(2)))
    #expect(outcome.status == .timedOut(seconds: 2))
    // A hang detector, not a timing (the sleeps would run for a year): nominally 2 s plus the 2 s
    // grace period, but the tests beside this one can hold the process's few cooperative threads
    // for minutes on a cold CI machine (150 s seen).
    #expect(ContinuousClock.now - start < .seconds(600))
    try await Task.sleep(for: .milliseconds(200))
    let left = await Survivors.matching(marker)
    #expect(left.isEmpty, "\(left)")
    #expect(outcome.stdoutHead == "started\n", "output up to the timeout is kept")
  }

  @Test func cancellationInterruptsAndLeavesNoSurvivor() async throws {
    let marker = "32\(Int.random(in: 100_000...999_999))"
    // A limit this test never reaches, even when its thread waits tens of seconds for a turn on a
    // loaded machine (CI once saw the step time out at 30 s before the cancel came).
    let task = Task {
      await ProcessSupervisor.run(
        Self.launch("cancel", "sleep \(marker) & sleep \(marker); wait", timeout: .seconds(900)))
    }
    var running = 0
    for _ in 0..<200 {
      running = await Survivors.matching(marker).count
      if running >= 2 { break }
      try await Task.sleep(for: .milliseconds(50))
    }
    #expect(running >= 2, "the tree is running before the cancel")
    let start = ContinuousClock.now
    task.cancel()
    let outcome = await task.value
    #expect(outcome.status == .interrupted)
    #expect(ContinuousClock.now - start < .seconds(600), "ended, not hung (nominally within the 2 s grace period)")
    try await Task.sleep(for: .milliseconds(200))
    let left = await Survivors.matching(marker)
    #expect(left.isEmpty, "\(left)")
  }

  @Test func aGigabyteOfOutputCostsNoMemory() async throws {
    let before = Self.peakResidentKiB()
    // A gigabyte through tr takes 3 s on an idle machine and came within 5 % of 30 s on a loaded one:
    // the limit is generous, since time is not what this test is about.
    let outcome = await ProcessSupervisor.run(
      Self.launch("big", "head -c 1073741824 /dev/zero | tr '\\0' x", timeout: .seconds(300)))
    defer { try? FileManager.default.removeItem(atPath: "\(Self.folder)/big.out") }
    #expect(outcome.status == .exited(0))
    #expect(outcome.stdoutBytes == 1 << 30)
    #expect(outcome.stdoutHead.utf8.count == ProcessSupervisor.captureLimit)
    #expect(outcome.stdoutTail.utf8.count == ProcessSupervisor.captureLimit)
    // The peak is the whole test process's, other suites running beside this one included; holding
    // the output would add a full GiB, far past this bound.
    #expect(Self.peakResidentKiB() - before < 256 * 1024, "the output went to the log, not to memory")
  }

  @Test func aMissingProgramIsAnInfrastructureProblem() async {
    var launch = Self.launch("missing", "")
    launch.argv = ["qemu-nonexistent-static", "x"]
    #expect(
      await ProcessSupervisor.run(launch).status == .infrastructure("no program 'qemu-nonexistent-static' on PATH"))
  }

  /// A workdir that is not there (or not a folder) is named as such, not as the program's
  /// "No such file or directory".
  @Test func aMissingWorkdirIsNamed() async throws {
    var launch = Self.launch("workdir", "true")
    launch.workingDirectory = "/nonexistent/dir"
    #expect(
      await ProcessSupervisor.run(launch).status
        == .infrastructure("the step's workdir /nonexistent/dir does not exist"))
    launch.workingDirectory = "/etc/hostname"
    #expect(
      await ProcessSupervisor.run(launch).status == .infrastructure("the step's workdir /etc/hostname is not a folder"))
  }

  @Test func aProcessThatLeftTheGroupWithSetsidDoesNotOutliveTheStep() async throws {
    let marker = "32\(Int.random(in: 100_000...999_999))"
    // setsid puts the sleep in a session of its own, out of reach of the group kill; the step ends at once.
    let outcome = await ProcessSupervisor.run(
      Self.launch("setsid", "setsid sleep \(marker) & setsid sh -c 'sleep \(marker)' & sleep 0.3; echo left"))
    #expect(outcome.status == .exited(0) && outcome.stdoutHead == "left\n")
    try await Task.sleep(for: .milliseconds(200))
    let left = await Survivors.matching(marker)
    #expect(left.isEmpty, "\(left)")
  }

  @Test func theEnvironmentIsOnlyWhatTheStepGets() async {
    setenv("ARCHWAY_LEAK_CHECK", "leaked", 1)
    let outcome = await ProcessSupervisor.run(
      Self.launch("env", "echo \"${ARCHWAY_LEAK_CHECK:-clean}\"; env | grep -c '^ARCHWAY_STEP='"))
    #expect(outcome.stdoutHead == "clean\n1\n", "only the step's own marker is added")
  }

  static func peakResidentKiB() -> Int {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
    return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
  }
}
