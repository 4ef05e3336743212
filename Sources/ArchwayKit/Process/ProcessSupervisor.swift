import Foundation
import Subprocess
import SystemPackage

/// What to run for one step, already wrapped by its runner.
package struct ProcessLaunch: Sendable {
  /// argv[0] is a path or a name looked up on the environment's `PATH`.
  package var argv: [String]
  /// The whole environment of the process (nothing else is inherited).
  package var environment: [String: String]
  /// The working directory; the current one when nil.
  package var workingDirectory: String?
  /// Bytes for standard input; `/dev/null` when nil.
  package var stdin: String?
  /// The time limit.
  package var timeout: Duration
  /// Where standard output and standard error are streamed.
  package var stdoutLog: String
  /// See ``stdoutLog``.
  package var stderrLog: String
  /// Whether the program leaves a daemon behind on purpose (`podman run -d` leaves conmon, which
  /// holds the container's output and its exit): then only its process group is ended with it;
  /// it is not started in a control group of its own and no marker sweep follows it.
  package var leavesDaemon = false

  /// Creates a launch.
  package init(
    argv: [String], environment: [String: String], workingDirectory: String? = nil,
    stdin: String? = nil, timeout: Duration, stdoutLog: String, stderrLog: String
  ) {
    self.argv = argv
    self.environment = environment
    self.workingDirectory = workingDirectory
    self.stdin = stdin
    self.timeout = timeout
    self.stdoutLog = stdoutLog
    self.stderrLog = stderrLog
  }
}

extension ProcessLaunch {
  /// A launch whose output goes to `logs.stdout.log` and `logs.stderr.log`.
  package init(
    argv: [String], environment: [String: String], workingDirectory: String? = nil,
    stdin: String? = nil, timeout: Duration, logs: String
  ) {
    self.init(
      argv: argv, environment: environment, workingDirectory: workingDirectory, stdin: stdin,
      timeout: timeout, stdoutLog: logs + ".stdout.log", stderrLog: logs + ".stderr.log")
  }
}

