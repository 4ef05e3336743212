import Foundation

/// Reading a file a user or a report names: never blocking on a FIFO or a device, never reading
/// more than a limit, so a hostile path cannot hang Archway or fill its memory.
package enum RegularFile {
  /// The largest report (or `SHA256SUMS`) Archway reads back: 256 MiB.
  package static let reportLimit = 256 << 20

  /// Why a file could not be read.
  package enum Failure: Error, Sendable, Hashable, CustomStringConvertible {
    /// The system's reason: `No such file or directory`.
    case unreadable(String)
    /// A FIFO, a device, a folder: what `kind` says.
    case notRegular(kind: String)
    /// Larger than the limit.
    case tooLarge(size: Int, limit: Int)

    /// `is a FIFO, not a regular file`, `is 3 GB, above the limit of 4 MB`.
    package var description: String {
      switch self {
      case .unreadable(let reason): "cannot be read: \(reason)"
      case .notRegular(let kind): "is \(kind), not a regular file"
      case .tooLarge(let size, let limit): "is \(Self.bytes(size)), above the limit of \(Self.bytes(limit))"
      }
    }

    static func bytes(_ count: Int) -> String {
      count < 1 << 20 ? "\(count) bytes" : String(format: "%.1f MiB", Double(count) / Double(1 << 20))
    }
  }

  /// The bytes of the regular file at `path` (symbolic links followed), when it holds at most
  /// `limit` of them. Opening never waits: anything but a regular file is refused before a read.
  package static func contents(atPath path: String, limit: Int) throws(Failure) -> Data {
    let (descriptor, size) = try open(path)
    let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    guard size <= limit else { throw .tooLarge(size: size, limit: limit) }
    do {
      // One byte past the limit tells a file that grew since fstat.
      let data = try handle.read(upToCount: limit + 1) ?? Data()
      guard data.count <= limit else { throw Failure.tooLarge(size: data.count, limit: limit) }
      return data
    } catch let failure as Failure {
      throw failure
    } catch {
      throw .unreadable(systemReason(error))
    }
  }

  /// The file at `path` opened for reading, with its size, when it is a regular file: the one place
  /// Archway opens what it is told to read. The open never waits (`O_NONBLOCK`: a FIFO without a
  /// writer, a device), and anything but a regular file is closed again and refused. The caller
  /// owns the descriptor.
  package static func open(_ path: String) throws(Failure) -> (descriptor: Int32, size: Int) {
    let descriptor = Foundation.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
    guard descriptor >= 0 else { throw .unreadable(String(cString: strerror(errno))) }
    var status = stat()
    guard fstat(descriptor, &status) == 0 else {
      let reason = String(cString: strerror(errno))
      close(descriptor)
      throw .unreadable(reason)
    }
    let kind: String
    switch status.st_mode & S_IFMT {
    case S_IFREG: return (descriptor, Int(status.st_size))
    case S_IFDIR: kind = "a folder"
    case S_IFIFO: kind = "a FIFO"
    case S_IFCHR, S_IFBLK: kind = "a device"
    default: kind = "a socket"
    }
    close(descriptor)
    throw .notRegular(kind: kind)
  }
}
