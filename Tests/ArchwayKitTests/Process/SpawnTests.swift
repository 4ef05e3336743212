import ArchwayTestSupport
import Foundation
import Testing

@testable import ArchwayKit

/// How a step's process starts (`archway_spawn`): in a session of its own, with only its three
/// standard streams open, no signal ignored or blocked, and — as root, where Archway has a cgroup
/// v2 hierarchy — born in the step's own control group, read back from `/proc/self` by the program.
@Suite struct SpawnTests {
  static let folder = Fixtures.scratch("spawn")

  static func run(_ name: String, _ argv: [String], workingDirectory: String? = nil) async -> ProcessOutcome {
    await ProcessSupervisor.run(
      ProcessLaunch(
        argv: argv, environment: ["PATH": "/usr/bin:/bin"], workingDirectory: workingDirectory,
        timeout: .seconds(60), logs: "\(folder)/\(name)"))
  }

  @Test func aStepLeadsItsOwnSessionWithOnlyItsStreamsAndNoSignalSetAside() async throws {
    let stat = await Self.run("stat", ["cat", "/proc/self/stat"])
    // `PID (comm) STATE PPID PGRP SESSION …`
    let fields = stat.stdoutHead.split(separator: ")").last?.split(separator: " ").map(String.init) ?? []
    let pid = stat.stdoutHead.split(separator: " ").first.map(String.init)
    #expect(fields.count > 4 && fields[2] == pid && fields[3] == pid, "\(stat.stdoutHead)")
    #expect(fields[1] == String(getpid()), "its parent is Archway")

    let descriptors = await Self.run("fds", ["ls", "/proc/self/fd"])
    // ls's own: 0, 1, 2 and the folder it lists (3).
    #expect(descriptors.stdoutHead.split(separator: "\n") == ["0", "1", "2", "3"], "\(descriptors.stdoutHead)")

    let status = await Self.run("signals", ["grep", "-E", "^Sig(Blk|Ign):", "/proc/self/status"])
    #expect(
      status.stdoutHead.split(separator: "\n").map { $0.split(separator: "\t").last.map(String.init) }
        == ["0000000000000000", "0000000000000000"], "\(status.stdoutHead)")
  }

  @Test func asRootAStepIsBornInItsOwnControlGroup() async throws {
    try #require(getuid() == 0 && StepCgroup.unified, "Archway as root with a cgroup v2 hierarchy (CI)")
    let outcome = await Self.run("cgroup", ["cat", "/proc/self/cgroup"])
    let line = try #require(outcome.stdoutHead.split(separator: "\n").first { $0.hasPrefix("0::") })
    let parent = try #require(StepCgroup.parent)
    let group = parent.split(separator: "/").last.map(String.init) ?? ""
    // The v2 path of the group the process was born in: …/archway/PID@NAMESPACE-MARKER, this Archway's.
    #expect(line.contains("/\(group)/\(getpid())@\(StepCgroup.pidNamespace)-"), "\(line)")
    // And gone once the step has ended.
    let name = line.split(separator: "/").last.map(String.init) ?? ""
    #expect(!FileManager.default.fileExists(atPath: parent + "/" + name))
  }

  /// A parent-death signal (`bwrap --die-with-parent`, every root filesystem step) is sent when the
  /// *thread* that made the process ends, and Swift's executor ends its idle threads: a step started
  /// on one was killed mid-run (CI, an arm64 suite in a Debian root filesystem, "killed by SIGKILL").
  @Test func aStepOutlivesTheThreadThatStartedIt() async throws {
    let program = "/usr/bin/setpriv"  // util-linux, essential in Debian
    try #require(FileManager.default.isExecutableFile(atPath: program))
    final class Started: @unchecked Sendable { var child: ChildProcess? }
    let started = Started()
    let null = open("/dev/null", O_RDWR | O_CLOEXEC)
    defer { close(null) }
    let thread = Thread {
      started.child = try? ChildProcess(
        executable: program, arguments: ["--pdeathsig", "KILL", "--", "/bin/sleep", "1"],
        environment: ["PATH": "/usr/bin:/bin"], workingDirectory: nil, input: null, output: null, error: null,
        cgroup: -1, limit: .seconds(60), grace: .seconds(1))
      // Long enough for setpriv to set the signal; then this thread ends, well before the sleep.
      usleep(300_000)
    }
    thread.start()
    while !thread.isFinished { try await Task.sleep(for: .milliseconds(20)) }
    let child = try #require(started.child)
    #expect(await child.end() == .exited(0))
  }

  /// The threads that make and watch processes are kept for the next one (a thread made and ended
  /// for every step cost a `true` step a tenth of its time), yet every process running at once
  /// has its own thread at once: one left waiting for another's would run unwatched, past its limit.
  @Test func watchingThreadsAreKeptYetEachProcessRunningAtOnceHasItsOwn() async throws {
    let threads = WatcherThreads()
    // One after another: the same thread each time.
    var sequential: [String] = []
    for _ in 0..<10 { sequential += Self.values(of: 1, on: threads) { Self.thread() } }
    #expect(Set(sequential).count == 1, "\(sequential)")
    #expect(sequential.first?.contains("/task/") == true)
    // Three at once, each held until all three have begun (or 5 s): three threads, none waiting.
    let arrivals = Arrivals()
    let together = Self.values(of: 3, on: threads) { arrivals.allOf(3) ? Self.thread() : "waited alone" }
    #expect(Set(together).count == 3, "\(together)")
    #expect(together.contains(sequential.first ?? ""), "the kept thread is among them")
  }

  /// `/proc/thread-self`'s target, `PID/task/TID`: which thread this is, never reused while it lives.
  static func thread() -> String {
    (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self")) ?? ""
  }

  /// What `count` jobs that `threads` ran return, told (as a step's end is) once each job's thread
  /// is free again.
  static func values(of count: Int, on threads: WatcherThreads, _ job: @escaping @Sendable () -> String) -> [String] {
    let results = Arrivals()
    let done = DispatchSemaphore(value: 0)
    for _ in 0..<count {
      threads.run {
        let value = job()
        return {
          results.add(value)
          done.signal()
        }
      }
    }
    for _ in 0..<count { done.wait() }
    return results.values
  }

  /// Jobs that meet: each waits (at most 5 s) until a number of them have arrived.
  // @unchecked Sendable: both stored values are used under `condition`.
  final class Arrivals: @unchecked Sendable {
    private let condition = NSCondition()
    private var count = 0
    private var added: [String] = []

    /// Whether `number` jobs had arrived within 5 s of this one.
    func allOf(_ number: Int) -> Bool {
      condition.withLock {
        count += 1
        condition.broadcast()
        let deadline = Date(timeIntervalSinceNow: 5)
        while count < number, condition.wait(until: deadline) {}
        return count >= number
      }
    }

    func add(_ value: String) { condition.withLock { added.append(value) } }
    var values: [String] { condition.withLock { added } }
  }

  @Test func aFolderThatIsNotThereIsTheHostsProblemNotAnExit() async {
    let outcome = await Self.run("nowhere", ["true"], workingDirectory: Self.folder + "/no-such-folder")
    guard case .infrastructure(let why) = outcome.status else {
      Issue.record("\(outcome.status)")
      return
    }
    // Named before the spawn, as the step's workdir (the spawn's own chdir would say ENOENT).
    #expect(why.hasSuffix("workdir \(Self.folder)/no-such-folder does not exist"), "\(why)")
  }
}