/// Runs one process per step in its own session (so its own process group), streams its output to
/// log files, ends it at its time limit or when the calling task is cancelled — SIGTERM to the whole
/// group, a grace period, then SIGKILL — and never leaves a member of the group behind.
///
/// A failing, crashing, hanging or missing program is a ``StepStatus``, never a thrown error.
package enum ProcessSupervisor {
  /// How many bytes of the head and of the tail of each stream are kept in memory.
  package static let captureLimit = 4096
  /// How long a process tree has between SIGTERM and SIGKILL.
  package static let gracePeriod: Duration = .seconds(2)

  /// Runs `launch` to its end and returns its outcome.
  package static func run(_ launch: ProcessLaunch) async -> ProcessOutcome {
    let start = ContinuousClock.now
    var outcome = ProcessOutcome(argv: launch.argv, status: .skipped(""))
    outcome.stdoutLog = launch.stdoutLog
    outcome.stderrLog = launch.stderrLog
    guard let program = launch.argv.first, let executable = locate(program, path: launch.environment["PATH"]) else {
      outcome.status = .infrastructure("no program '\(launch.argv.first ?? "")' on PATH")
      return outcome
    }
    // A workdir that is not there would fail the spawn as the program's "No such file or directory".
    if let folder = launch.workingDirectory {
      var status = stat()
      guard stat(folder, &status) == 0, status.st_mode & S_IFMT == S_IFDIR else {
        let what = errno == ENOENT || errno == ENOTDIR ? "does not exist" : String(cString: strerror(errno))
        let problem = status.st_mode & S_IFMT == 0 ? what : "is not a folder"
        outcome.status = .infrastructure("the step's workdir \(folder) \(problem)")
        return outcome
      }
    }
    do {
      outcome.status = try await runToEnd(launch, executable: executable)
    } catch {
      // Cancellation (Archway interrupted) ended the process tree through the teardown sequence.
      outcome.status = Task.isCancelled ? .interrupted : .infrastructure("\(program): \(error)")
    }
    if outcome.status != .interrupted, let folder = fullDisk(holding: launch.stdoutLog) {
      // The program met a full disk writing its own output: whatever it did after, the step's
      // failure is the host's, and its logs are cut short.
      outcome.status = .infrastructure(
        "no space left on the disk holding \(folder): the step's output could not be written (\(outcome.status))")
    }
    outcome.duration = (ContinuousClock.now - start).seconds
    (outcome.stdoutHead, outcome.stdoutTail, outcome.stdoutBytes) = headAndTail(of: launch.stdoutLog)
    (outcome.stderrHead, outcome.stderrTail, outcome.stderrBytes) = headAndTail(of: launch.stderrLog)
    return outcome
  }

  private static func runToEnd(_ launch: ProcessLaunch, executable: String) async throws -> StepStatus {
    for folder in Set([launch.stdoutLog, launch.stderrLog].map(folder(of:))) where mkdir(folder, 0o755) != 0 {
      // Already there (a cell's steps share one), else made with the folders it is in.
      if errno == ENOENT { try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
    }
    let out = try freshFile(launch.stdoutLog)
    let err = try freshFile(launch.stderrLog)
    let input = try stdinDescriptor(launch.stdin, beside: launch.stdoutLog)
    var environment = launch.environment
    let marker = launch.leavesDaemon ? nil : OrphanSweep.marker()
    environment[OrphanSweep.variable] = marker
    let cgroup = marker.flatMap { StepCgroup.make(marker: $0) }
    let births = marker == nil ? nil : OrphanSweep.Births.now()
    // Whatever happened, no member of the step's group, nor any process that left it, outlives it:
    // after the group (its end is the waiting's), its control group and what carries its marker.
    let teardown: @Sendable () -> Void = {
      cgroup?.killAll()
      if let marker { OrphanSweep.kill(marker: marker, bornSince: births) }
    }
    let ending = try await wait(
      launch, executable: executable, environment: environment, descriptors: (input, out, err), cgroup: cgroup,
      teardown: teardown)
    // Cancelled (Archway interrupted): the teardown's SIGTERM may have ended the process before the
    // cancellation reached `run`, so its signal is ours, not the program's.
    if Task.isCancelled { return .interrupted }
    switch ending {
    case .timedOut: return .timedOut(seconds: launch.timeout.seconds)
    case .exited(let code): return .exited(code)
    case .signaled(let signal): return .signaled(signalName(signal))
    }
  }

  #if os(Linux)
    /// Starts the step's process (born in its control group, where it has one) and waits for its
    /// end or its limit, which the process's own watcher keeps; at the limit, or when the calling
    /// task is cancelled, the whole group gets SIGTERM, then SIGKILL after the grace period, and
    /// its end is awaited. `teardown` runs on the watcher's thread once the group is ended, never on
    /// Swift's pool, whose few threads the other cells' steps wait for.
    private static func wait(
      _ launch: ProcessLaunch, executable: String, environment: [String: String],
      descriptors: (FileDescriptor, FileDescriptor, FileDescriptor), cgroup: StepCgroup?,
      teardown: @escaping @Sendable () -> Void
    ) async throws -> ProcessEnding {
      var (program, arguments) = (executable, Array(launch.argv.dropFirst()))
      if let cgroup, cgroup.descriptor < 0 {
        (program, arguments) = cgroup.wrap(executable: program, arguments: arguments)
      }
      let child: ChildProcess
      do {
        defer {
          for descriptor in [descriptors.0, descriptors.1, descriptors.2] { try? descriptor.close() }
          cgroup?.closeDescriptor()
        }
        child = try ChildProcess(
          executable: program, arguments: arguments, environment: environment,
          workingDirectory: launch.workingDirectory, input: descriptors.0.rawValue, output: descriptors.1.rawValue,
          error: descriptors.2.rawValue, cgroup: cgroup?.descriptor ?? -1, limit: launch.timeout,
          grace: gracePeriod, teardown: teardown)
      } catch {
        teardown()
        throw error
      }
      return await withTaskCancellationHandler {
        await child.end()
      } onCancel: {
        child.terminate(grace: gracePeriod)
      }
    }
  #else
    /// As on Linux, through swift-subprocess (without a group to be born in: a v1-style wrap).
    private static func wait(
      _ launch: ProcessLaunch, executable: String, environment: [String: String],
      descriptors: (FileDescriptor, FileDescriptor, FileDescriptor), cgroup: StepCgroup?,
      teardown: @escaping @Sendable () -> Void
    ) async throws -> ProcessEnding {
      let leader = LeaderBox()
      defer {
        leader.killGroup()
        teardown()
      }
      var options = PlatformOptions()
      options.createSession = true
      options.teardownSequence = [
        .send(signal: .terminate, toProcessGroup: true, allowedDurationToNextStep: gracePeriod),
        .send(signal: .kill, toProcessGroup: true, allowedDurationToNextStep: .milliseconds(200)),
      ]
      var keyed: [Environment.Key: String] = [:]
      for (key, value) in environment { keyed[Environment.Key(stringLiteral: key)] = value }
      let configuration = Configuration(
        executable: .path(FilePath(executable)), arguments: Arguments(Array(launch.argv.dropFirst())),
        environment: .custom(keyed), workingDirectory: launch.workingDirectory.map { FilePath($0) },
        platformOptions: options)
      return try await withThrowingTaskGroup(of: ProcessEnding.self) { group in
        group.addTask {
          let result = try await Subprocess.run(
            configuration, input: .fileDescriptor(descriptors.0, closeAfterSpawningProcess: true),
            output: .fileDescriptor(descriptors.1, closeAfterSpawningProcess: true),
            error: .fileDescriptor(descriptors.2, closeAfterSpawningProcess: true)
          ) { execution in
            leader.set(execution.processIdentifier.value)
          }
          switch result.terminationStatus {
          case .exited(let code): return .exited(code)
          case .signaled(let signal): return .signaled(signal)
          }
        }
        group.addTask {
          try await Task.sleep(for: launch.timeout)
          if leader.hasEnded() { try await Task.sleep(for: .seconds(60)) }
          return .timedOut
        }
        defer { group.cancelAll() }
        return try await group.next()!
      }
    }
  #endif

  /// Standard input: a file holding `text` next to the logs, or /dev/null.
  private static func stdinDescriptor(_ text: String?, beside log: String) throws -> FileDescriptor {
    guard let text else { return try FileDescriptor.open("/dev/null", .readOnly) }
    let path = log + ".stdin"
    let file = try freshFile(path)
    defer { try? file.close() }
    _ = try file.writeAll(Array(text.utf8))
    return try FileDescriptor.open(FilePath(path), .readOnly, options: [.noFollow])
  }

  /// An empty file of ours at `path`, for writing. An earlier run's log there, a regular file of
  /// ours with no other name, is emptied and kept: a new file a step costs the file system an inode,
  /// and ext4 looks through its recently freed ones for each (a third of a `true` step's time here).
  /// Whatever else is there (a symbolic link, FIFO or hard link someone planted in a predictable out
  /// folder) is removed first, and the file is made exclusively without following links, so nothing
  /// elsewhere is ever written.
  static func freshFile(_ path: String) throws -> FileDescriptor {
    if let kept = emptied(path) { return kept }
    unlink(path)
    return try FileDescriptor.open(
      FilePath(path), .writeOnly, options: [.create, .exclusiveCreate, .noFollow],
      permissions: [.ownerReadWrite, .groupRead, .otherRead])
  }

  /// The file at `path` opened for writing and emptied when it is a regular file of ours with one
  /// name, the same file before and after it was opened (without following a link, nor waiting for
  /// a FIFO's reader); nil, and nothing changed, otherwise.
  private static func emptied(_ path: String) -> FileDescriptor? {
    func ours(_ status: stat) -> Bool {
      status.st_mode & S_IFMT == S_IFREG && status.st_nlink == 1 && status.st_uid == geteuid()
    }
    var named = stat()
    guard lstat(path, &named) == 0, ours(named) else { return nil }
    let descriptor = open(path, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
    guard descriptor >= 0 else { return nil }
    var opened = stat()
    guard fstat(descriptor, &opened) == 0, opened.st_dev == named.st_dev, opened.st_ino == named.st_ino,
      ours(opened), ftruncate(descriptor, 0) == 0, fcntl(descriptor, F_SETFL, 0) == 0
    else {
      close(descriptor)
      return nil
    }
    return FileDescriptor(rawValue: descriptor)
  }

  /// The folder of `log` when the disk holding it has no block left for us, else nil.
  static func fullDisk(holding log: String) -> String? {
    let folder = folder(of: log)
    var info = statvfs()
    guard statvfs(folder, &info) == 0, info.f_blocks > 0 else { return nil }
    return (geteuid() == 0 ? info.f_bfree : info.f_bavail) == 0 ? folder : nil
  }

  /// The executable `name` resolves to through `path` (a path is taken as it is), or nil.
  static func locate(_ name: String, path: String?) -> String? {
    if name.contains("/") { return executable(name) ? name : nil }
    for folder in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
      let candidate = "\(folder)/\(name)"
      if executable(candidate) { return candidate }
    }
    return nil
  }

  /// Whether this process may execute the file at `path` (not a folder), asked of the system
  /// directly: every step looks its program up along `PATH`.
  private static func executable(_ path: String) -> Bool {
    var status = stat()
    return access(path, X_OK) == 0 && stat(path, &status) == 0 && status.st_mode & S_IFMT != S_IFDIR
  }

  /// The folder `path` is in (`.` for a bare name).
  static func folder(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return slash == path.startIndex ? "/" : String(path[..<slash])
  }

  /// The first and last ``captureLimit`` bytes of a log, and its size; reads nothing in between.
  /// (Both logs are read after every step: plain system calls, and only a regular file.)
  static func headAndTail(of path: String) -> (head: String, tail: String, bytes: Int) {
    guard let (descriptor, size) = try? RegularFile.open(path) else { return ("", "", 0) }
    defer { close(descriptor) }
    func text(at offset: Int, count: Int) -> String {
      let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, filled in
        filled = max(0, pread(descriptor, buffer.baseAddress, count, off_t(offset)))
      }
      return String(decoding: bytes, as: UTF8.self)
    }
    let head = text(at: 0, count: min(size, captureLimit))
    let tail = size > captureLimit ? text(at: max(captureLimit, size - captureLimit), count: captureLimit) : ""
    return (head, tail, size)
  }

  /// `SIGSEGV` for 11, and so on; `signal N` for one without a name here.
  package static func signalName(_ number: Int32) -> String {
    let names: [Int32: String] = [
      SIGHUP: "SIGHUP", SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGILL: "SIGILL", SIGTRAP: "SIGTRAP", SIGABRT: "SIGABRT",
      SIGBUS: "SIGBUS", SIGFPE: "SIGFPE", SIGKILL: "SIGKILL", SIGUSR1: "SIGUSR1", SIGSEGV: "SIGSEGV",
      SIGUSR2: "SIGUSR2", SIGPIPE: "SIGPIPE", SIGALRM: "SIGALRM", SIGTERM: "SIGTERM", SIGXCPU: "SIGXCPU",
      SIGXFSZ: "SIGXFSZ", SIGSYS: "SIGSYS",
    ]
    return names[number] ?? "signal \(number)"
  }
}

/// How a step's process ended.
enum ProcessEnding: Sendable, Equatable {
  case exited(Int32)
  case signaled(Int32)
  /// Still running at its limit, so ended by us (how it then ended is beside the point).
  case timedOut
}

#if !os(Linux)
  /// The step's process id, set once swift-subprocess has started it, so its group can be killed at
  /// the end (on Linux a ``ChildProcess`` ends its own).
  // @unchecked Sendable: the one stored value is guarded by the lock.
  final class LeaderBox: @unchecked Sendable {
    private let lock = NSLock()
    private var pid: pid_t?

    func set(_ value: pid_t) { lock.withLock { pid = value } }

    /// Whether the step's process has started and already ended (a zombie, or reaped and gone).
    func hasEnded() -> Bool {
      guard let pid = lock.withLock({ pid }) else { return false }
      return !OrphanSweep.isRunning(pid)
    }

    /// SIGKILL to the whole group the step's session leader made (its id is the leader's pid).
    func killGroup() {
      if let pid = lock.withLock({ pid }) { kill(-pid, SIGKILL) }
    }
  }
#endif
