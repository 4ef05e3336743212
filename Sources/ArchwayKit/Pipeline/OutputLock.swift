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
      var bytes = [UInt8](repeating: 0, count: 32)
      let count = pread(descriptor, &bytes, bytes.count, 0)
      close(descriptor)
      let holder = String(decoding: bytes.prefix(max(count, 0)), as: UTF8.self)
        .trimmingCharacters(in: .whitespacesAndNewlines)
      throw OutputLockError(
        "another archway\(holder.isEmpty ? "" : " (pid \(holder))") is writing into \(folder);"
          + " wait for it to end, or give another --out")
    }
    let pid = Array("\(getpid())\n".utf8)
    _ = ftruncate(descriptor, 0)
    _ = pwrite(descriptor, pid, pid.count, 0)
    self.descriptor = descriptor
  }

  deinit { close(descriptor) }
}

/// An output folder another Archway holds, or one that cannot be made or locked.
package struct OutputLockError: ArchwayError {
  /// What happened, naming the folder.
  package let description: String

  init(_ description: String) { self.description = description }
}
