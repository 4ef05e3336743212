import Foundation

extension ArtifactMember {
  /// Unpacks the member from its archive (a regular file inside `folder`, checked as any artifact
  /// is) to `path`, Archway's own place for it in `folder`: its folders are made afresh (a link the
  /// build planted there is removed, never followed), the file is created new with mode 0755, and
  /// it is then checked as the cell's other artifacts are. What cannot be unpacked is refused with
  /// the reason.
  func unpack(to path: String, folder: String) -> ArtifactFile.Found {
    let archivePath: String
    switch ArtifactFile.check(archive, folder: folder) {
    case .missing: return .missing
    case .refused(let why): return .refused(why)
    case .file(let resolved): archivePath = resolved
    }
    let bytes: [UInt8]
    do {
      bytes = try ArchiveInspector.extract(member, fromArchiveAt: archivePath)
    } catch {
      return .refused("\(description): \(error)")
    }
    let parent = (path as NSString).deletingLastPathComponent
    guard parent.hasPrefix(folder + "/") else { return .refused("\(path) is not inside \(folder)") }
    var subfolders: [String] = []
    var walked = ""
    for part in parent.dropFirst(folder.count + 1).split(separator: "/") {
      walked += (walked.isEmpty ? "" : "/") + part
      subfolders.append(walked)
    }
    do {
      try CellExecutor.ownFolders(folder, subfolders)
    } catch {
      return .refused("cannot make \(parent): \(systemReason(error))")
    }
    unlink(path)
    let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o755)
    guard descriptor >= 0 else { return .refused("cannot write \(path): \(String(cString: strerror(errno)))") }
    defer { close(descriptor) }
    do {
      try AtomicFile.writeAll(Data(bytes), to: descriptor)
    } catch {
      return .refused("cannot write \(path): \(error)")
    }
    return ArtifactFile.check(path, folder: folder)
  }
}
