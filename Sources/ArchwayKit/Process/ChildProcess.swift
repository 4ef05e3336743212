#if os(Linux)
  import ArchwaySpawn
  import Foundation

  /// A step's process, started by `archway_spawn` (in a session of its own, born in its control
  /// group when it has one), its end and its time limit watched by a thread of its own, so that no
  /// amount of work on Swift concurrency's few threads can stretch the limit or turn a process that
  /// ended in time into a timeout. At the limit, or on ``terminate(grace:)``, the whole group gets
  /// SIGTERM, then SIGKILL when the grace period has passed. Once the process has ended, what is
  /// left of its group is killed and the caller's `teardown` runs, on that thread too, before its
  /// end is told.
  final class ChildProcess: Sendable {
    /// The process id, which is also its group's.
    let pid: pid_t
    private let watcher: Watcher

    /// Starts `executable` (a path) with `arguments` and exactly `environment`. Throws the
    /// system's error when the process cannot be made or its program cannot be started
    /// (`chdir`, `execve`); what the program then does is its outcome, never thrown.
    ///
    /// The process is made by the thread that then watches it, which lives until the process has
    /// been reaped: the kernel sends a parent-death signal (`bwrap --die-with-parent`, which every
    /// root filesystem step runs under) when the *thread* that made the process ends, and Swift's
    /// executor ends its idle threads, so a step started on one of them was killed mid-run. That
    /// thread watches from the moment it has made the process, waiting for no one, and is one of
    /// ``WatcherThreads``, kept for the next step once its process is reaped.
    init(
      executable: String, arguments: [String], environment: [String: String], workingDirectory: String?,
      input: Int32, output: Int32, error: Int32, cgroup: Int32, limit: Duration, grace: Duration,
      teardown: @escaping @Sendable () -> Void = {}
    ) throws(ChildProcessError) {
      let argv = [executable] + arguments
      let envp = environment.map { "\($0.key)=\($0.value)" }
      let watcher = Watcher()
      WatcherThreads.shared.run {
        func spawn(into group: Int32) -> pid_t {
          withCStrings(argv) { argv in
            withCStrings(envp) { envp in
              archway_spawn(executable, argv, envp, workingDirectory, input, output, error, group, &watcher.failure)
            }
          }
        }
        watcher.pid = spawn(into: cgroup)
        if watcher.pid < 0, cgroup >= 0, [EINVAL, E2BIG, ENOSYS].contains(watcher.failure) {
          // A kernel before 5.7 cannot start a process in a group: the marker sweep alone finds
          // what the step leaves.
          watcher.pid = spawn(into: -1)
        }
        let made = watcher.pid > 0
        watcher.started.signal()
        guard made else { return {} }
        let ending = watcher.watch(limit: limit, grace: grace, teardown: teardown)
        // Told once this thread is free for the next step's process, which the telling may start.
        return { watcher.finish(ending) }
      }
      watcher.started.wait()
      guard watcher.pid > 0 else { throw ChildProcessError(code: watcher.failure) }
      pid = watcher.pid
      self.watcher = watcher
    }

    /// How the process ended, once it has; waits for that without holding a thread.
    func end() async -> ProcessEnding { await watcher.end() }

    /// Ends the whole group now (SIGTERM, then SIGKILL after `grace`, on a thread of its own),
    /// once; returns at once.
    func terminate(grace: Duration) { watcher.terminate(grace: grace) }
  }

  /// The watching thread's side of a ``ChildProcess``: the process it made and how it ended.
  // @unchecked Sendable: `pid` and `failure` are written by the watching thread before it signals
  // `started` and only read after it; `ending`, `waiting` and `terminating` are used under `lock`.
  private final class Watcher: @unchecked Sendable {
    var pid: pid_t = -1
    var failure: Int32 = 0
    let started = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var ending: ProcessEnding?
    private var waiting: [CheckedContinuation<ProcessEnding, Never>] = []
    private var terminating = false

    /// Waits for the process's end or its limit, whichever comes first, kills what is left of its
    /// group while the ended process, not yet reaped, keeps the group's number from being handed
    /// out again, then reaps it and runs `teardown`. Returns how it ended.
    func watch(limit: Duration, grace: Duration, teardown: () -> Void) -> ProcessEnding {
      var timedOut = false
      if !endsWithin(limit) {
        timedOut = true
        end(grace: grace)
      }
      var info = siginfo_t()
      while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0, errno == EINTR {}
      kill(-pid, SIGKILL)
      while waitid(P_PID, id_t(pid), &info, WEXITED) != 0, errno == EINTR {}
      teardown()
      let status = info._sifields._sigchld.si_status
      return timedOut ? .timedOut : info.si_code == CLD_EXITED ? .exited(status) : .signaled(status)
    }

    /// Whether the process ends (becomes a zombie, not yet reaped) within `duration`: its pidfd,
    /// which turns readable once the process has ended, polled where the kernel has them (5.3),
    /// else a look every few milliseconds. With a pidfd, `waitid` is not asked as well: it says
    /// the same, and takes the lock on the kernel's list of processes that a process being made or
    /// ending holds (here, in a VM, waiting for that lock cost steps milliseconds at times).
    private func endsWithin(_ duration: Duration) -> Bool {
      let deadline = ContinuousClock.now + duration
      let descriptor = archway_pidfd_open(pid)
      defer { if descriptor >= 0 { close(descriptor) } }
      while true {
        let left = deadline - ContinuousClock.now
        guard left > .zero else { return hasExited() }
        let milliseconds = min(left.seconds * 1000 + 1, 60_000)
        if descriptor >= 0 {
          var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
          let ready = poll(&entry, 1, Int32(milliseconds))
          if ready > 0, entry.revents & Int16(POLLIN) != 0 { return true }
          // Its time passed or a signal came: the clock again. Only an error (not readable, yet
          // something to say) falls back to looking, as without a pidfd.
          if ready <= 0 { continue }
        }
        if hasExited() { return true }
        usleep(UInt32(min(milliseconds, 10) * 1000))
      }
    }

    /// Whether the process has ended, without reaping it.
    private func hasExited() -> Bool {
      var info = siginfo_t()
      return waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info._sifields._sigchld.si_pid == pid
    }

    /// SIGTERM to the group, and SIGKILL unless the process ends within `grace`; returns when it
    /// has ended or been sent SIGKILL.
    private func end(grace: Duration) {
      kill(-pid, SIGTERM)
      if !endsWithin(grace) { kill(-pid, SIGKILL) }
    }

    /// Tells those waiting for the end (``end()``) how it ended.
    func finish(_ value: ProcessEnding) {
      let waiters = lock.withLock {
        ending = value
        defer { waiting = [] }
        return waiting
      }
      for waiter in waiters { waiter.resume(returning: value) }
    }

    /// How the process ended, once it has; waits for that without holding a thread.
    func end() async -> ProcessEnding {
      await withCheckedContinuation { continuation in
        let known = lock.withLock {
          if ending == nil { waiting.append(continuation) }
          return ending
        }
        if let known { continuation.resume(returning: known) }
      }
    }

    /// Ends the whole group now (``end(grace:)`` on a thread of its own), once; returns at once.
    func terminate(grace: Duration) {
      let first = lock.withLock {
        defer { terminating = true }
        return ending == nil && !terminating
      }
      guard first else { return }
      Thread.detachNewThread { [self] in end(grace: grace) }
    }
  }

  /// The threads that make and watch steps' processes (``ChildProcess``), each kept once its
  /// process is reaped and handed the next one: a thread made and ended for every step cost a
  /// `true` step about a tenth of its time here. A kept thread never ends, so no process it made
  /// can be sent a parent-death signal early; there are never more than the most steps and probes
  /// that ran at once.
  // @unchecked Sendable: `jobs` and `free` are used under `condition`.
  final class WatcherThreads: @unchecked Sendable {
    static let shared = WatcherThreads()
    private let condition = NSCondition()
    /// Work no thread has taken yet: each job returns what to do once its thread is free again.
    private var jobs: [() -> () -> Void] = []
    /// The threads not running a job: waiting for one, about to, or just made.
    private var free = 0

    /// Runs `job` on a thread of its own at once (a kept one that is free, else a new one), then,
    /// once that thread counts as free again, what `job` returned: a job that ends by telling
    /// someone (a step's end, which may start the next step) finds its thread free for the next.
    func run(_ job: @escaping () -> () -> Void) {
      let make = condition.withLock {
        jobs.append(job)
        // Each waiting job needs a thread of its own: a free one, or a new one.
        let make = jobs.count > free
        if make { free += 1 } else { condition.signal() }
        return make
      }
      if make { Thread.detachNewThread { [self] in serve() } }
    }

    private func serve() {
      condition.lock()
      while true {
        while jobs.isEmpty { condition.wait() }
        let job = jobs.removeFirst()
        free -= 1
        condition.unlock()
        let afterwards = job()
        condition.withLock { free += 1 }
        afterwards()
        condition.lock()
      }
    }
  }

  /// Why a step's process could not be started: the system's words for the errno.
  struct ChildProcessError: Error, CustomStringConvertible {
    /// The errno of what failed (`clone3`, `chdir`, `execve`).
    var code: Int32
    var description: String { String(cString: strerror(code)) }
  }

  /// `body` given `strings` as a NULL-terminated array of C strings, valid during the call.
  private func withCStrings<Result>(
    _ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> Result
  ) -> Result {
    let copies = strings.map { strdup($0) } + [nil]
    defer { for copy in copies { free(copy) } }
    return copies.withUnsafeBufferPointer { body($0.baseAddress!) }
  }
#endif
