import Foundation

/// The names in a folder, as `readdir` gives them (without `.` and `..`), unsorted; none when it
/// cannot be opened. Nothing is followed or stat'ed.
package func directoryEntries(_ path: String) -> [String] {
  guard let folder = opendir(path) else { return [] }
  defer { closedir(folder) }
  var names: [String] = []
  while let entry = readdir(folder) {
    let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    if name != ".", name != ".." { names.append(name) }
  }
  return names
}
