import Foundation

/// Whether what is at a path may be read as a cell's file (an artifact the build left, a step's log
/// a report names): a regular file that resolves inside the cell's folder, and whose other hard
/// links (if any) are inside it too.
/// Nothing is opened for reading here, so a FIFO or a device never blocks.
enum ArtifactFile {
  /// The most entries of a cell's folder walked to account for an artifact's hard links.
  static let linkSearchLimit = 200_000

  /// The artifact's resolved path, or why it cannot be the artifact.
  enum Found: Equatable {
    case file(String)
    case missing
    case refused(String)
  }

  /// Checks the artifact at `path` against the cell's `folder`.
  static func check(_ path: String, folder: String) -> Found {
    var status = stat()
    guard lstat(path, &status) == 0 else { return .missing }
    guard let resolved = real(path) else { return .refused("\(path) is a symbolic link to nothing") }
    let root = real(folder) ?? folder
    guard resolved.hasPrefix(root + "/") else {
      return .refused("\(path) points outside the cell's folder, to \(resolved); nothing there is read")
    }
    guard stat(resolved, &status) == 0 else { return .missing }
    switch status.st_mode & S_IFMT {
    case S_IFREG: break
    case S_IFDIR: return .refused("\(path) is a folder, not a file")
    default: return .refused("\(path) is \(kind(status.st_mode)), not a regular file; it is not read")
    }
    if status.st_nlink > 1 {
      let inside = links(to: status, in: root)
      if inside < Int(status.st_nlink) {
        return .refused(
          "\(path) is a hard link to a file with \(status.st_nlink) names, only \(inside) of them in the cell's"
            + " folder; it may be a file from elsewhere, so it is not read")
      }
    }
    return .file(resolved)
  }

  /// `path` with every symbolic link followed, or nil when it leads nowhere.
  private static func real(_ path: String) -> String? {
    guard let pointer = realpath(path, nil) else { return nil }
    defer { free(pointer) }
    return String(cString: pointer)
  }

  /// `a FIFO`, `a character device`, …
  static func kind(_ mode: mode_t) -> String {
    switch mode & S_IFMT {
    case S_IFIFO: "a FIFO"
    case S_IFCHR: "a character device"
    case S_IFBLK: "a block device"
    case S_IFSOCK: "a socket"
    case S_IFLNK: "a symbolic link"
    default: "not a regular file"
    }
  }

  /// How many names of the file `status` describes lie under `folder` (symbolic links not followed),
  /// walking at most ``linkSearchLimit`` entries.
  private static func links(to status: stat, in folder: String) -> Int {
    guard let walker = FileManager.default.enumerator(atPath: folder) else { return 0 }
    var found = 0
    var walked = 0
    while let relative = walker.nextObject() as? String, walked < linkSearchLimit {
      walked += 1
      var entry = stat()
      guard lstat(folder + "/" + relative, &entry) == 0 else { continue }
      if entry.st_ino == status.st_ino && entry.st_dev == status.st_dev { found += 1 }
    }
    return found
  }
}
