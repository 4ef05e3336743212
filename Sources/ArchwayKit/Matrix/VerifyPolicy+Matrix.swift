import Foundation

extension VerifyPolicy {
  static let keys = [
    "arch", "libc", "glibc_max", "allow_needed", "minos_max", "page_size", "reproducible", "same_as", "signed",
    "allow_arm64e",
  ]

  /// Decodes a cell's resolved `verify:` block, for a cell of `libc`. Throws a ``MatrixError`` at
  /// the first unknown key or ill-typed value.
  init(verify block: MatrixValue?, libc: LibcRequirement) throws(MatrixError) {
    if case .gnu(let version?) = libc { glibcMax = version }
    if let block, block.kind != .null {
      guard let entries = block.entries else {
        throw MatrixError("'verify' must be a map (glibc_max, allow_needed, reproducible…)", at: block.location)
      }
      for entry in entries {
        try apply(entry)
      }
    }
  }

  private mutating func apply(_ entry: MatrixEntry) throws(MatrixError) {
    let value = entry.value
    switch entry.key {
    case "arch": arch = try value.bool(named: "arch")
    case "libc": libc = try value.bool(named: "libc")
    case "glibc_max":  // Both the cell's gnu-X.Y and glibc_max hold: the older wins.
      let version = try value.version(named: "glibc_max", example: "2.31")
      glibcMax = glibcMax.map { min($0, version) } ?? version
    case "minos_max": minosMax = try value.version(named: "minos_max", example: "11.0")
    case "signed": signed = try value.bool(named: "signed")
    case "allow_arm64e": allowArm64e = try value.bool(named: "allow_arm64e")
    case "page_size":
      guard let text = value.scalarText, let bytes = PageSize.parse(text) else {
        throw MatrixError(
          "'page_size' \(value.scalarText.map { "'\($0)'" } ?? "") must be 4k, 16k or 64k", at: value.location)
      }
      pageSize = bytes
    case "allow_needed": allowNeeded = try value.words(named: "allow_needed")
    case "reproducible": reproducible = try Self.reproducibility(value)
    case "same_as":
      // `same_as: ID` or `same_as: {cell: ID}`.
      let id = value.scalarText ?? value["cell"]?.scalarText
      if let entries = value.entries, let extra = entries.first(where: { $0.key != "cell" }) {
        throw MatrixFile.unknownKey(extra, among: ["cell"], in: "same_as")
      }
      guard let id, !id.isEmpty else {
        throw MatrixError("'same_as' must name a cell: same_as: {cell: linux-arm64-gnu}", at: value.location)
      }
      sameAs = id
    default: throw MatrixFile.unknownKey(entry, among: Self.keys, in: "verify")
    }
  }

  private static func reproducibility(_ value: MatrixValue) throws(MatrixError) -> Reproducibility? {
    if case .bool(let on) = value.kind {  // `false` asks for nothing: no rebuild at all.
      return on ? Reproducibility(builds: 2, vary: Variation.allCases) : nil
    }
    guard let entries = value.entries else {
      throw MatrixError("'reproducible' must be true or a map {builds: 2, vary: [time, umask]}", at: value.location)
    }
    var result = Reproducibility(builds: 2, vary: Variation.allCases)
    for entry in entries {
      switch entry.key {
      case "builds":
        guard case .int(let count) = entry.value.kind, (2...10).contains(count) else {
          throw MatrixError(
            "'builds' must be a whole number from 2 to 10, not '\(entry.value)'", at: entry.value.location)
        }
        result.builds = count
      case "vary":
        result.vary = []
        for word in try entry.value.words(named: "vary") {
          guard let variation = Variation(rawValue: word) else {
            throw MatrixError(
              "unknown variation '\(word)'"
                + Suggestion.phrase(for: word, among: Variation.allCases.map(\.rawValue)), at: entry.value.location)
          }
          result.vary.append(variation)
        }
      default:
        throw MatrixFile.unknownKey(entry, among: ["builds", "vary"], in: "reproducible")
      }
    }
    return result
  }
}
