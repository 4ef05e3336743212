import Foundation

#if os(Linux)
  import ArchwaySpawn
#endif

/// A run's guardian: a process of its own, started once the run holds its output folder, that
/// outlives the run when the run is killed (`kill -9`, the out-of-memory killer, a crash) and then
/// ends at once what the run left running, rather than the next run into that folder.
///
/// It waits on a pipe whose writing end only the run holds (close-on-exec, so no step and no
/// container engine inherits it): a byte there is the run saying it has ended its steps itself;
/// the end of the pipe without one means the run is gone. It then takes the folder's lock, which
/// went with the run, ends what ``Leftovers/sweep(out:engines:)`` finds, and writes what it did into
/// ``Leftovers/guardLog``. It is in a session of its own (a terminal's Ctrl-C is the run's to
/// handle) and holds nothing but the pipe, `/dev/null`, and the run's environment.
package final class Guardian: Sendable {
  #if os(Linux)
    /// The pipe's writing end. (The guardian's process is watched and reaped by its own thread.)
    private let pipe: Int32
  #endif

  /// Starts `argv` (Archway itself, with the arguments that make it call ``keepWatch(out:run:engines:input:)``
  /// for this run) as the guardian of this process's run; nil where it cannot be started, or off Linux.
  package static func start(argv: [String], environment: [String: String]) -> Guardian? {
    #if os(Linux)
      guard let executable = argv.first else { return nil }
      var ends: [Int32] = [-1, -1]
      guard archway_pipe_cloexec(&ends) == 0 else { return nil }
      let null = open("/dev/null", O_RDWR | O_CLOEXEC)
      defer {
        close(ends[0])
        if null >= 0 { close(null) }
      }
      guard null >= 0,
        (try? ChildProcess(
          executable: executable, arguments: Array(argv.dropFirst()), environment: environment, workingDirectory: "/",
          input: ends[0], output: null, error: null, cgroup: -1, limit: .seconds(366 * 24 * 3600), grace: .seconds(1)))
          != nil
      else {
        close(ends[1])
        return nil
      }
      return Guardian(pipe: ends[1])
    #else
      return nil
    #endif
  }

  #if os(Linux)
    private init(pipe: Int32) { self.pipe = pipe }
  #endif

  /// Tells the guardian the run has ended its steps itself, so it ends without looking. Call it
  /// once, when no step is running any longer.
  package func dismiss() {
    #if os(Linux)
      var done = UInt8(ascii: ".")
      _ = write(pipe, &done, 1)
      close(pipe)
    #endif
  }

  /// The guardian's side: waits on `input` until the run `run` (its pid) says it is done (returns
  /// nil at once) or is gone. Then, holding `out`'s lock once the run's has gone with it, ends what
  /// the run left there and returns the line it wrote to ``Leftovers/guardLog``. When another
  /// Archway takes the folder first, that one sweeps it, and this returns nil.
  package static func keepWatch(out: String, run: pid_t, engines: [String], input: Int32 = 0) async -> String? {
    var byte: UInt8 = 0
    while true {
      let count = read(input, &byte, 1)
      if count == 1 { return nil }
      if count < 0, errno == EINTR { continue }
      break
    }
    guard let lock = await takeOver(out, from: run) else { return nil }
    let swept = await Leftovers.sweep(out: out, engines: engines)
    let line =
      "\(ISO8601DateFormatter().string(from: Date())) archway (pid \(run)) ended without ending its run; "
      + (swept ?? "nothing it started was left running") + "\n"
    try? AtomicFile.write(Data(line.utf8), to: out + "/" + Leftovers.guardLog)
    withExtendedLifetime(lock) {}
    return line
  }

  /// `out`'s lock, once the run `run` no longer holds it: its descriptors close as it ends, the
  /// pipe's perhaps a moment before the lock's. Nil when another Archway holds it, or after 5 s.
  private static func takeOver(_ out: String, from run: pid_t) async -> OutputLock? {
    for _ in 0..<250 {
      if let lock = try? OutputLock(folder: out) { return lock }
      guard OutputLock.holder(of: out) == run else { return nil }
      try? await Task.sleep(for: .milliseconds(20))
    }
    return nil
  }
}
