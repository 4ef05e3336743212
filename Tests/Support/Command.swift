import Foundation

/// What a finished process left: its exit status and everything it printed.
public struct CommandResult: Sendable {
  public let status: Int32
  public let stdout: String
  public let stderr: String
}

/// Runs test helpers and oracles (never Archway's own engine) as real processes.
public enum Command {
  /// Runs `executable` (a path, or a name looked up on PATH) with `arguments`, waits on this thread,
  /// and returns what it printed. Output goes through files so a chatty process cannot fill a pipe
  /// and block. Only for a one-time setup outside Swift concurrency; tests use ``run(_:_:environment:workingDirectory:)``.
  public static func runWaiting(
    _ executable: String, _ arguments: [String], environment: [String: String]? = nil,
    workingDirectory: String? = nil
  ) throws -> CommandResult {
    let process = Process()
    if executable.contains("/") {
      process.executableURL = URL(fileURLWithPath: executable)
      process.arguments = arguments
    } else {
      process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
      process.arguments = [executable] + arguments
    }
    if let environment { process.environment = environment }
    if let workingDirectory { process.currentDirectoryURL = URL(fileURLWithPath: workingDirectory) }
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("archway-cmd-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let out = folder.appendingPathComponent("out")
    let err = folder.appendingPathComponent("err")
    _ = FileManager.default.createFile(atPath: out.path, contents: nil)
    _ = FileManager.default.createFile(atPath: err.path, contents: nil)
    process.standardOutput = try FileHandle(forWritingTo: out)
    process.standardError = try FileHandle(forWritingTo: err)
    process.standardInput = FileHandle.nullDevice
    // The child inherits this thread's signal mask, and Dispatch's worker threads block nearly every
    // signal: a child whose event loop waits for SIGCHLD (cmake's libuv) would then wait forever.
    var none = sigset_t()
    var kept = sigset_t()
    sigemptyset(&none)
    pthread_sigmask(SIG_SETMASK, &none, &kept)
    defer { pthread_sigmask(SIG_SETMASK, &kept, nil) }
    try process.run()
    process.waitUntilExit()
    return CommandResult(
      status: process.terminationStatus,
      stdout: String(decoding: try Data(contentsOf: out), as: UTF8.self),
      stderr: String(decoding: try Data(contentsOf: err), as: UTF8.self))
  }
}

extension Command {
  /// ``runWaiting(_:_:environment:workingDirectory:)`` waited for on a thread of its own, never on
  /// one of Swift concurrency's few cooperative threads (one per core): a test holding one for the
  /// seconds a compiler or emulator takes held up every other test's work and timers, and a child
  /// that waits on work this test process does (an environment build holding a lock) deadlocked.
  public static func run(
    _ executable: String, _ arguments: [String], environment: [String: String]? = nil,
    workingDirectory: String? = nil
  ) async throws -> CommandResult {
    try await onAThreadOfItsOwn {
      Result { try runWaiting(executable, arguments, environment: environment, workingDirectory: workingDirectory) }
    }.get()
  }
}

/// `body`'s result, `body` run on a new thread rather than on one of Swift concurrency's few
/// cooperative threads, which a wait there would hold from every other test.
func onAThreadOfItsOwn<Value: Sendable>(_ body: @escaping @Sendable () -> Value) async -> Value {
  await withCheckedContinuation { continuation in
    Thread.detachNewThread { continuation.resume(returning: body()) }
  }
}

extension Process {
  /// `waitUntilExit()` on a thread of its own, for the same reason as ``Command/run(_:_:environment:workingDirectory:)``:
  /// an interrupted Archway takes its grace period to end, longer on a loaded machine. Returns
  /// when the process ended, as that thread saw it: how long the process took is then its own, not
  /// how long this test then waited for a turn on the pool.
  @discardableResult
  public func exited() async -> ContinuousClock.Instant {
    await onAThreadOfItsOwn {
      self.waitUntilExit()
      return .now
    }
  }
}
