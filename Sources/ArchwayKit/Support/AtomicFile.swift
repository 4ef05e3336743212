import Foundation

/// Writes files whole or not at all, without ever damaging what it writes to: a regular file (or a
/// new path) is written into a temporary file beside it and renamed over it; a symbolic link is
/// followed and its target replaced that way (the link stays); a device, FIFO or the process's own
/// output (`/dev/null`, `/dev/stdout`) is written through, never replaced; a folder is an error.
package enum AtomicFile {
  /// Why a path cannot be written.
  package struct Failure: Error, Sendable, CustomStringConvertible {
    /// What went wrong, in words.
    package var description: String
  }

  /// Writes `data` to `path`, creating its folder; the file it leaves has `mode` (less the umask).
  /// Throws when writing or renaming fails; the old file, if any, is then left as it was.
  package static func write(_ data: Data, to path: String, mode: mode_t = 0o644) throws(Failure) {
    var status = stat()
    if stat(path, &status) == 0 {
      switch status.st_mode & S_IFMT {
      case S_IFREG: return try replace(resolved(path), with: data, mode: mode)
      case S_IFDIR: throw Failure(description: "it is a folder")
      default: return try writeThrough(data, to: path, fifo: status.st_mode & S_IFMT == S_IFIFO)
      }
    }
    try replace(resolved(path), with: data, mode: mode)
  }

  /// Appends `data` to what is at `path` (a file the CI made, `$GITHUB_STEP_SUMMARY`): a regular file
  /// or a character device (`/dev/null`), never a FIFO, socket or folder, opened without waiting
  /// and written in full or the system's reason thrown (`No space left on device`).
  package static func append(_ data: Data, to path: String) throws(Failure) {
    let descriptor = open(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
    guard descriptor >= 0 else {
      throw Failure(description: errno == ENXIO ? "it is a FIFO no one reads" : String(cString: strerror(errno)))
    }
    defer { close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0 else { throw Failure(description: String(cString: strerror(errno))) }
    switch status.st_mode & S_IFMT {
    case S_IFREG, S_IFCHR: break
    case S_IFIFO: throw Failure(description: "it is a FIFO, not a file: nothing is appended to it")
    default: throw Failure(description: "it is not a regular file")
    }
    _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~O_NONBLOCK)
    try writeAll(data, to: descriptor)
  }

  /// `path` with its symbolic links followed, also when the last one points at nothing yet.
  static func resolved(_ path: String) -> String {
    var current = path
    for _ in 0..<40 {
      guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: current) else { break }
      current =
        target.hasPrefix("/") ? target : URL(fileURLWithPath: current).deletingLastPathComponent().path + "/" + target
    }
    return current
  }

  /// Writes into a temporary file beside `path`, then renames it over `path`.
  private static func replace(_ path: String, with data: Data, mode: mode_t) throws(Failure) {
    let url = URL(fileURLWithPath: path)
    do {
      try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    } catch {
      throw Failure(description: "cannot make its folder: \(systemReason(error))")
    }
    let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
      .path
    unlink(temporary)
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
    guard descriptor >= 0 else { throw Failure(description: String(cString: strerror(errno))) }
    do throws(Failure) {
      try writeAll(data, to: descriptor)
      guard close(descriptor) == 0 else { throw Failure(description: String(cString: strerror(errno))) }
      guard rename(temporary, url.path) == 0 else { throw Failure(description: String(cString: strerror(errno))) }
    } catch {
      close(descriptor)
      unlink(temporary)
      throw error
    }
  }

  /// Writes into what is at `path` as it is: a FIFO only when someone reads it (never waiting for one).
  private static func writeThrough(_ data: Data, to path: String, fifo: Bool) throws(Failure) {
    let descriptor = open(path, O_WRONLY | O_CLOEXEC | (fifo ? O_NONBLOCK : 0))
    guard descriptor >= 0 else {
      throw Failure(description: errno == ENXIO ? "it is a FIFO no one reads" : String(cString: strerror(errno)))
    }
    defer { close(descriptor) }
    if fifo { _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~O_NONBLOCK) }
    try writeAll(data, to: descriptor)
  }

  /// Writes every byte of `data`, or throws the system's reason (`No space left on device`).
  package static func writeAll(_ data: Data, to descriptor: Int32) throws(Failure) {
    let failed: Int32? = data.withUnsafeBytes { buffer in
      var offset = 0
      while offset < buffer.count {
        let written = Foundation.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
        if written < 0, errno == EINTR { continue }
        guard written > 0 else { return errno }
        offset += written
      }
      return nil
    }
    if let failed { throw Failure(description: String(cString: strerror(failed))) }
  }
}
