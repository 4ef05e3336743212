import Foundation

/// The `SHA256SUMS` file `sha256sum -c` reads, and artifacts' SHA-256 filled into their facts.
package enum Checksums {
  /// `facts` with each file's SHA-256 filled in, `jobs` files hashed at once.
  package static func adding(to facts: [BinaryFacts], jobs: Int = 2) async -> [BinaryFacts] {
    let hashes = await facts.concurrentMap(jobs: jobs) { $0.memberSHA256 ?? FileDigest.sha256(ofFile: $0.path) }
    return zip(facts, hashes).map { facts, hash in
      var withHash = facts
      withHash.sha256 = hash
      return withHash
    }
  }

  /// A digest in lowercase hex.
  /// `SHA256SUMS` text: `HASH  PATH` per line, sorted by path (paths relative to where the file is
  /// written, so `sha256sum -c` run there checks them). A path holding a backslash, newline or
  /// carriage return is written as GNU sha256sum writes it: the line starts with `\` and the path
  /// has `\\`, `\n` and `\r` for them, so no name can make a line of its own.
  package static func render(_ sums: [String: String]) -> String {
    sums.sorted { $0.key < $1.key }.map { path, hash in
      guard path.contains(where: { "\\\n\r".contains($0) }) else { return "\(hash)  \(path)\n" }
      let escaped = path.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
        .replacingOccurrences(of: "\r", with: "\\r")
      return "\\\(hash)  \(escaped)\n"
    }.joined()
  }

  /// Path → hash read from `SHA256SUMS` text (the binary-mode `*PATH` form too). Throws a message
  /// naming the first line that is not a checksum line.
  package static func parse(_ text: String, named name: String) throws(ChecksumError) -> [String: String] {
    var sums: [String: String] = [:]
    for (number, written) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      if written.isEmpty { continue }
      // A leading backslash: the path is escaped (`\\`, `\n`, `\r`), as GNU sha256sum writes it.
      let escaped = written.hasPrefix("\\")
      let line = escaped ? written.dropFirst() : written[...]
      let hash = line.prefix(64)
      let rest = line.dropFirst(64)
      guard hash.count == 64, hash.allSatisfy(\.isHexDigit), rest.hasPrefix("  ") || rest.hasPrefix(" *"),
        let path = escaped ? unescape(rest.dropFirst(2)) : String(rest.dropFirst(2))
      else {
        throw ChecksumError(message: "\(name):\(number + 1): not a SHA-256 line: '\(written.prefix(80))'")
      }
      sums[path] = hash.lowercased()
    }
    return sums
  }

  /// A path as an escaped line holds it: `\\`, `\n` and `\r` read back; nil for any other escape.
  private static func unescape(_ text: Substring) -> String? {
    var path = ""
    var pending = false
    for character in text {
      if pending {
        switch character {
        case "\\": path.append("\\")
        case "n": path.append("\n")
        case "r": path.append("\r")
        default: return nil
        }
        pending = false
      } else if character == "\\" {
        pending = true
      } else {
        path.append(character)
      }
    }
    return pending ? nil : path
  }

  /// An artifact's path from its cell's folder on: `linux-arm64-gnu/hello`, as `SHA256SUMS` names it
  /// (so `sha256sum -c` run in the output folder checks it, equal across machines and shards).
  package static func relativePath(_ artifact: ArtifactRecord, cell: String) -> String {
    guard let range = artifact.path.range(of: "/\(cell)/", options: .backwards) else { return artifact.path }
    return cell + "/" + artifact.path[range.upperBound...]
  }

  /// How `current` differs from `baseline`.
  package static func compare(_ current: [String: String], baseline: [String: String]) -> BaselineComparison {
    BaselineComparison(
      changed: current.keys.filter { baseline[$0] != nil && baseline[$0] != current[$0] }.sorted(),
      added: current.keys.filter { baseline[$0] == nil }.sorted(),
      missing: baseline.keys.filter { current[$0] == nil }.sorted())
  }
}

/// Artifacts whose checksums differ from a baseline `SHA256SUMS`.
package struct BaselineComparison: Sendable, Hashable, Codable {
  /// In both, with different hashes.
  package var changed: [String]
  /// Only in the current run.
  package var added: [String]
  /// Only in the baseline.
  package var missing: [String]
}

/// A checksum file that cannot be read.
package struct ChecksumError: Error, Sendable, CustomStringConvertible {
  /// What is wrong, with the file and line.
  package var message: String
  /// See ``message``.
  package var description: String { message }
}

extension ChecksumError: ArchwayError {}
