import Foundation

/// A file to inspect, and whether the user named it (rather than it being found in a folder).
package struct InspectTarget: Sendable, Hashable {
  /// The file, as given or as found in a folder.
  package let path: String
  /// Whether the user named the file (rather than it being found in a folder).
  package let named: Bool
  /// The folder the user named that the file was found in; nil for a file named itself.
  package var root: String? = nil
}

extension BinaryInspector {
  /// Why `path`, which leads to nothing, does: a loop of links, a link to what is not there, or
  /// nothing at all.
  static func nowhere(_ path: String) -> String {
    var status = stat()
    guard lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFLNK else { return "no such file or directory" }
    if stat(path, &status) != 0, errno == ELOOP { return "a loop of symbolic links" }
    let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?"
    return "a symbolic link to \(target), which does not exist"
  }

  /// The regular files under `paths`: files as given, folders walked recursively in sorted order.
  /// Symbolic links found inside folders are skipped (their targets are listed in their own right).
  ///
  /// Throws ``InspectError`` for a path that does not exist or cannot be listed.
  package static func files(in paths: [String]) throws(InspectError) -> [InspectTarget] {
    var result: [InspectTarget] = []
    let manager = FileManager.default
    for path in paths {
      var isFolder: ObjCBool = false
      guard manager.fileExists(atPath: path, isDirectory: &isFolder) else {
        throw InspectError(path: path, reason: Self.nowhere(path))
      }
      guard isFolder.boolValue else {
        result.append(InspectTarget(path: path, named: true))
        continue
      }
      guard let walker = manager.enumerator(atPath: path) else {
        throw InspectError(path: path, reason: "cannot list this folder")
      }
      var found: [String] = []
      while let relative = walker.nextObject() as? String {
        let full = path.hasSuffix("/") ? path + relative : path + "/" + relative
        var status = stat()
        guard lstat(full, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { continue }
        found.append(full)
      }
      result += found.sorted().map { InspectTarget(path: $0, named: false, root: path) }
    }
    return result
  }

  /// The facts of every file under `paths`, in the order of ``files(in:)``; reading runs on up to
  /// `jobs` files at once. A file that cannot be opened gets `error` rather than stopping the rest.
  /// Without `versionedSymbols`, ELF files' `versioned_symbols` are left empty.
  package static func inspect(
    paths: [String], jobs: Int = 2, versionedSymbols: Bool = true
  ) async throws(InspectError) -> [(InspectTarget, BinaryFacts)] {
    var all: [(InspectTarget, BinaryFacts)] = []
    try await inspect(paths: paths, jobs: jobs, versionedSymbols: versionedSymbols) { all += $0 }
    return all
  }

  /// The facts of every file under `paths`, handed to `batch` a few hundred at a time in the order
  /// of ``files(in:)``, so that what is held is two batches of facts, not a folder's: the next
  /// batch is read while `batch` takes one (for `inspect --json`, encodes and writes it). Throws
  /// ``InspectError`` for a path that does not exist or cannot be listed, before any batch.
  package static func inspect(
    paths: [String], jobs: Int = 2, versionedSymbols: Bool = true,
    batch: ([(InspectTarget, BinaryFacts)]) async -> Void
  ) async throws(InspectError) {
    let targets = try files(in: paths)
    // A task per 16 files, not per file: a task costs about as much as reading a small binary.
    let window = 16 * 8 * max(1, jobs)
    var windows = stride(from: 0, to: targets.count, by: window).map {
      Array(targets[$0..<min($0 + window, targets.count)])
    }.makeIterator()
    let read = { @Sendable (part: [InspectTarget]) async -> [(InspectTarget, BinaryFacts)] in
      let groups = stride(from: 0, to: part.count, by: 16).map { Array(part[$0..<min($0 + 16, part.count)]) }
      let facts = await groups.concurrentMap(jobs: jobs) { group in
        group.map { target in
          // An archive's members follow it, each named ARCHIVE!PATH, found inside what was named.
          inspectFileReportingErrors(atPath: target.path, versionedSymbols: versionedSymbols).enumerated().map {
            index, facts in
            index == 0 ? (target, facts) : (InspectTarget(path: facts.path, named: false, root: target.root), facts)
          }
        }
      }
      return Array(facts.joined().joined())
    }
    // One window read at a time, so they come in order.
    await withTaskGroup(of: [(InspectTarget, BinaryFacts)].self) { group in
      if let first = windows.next() { group.addTask { await read(first) } }
      while let facts = await group.next() {
        if let part = windows.next() { group.addTask { await read(part) } }
        await batch(facts)
      }
    }
  }

  private static func inspectFileReportingErrors(atPath path: String, versionedSymbols: Bool) -> [BinaryFacts] {
    do {
      return try ArchiveInspector.inspectFile(atPath: path, versionedSymbols: versionedSymbols)
    } catch {
      var facts = BinaryFacts(path: path, format: .unknown)
      facts.error = error.reason
      return [facts]
    }
  }
}
