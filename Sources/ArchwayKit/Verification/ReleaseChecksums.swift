import Foundation

/// A release's checksum files checked against the files beside them, as `sha256sum -c` would and
/// more: every line's file must be there and match, and every artifact (a binary or an archive)
/// beside a checksum file must be listed in one. goreleaser writes `{name}_{version}_checksums.txt`,
/// cargo-dist a `.sha256` per archive and `sha256.sum`, many projects `SHA256SUMS`.
package enum ReleaseChecksums {
  /// Whether `name` is a checksum file's name.
  package static func isChecksumFile(_ name: String) -> Bool {
    let name = name.lowercased()
    return ["checksums.txt", "sha256sums", "sha256sums.txt", "sha256.sum", "checksums.sha256"].contains(name)
      || name.hasSuffix("_checksums.txt") || name.hasSuffix("-checksums.txt") || name.hasSuffix(".sha256")
      || name.hasSuffix(".sha256sum")
  }

  /// A verdict for each checksum file that fails (a line that is not a SHA-256 line, a file it lists
  /// that is not there or differs, a path out of its folder) and for each artifact beside one that no
  /// checksum file lists. The files are read from `inspected`'s files found or named (not members).
  package static func verify(_ inspected: [(InspectTarget, BinaryFacts)]) -> [ArtifactVerdict] {
    let files = inspected.filter { !$0.0.path.contains("!") }
    var verdicts: [ArtifactVerdict] = []
    var listed: [String: Set<String>] = [:]  // folder → names listed there
    var folders: [String: String] = [:]  // folder → a checksum file's name there
    for (target, facts) in files where isChecksumFile((target.path as NSString).lastPathComponent) {
      let folder = (target.path as NSString).deletingLastPathComponent
      let name = (target.path as NSString).lastPathComponent
      folders[folder] = folders[folder] ?? name
      let (entries, problems) = read(target.path)
      var violations = problems.map { Violation(check: .checksum, expected: "SHA-256 lines", found: $0, message: $0) }
      for (listedName, hash) in entries {
        listed[folder, default: []].insert(listedName)
        let path = folder.isEmpty ? listedName : folder + "/" + listedName
        guard !listedName.hasPrefix("/"), !listedName.split(separator: "/").contains("..") else {
          let message = "lists \(listedName), a path out of its folder: not read"
          violations.append(
            Violation(check: .checksum, expected: "a file beside it", found: listedName, message: message))
          continue
        }
        var status = stat()
        if lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFLNK {
          let message = "lists \(listedName), a symbolic link: not followed"
          violations.append(Violation(check: .checksum, expected: "a file", found: "a link", message: message))
          continue
        }
        guard let actual = FileDigest.sha256(ofFile: path) else {
          let message = "lists \(listedName), which is not there"
          violations.append(Violation(check: .checksum, expected: hash, found: "no file", message: message))
          continue
        }
        if actual != hash {
          let message = "says \(listedName) has SHA-256 \(hash), but it has \(actual)"
          violations.append(Violation(check: .checksum, expected: hash, found: actual, message: message))
        }
      }
      if !violations.isEmpty {
        verdicts.append(ArtifactVerdict(path: target.path, facts: facts, violations: violations))
      }
    }
    // Every artifact beside a checksum file is listed in one of that folder's.
    for (target, facts) in files where facts.format != .unknown || facts.archive != nil {
      let folder = (target.path as NSString).deletingLastPathComponent
      guard let sums = folders[folder], !(listed[folder] ?? []).contains((target.path as NSString).lastPathComponent)
      else { continue }
      let message = "is listed in no checksum file beside it (\(sums))"
      verdicts.append(
        ArtifactVerdict(
          path: target.path, facts: facts,
          violations: [Violation(check: .checksum, expected: "a SHA-256 line", found: "none", message: message)]))
    }
    return verdicts
  }

  /// The (name, SHA-256) entries of the checksum file at `path`, and what could not be read: GNU's
  /// `HASH  NAME` and `HASH *NAME`, BSD's `SHA256 (NAME) = HASH`, or a `.sha256` file's lone hash
  /// (for the file it is named after).
  static func read(_ path: String) -> (entries: [(String, String)], problems: [String]) {
    let name = (path as NSString).lastPathComponent
    let data: Data
    do {
      data = try RegularFile.contents(atPath: path, limit: 16 << 20)
    } catch {
      return ([], ["cannot be read: \(error)"])
    }
    var entries: [(String, String)] = []
    var problems: [String] = []
    let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
    for (number, raw) in lines.enumerated() {
      let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
      if line.allSatisfy(\.isWhitespace) { continue }
      if let bsd = line.wholeMatch(of: /SHA256 \((.+)\) = ([0-9a-fA-F]{64})/) {
        entries.append((String(bsd.1), bsd.2.lowercased()))
      } else if line.count == 64, line.allSatisfy(\.isHexDigit), lines.count == 1,
        name.lowercased().hasSuffix(".sha256")
      {
        entries.append((String(name.dropLast(7)), line.lowercased()))
      } else if let gnu = try? Checksums.parse(String(line), named: name), let (file, hash) = gnu.first {
        entries.append((file, hash))
      } else {
        let kind = line.prefix { $0.isHexDigit }.count == 128 ? " (a SHA-512 line: not checked)" : ""
        problems.append("line \(number + 1) is not a SHA-256 line\(kind): '\(line.prefix(80))'")
      }
    }
    if entries.isEmpty, problems.isEmpty { problems.append("lists no file") }
    return (entries, problems)
  }
}
