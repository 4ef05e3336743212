import Foundation

/// Paths as text: made absolute, and compared by their parts, without touching the file system.
package enum PathText {
  /// `path` made absolute from `directory`, with `.` and `..` resolved (symbolic links are not).
  package static func absolute(_ path: String, from directory: String) -> String {
    let joined = path.hasPrefix("/") ? path : directory + "/" + path
    return URL(fileURLWithPath: joined).standardizedFileURL.path
  }

  /// Whether `path`, once `.` and `..` are resolved, lies in `folder`.
  package static func isInside(_ path: String, folder: String) -> Bool {
    func normalized(_ p: String) -> [Substring] {
      var parts: [Substring] = []
      for piece in p.split(separator: "/") where piece != "." {
        if piece == ".." {
          if parts.popLast() == nil { return [".."] }
        } else {
          parts.append(piece)
        }
      }
      return parts
    }
    let inner = normalized(path)
    let outer = normalized(folder)
    return path.hasPrefix("/") == folder.hasPrefix("/") && inner.count > outer.count
      && Array(inner.prefix(outer.count)) == outer
  }
}
