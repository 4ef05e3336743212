import Foundation

/// One Archway's claim on an output folder, held while it runs or merges into it: two runs into one
/// folder would interleave their logs, and one's report would bless the other's artifacts. The
/// claim is an advisory lock on `OUT/.archway-lock`, so the system drops it however Archway ends
/// (even `kill -9`), and a leftover file never blocks the next run.
package final class OutputLock: Sendable {
  /// The lock file's name inside the output folder.
  package static let fileName = ".archway-lock"

  private let descriptor: Int32

  /// Takes the lock on `folder` (made if missing), or throws at once an ``OutputLockError`` naming
  /// the process that holds it.
  package init(folder: String) throws(OutputLockError) {
    do {
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    } catch {
      throw OutputLockError("cannot make the output folder \(folder): \(systemReason(error))")
    }
    let path = "\(folder)/\(Self.fileName)"
    let descriptor = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0o644)
    guard descriptor >= 0 else {
      throw OutputLockError("cannot lock the output folder \(folder): \(path): \(String(cString: strerror(errno)))")
    }
    var status = stat()
    guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
      close(descriptor)
      throw OutputLockError("cannot lock the output folder \(folder): \(path) is not a regular file")
    }
    guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
      let holder = Self.holder(descriptor)
      close(descriptor)
      throw OutputLockError(
        "another archway\(holder.map { " (pid \($0))" } ?? "") is writing into \(folder);"
          + " wait for it to end, or give another --out")
    }
    let pid = Array("\(getpid())\n".utf8)
    _ = ftruncate(descriptor, 0)
    _ = pwrite(descriptor, pid, pid.count, 0)
    self.descriptor = descriptor
  }

  deinit { close(descriptor) }

  /// The pid of the Archway that holds (or last held) `folder`'s lock, as it wrote it there.
  package static func holder(of folder: String) -> pid_t? {
    let descriptor = open("\(folder)/\(fileName)", O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    return holder(descriptor)
  }

  private static func holder(_ descriptor: Int32) -> pid_t? {
    var bytes = [UInt8](repeating: 0, count: 32)
    let count = pread(descriptor, &bytes, bytes.count, 0)
    return pid_t(
      String(decoding: bytes.prefix(max(count, 0)), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
  }
}

/// An output folder another Archway holds, or one that cannot be made or locked.
package struct OutputLockError: ArchwayError {
  /// What happened, naming the folder.
  package let description: String

  init(_ description: String) { self.description = description }
}
