import Foundation

extension ReuseOffer {
  /// Why an earlier build's files cannot be taken into a cell's folder; the cell then builds.
  struct Untaken: Error, CustomStringConvertible {
    var description: String
  }

  /// Brings what the earlier build left into `cell`'s folder: its artifacts and every other file its
  /// key holds (`outputs`), each copied from ``folder`` (or left in place when it is the same file)
  /// and found to have the SHA-256 and permissions that key holds, and then its build step's logs;
  /// returns that step, its logs in the cell's folder. Fails, having removed the files and folders
  /// it made, when a path is not a plain relative one, a file is not a regular file of ``folder``
  /// with those bytes, the earlier build left a link or something that is not a file, an artifact
  /// is a member of an archive (the archive is not keyed), a file or log cannot be written inside
  /// the cell's folder without following a link, or the run is interrupted.
  func takeBuild(of cell: Cell) -> Result<StepOutcome, Untaken> {
    guard let build else { return .failure(Untaken(description: "the earlier cell had no build")) }
    var files: [(relative: String, entry: String)] = []
    for (name, path) in cell.steps.artifacts.sorted(by: { $0.key < $1.key }) {
      guard cell.steps.members[name] == nil else {
        return .failure(Untaken(description: "its artifact \(name) is a member of an archive, which is not keyed"))
      }
      guard let entry = key.artifacts[name], path.hasPrefix(cell.out + "/") else {
        return .failure(Untaken(description: "the earlier run has no digest of its artifact \(name)"))
      }
      files.append((String(path.dropFirst(cell.out.count + 1)), entry))
    }
    files += key.outputs.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    var made = Made()
    for file in files {
      do throws(Untaken) {
        guard let (sha256, mode) = Self.digestAndMode(file.entry) else {
          throw Untaken(description: "the earlier build left \(file.relative), which is not a regular file")
        }
        guard !Task.isCancelled else { throw Untaken(description: "the run was interrupted") }
        try copy(file.relative, sha256: sha256, mode: mode, into: cell.out, made: &made)
      } catch {
        made.undo()
        return .failure(error)
      }
    }
    switch Self.steps([build.step], of: folder, in: cell.out) {
    case .success(let steps): return .success(steps[0])
    case .failure(let missing):
      made.undo()
      return .failure(Untaken(description: missing.description))
    }
  }

  /// What taking a build made in the cell's folder, to be removed when it is not taken after all.
  private struct Made {
    var files: [String] = []
    var folders: [String] = []

    /// Removes the files, then the folders, innermost first.
    func undo() {
      for path in files { unlink(path) }
      for path in folders.reversed() { rmdir(path) }
    }
  }

  /// A key's entry for a regular file, `HEX mode 755`, as its SHA-256 and permissions; nil for any
  /// other (a link's target, a kind, an unknown).
  private static func digestAndMode(_ entry: String) -> (sha256: String, mode: mode_t)? {
    let parts = entry.split(separator: " ")
    guard parts.count == 3, parts[1] == "mode", parts[0].utf8.count == 64,
      parts[0].utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }),
      let mode = mode_t(parts[2], radix: 8), mode <= 0o7777
    else { return nil }
    return (String(parts[0]), mode)
  }

  /// Copies ``folder``/`relative` to `out`/`relative`, hashing it on the way: a new file with the
  /// permissions `mode` the earlier key holds, made with `O_EXCL | O_NOFOLLOW` in folders made or
  /// found one at a time, none of them a link. A file that is already the source (the same folder,
  /// under any name) is checked where it is.
  private func copy(
    _ relative: String, sha256: String, mode: mode_t, into out: String, made: inout Made
  ) throws(Untaken) {
    let components = relative.split(separator: "/", omittingEmptySubsequences: false)
    guard !relative.hasPrefix("/"), !components.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
      throw Untaken(description: "the earlier key names \(relative.debugDescription), not a path inside its folder")
    }
    let source = folder + "/" + relative
    let resolved: String
    switch ArtifactFile.check(source, folder: folder) {
    case .file(let path): resolved = path
    case .missing: throw Untaken(description: "\(source) is not there")
    case .refused(let why): throw Untaken(description: why)
    }
    guard let (input, _) = try? RegularFile.open(resolved) else {
      throw Untaken(description: "\(source) cannot be read")
    }
    defer { close(input) }
    var status = stat()
    fstat(input, &status)
    var parent = out
    for component in components.dropLast() {
      parent += "/" + component
      var found = stat()
      if lstat(parent, &found) != 0 {
        guard mkdir(parent, 0o755) == 0 else {
          throw Untaken(description: "\(parent) cannot be made: \(String(cString: strerror(errno)))")
        }
        made.folders.append(parent)
      } else if found.st_mode & S_IFMT != S_IFDIR {
        throw Untaken(
          description: "\(parent) is \(ArtifactFile.kind(found.st_mode)), not a folder; nothing is written through it")
      }
    }
    let destination = out + "/" + relative
    var there = stat()
    if lstat(destination, &there) == 0 {
      if there.st_dev == status.st_dev, there.st_ino == status.st_ino {
        // The earlier run's own file (a run into its folder): checked where it is.
        guard FileDigest.sha256(ofFile: resolved) == sha256, status.st_mode & 0o7777 == mode else {
          throw Untaken(description: "\(source) changed since the earlier run")
        }
        return
      }
      // What an earlier run left at that path is the build's to replace, as a build would.
      unlink(destination)
    }
    let output = open(destination, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
    guard output >= 0 else {
      throw Untaken(description: "\(destination) cannot be made: \(String(cString: strerror(errno)))")
    }
    made.files.append(destination)
    // The permissions the earlier run's file had, whatever the umask (or the earlier folder) says now.
    fchmod(output, mode)
    var hasher = Digest.SHA256Stream()
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    var failure: String?
    while failure == nil {
      let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
      if count == 0 { break }
      guard count > 0 else {
        failure = "\(source) cannot be read: \(String(cString: strerror(errno)))"
        break
      }
      hasher.update(Data(buffer[0..<count]))
      var done = 0
      while done < count {
        let wrote = buffer.withUnsafeBytes { write(output, $0.baseAddress! + done, count - done) }
        guard wrote > 0 else {
          failure = "\(destination) cannot be written: \(String(cString: strerror(errno)))"
          break
        }
        done += wrote
      }
    }
    close(output)
    if failure == nil, hasher.finalize().hexString() != sha256 { failure = "\(source) changed since the earlier run" }
    if let failure { throw Untaken(description: failure) }
  }
}
