import Foundation

/// A file's SHA-256, streamed: the one reading that artifacts, checksum files and a cell's reuse key
/// share (it sits in the floor, so the executor hashes as the verifier does).
package enum FileDigest {
  /// The SHA-256 of the file at `path` in lowercase hex, read in 1 MiB pieces so any size costs
  /// the same memory; nil when it cannot be read.
  /// Opening never blocks: a FIFO, a device or anything else that is not a regular file gives nil.
  package static func sha256(ofFile path: String) -> String? {
    guard let (descriptor, _) = try? RegularFile.open(path) else { return nil }
    let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    var hasher = Digest.SHA256Stream()
    do {
      while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
        hasher.update(chunk)
      }
    } catch {
      return nil
    }
    return hasher.finalize().hexString()
  }

  /// The size in bytes and the SHA-256 of the file at `path`, as an artifact's record keeps them;
  /// nil for what cannot be read.
  package static func measure(_ path: String) -> (size: Int?, sha256: String?) {
    let attributes = try? FileManager.default.attributesOfItem(atPath: path)
    return ((attributes?[.size] as? NSNumber)?.intValue, sha256(ofFile: path))
  }
}
