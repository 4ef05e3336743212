import Foundation

/// Where an artifact lies, for what its loader looks for beside it: the DLLs in a Windows program's
/// folder, the files dyld finds through `@loader_path`, `@executable_path` and `@rpath`. Only the
/// file system is asked (is there a regular file?); nothing is read, and nothing outside `root`
/// counts, so a library on the build machine never passes for one the release ships.
package struct ArtifactPlace: Sendable, Hashable {
  /// The artifact's folder, absolute and standardized.
  package let folder: String
  /// The folder a looked-up file must lie in: the cell's, or the folder named to `verify`.
  package let root: String
  /// Lower-cased names of DLLs that lie beside the artifact without being files: an archive
  /// member's sibling members, what a wheel's host (CPython for Windows) ships beside `python.exe`.
  package var provided: Set<String> = []
  /// Whether the folder is one on disk; an archive member's (`a.zip!bin`) is not, and nothing on
  /// disk lies beside it.
  private var onDisk = true

  /// The place of the artifact at `path`, bounded by `root` (by default its own folder).
  package init(artifact path: String, root: String? = nil) {
    let absolute = URL(fileURLWithPath: path).standardizedFileURL
    folder = absolute.deletingLastPathComponent().path
    self.root = root.map { URL(fileURLWithPath: $0).standardizedFileURL.path } ?? folder
  }

  /// The place of a member of an archive, in the archive's folder `folder` (`dist/a.zip!bin`),
  /// beside what `provided` names only.
  package init(member folder: String, provided: Set<String>) {
    self.folder = folder
    root = folder
    self.provided = provided
    onDisk = false
  }

  /// The lower-cased names of the regular `.dll` files in the folder, where Windows looks for a
  /// DLL first; of its first 10,000 entries (a folder of more is no program's folder).
  package func dllNames() -> Set<String> {
    guard onDisk, let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return provided }
    return provided.union(
      names.prefix(10_000).filter { name in
        var status = stat()
        return name.lowercased().hasSuffix(".dll") && lstat(folder + "/" + name, &status) == 0
          && status.st_mode & S_IFMT == S_IFREG
      }.map { $0.lowercased() })
  }

  /// Whether `path` (absolute, or relative to the folder) names a regular file inside `root`, its
  /// symbolic links resolved.
  package func holds(_ path: String) -> Bool {
    guard onDisk else { return false }
    let absolute = path.hasPrefix("/") ? path : folder + "/" + path
    let resolved = URL(fileURLWithPath: absolute).resolvingSymlinksInPath().standardizedFileURL.path
    var status = stat()
    return (resolved == root || resolved.hasPrefix(root == "/" ? "/" : root + "/")) && stat(resolved, &status) == 0
      && status.st_mode & S_IFMT == S_IFREG
  }
}
