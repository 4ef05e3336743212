import Foundation

/// The C library a target is built for, as a matrix or `--libc` writes it.
public enum LibcRequirement: Sendable, Hashable, Codable, CustomStringConvertible {
  /// glibc, optionally with the oldest release the program must run on (`gnu-2.31`).
  case gnu(DottedVersion?)
  /// musl, dynamically or statically linked, optionally with the oldest release the program must
  /// run on (`musl-1.1`: Alpine 3.12 and older; `musl-1.2`).
  case musl(DottedVersion?)
  /// No dynamic libc at all: no interpreter, no needed libraries.
  case `static`
  /// The operating system's own (darwin, windows).
  case system
  /// No requirement (only for `verify`).
  case any

  /// The word for each case, as users write it.
  package static let spellings = ["gnu", "gnu-2.31", "musl", "musl-1.2", "static", "system", "any"]

  /// A one-line rendering for messages.
  public var description: String {
    switch self {
    case .gnu(let version?): "gnu-\(version)"
    case .gnu(nil): "gnu"
    case .musl(let version?): "musl-\(version)"
    case .musl(nil): "musl"
    case .static: "static"
    case .system: "system"
    case .any: "any"
    }
  }

  /// Whether this is glibc (`gnu`, `gnu-X.Y`).
  package var isGNU: Bool {
    if case .gnu = self { return true }
    return false
  }

  /// Whether this is musl (`musl`, `musl-X.Y`).
  package var isMusl: Bool {
    if case .musl = self { return true }
    return false
  }

  /// The musl this requirement allows at most, if it names one.
  package var muslCeiling: DottedVersion? {
    if case .musl(let version) = self { return version }
    return nil
  }

  /// The glibc this requirement allows at most, if it names one.
  package var glibcCeiling: DottedVersion? {
    if case .gnu(let version) = self { return version }
    return nil
  }

  /// Parses `gnu`, `glibc`, `gnu-2.31`, `musl`, `musl-1.2`, `static`, `system`, `any`.
  ///
  /// Throws a ``TargetError`` quoting the value with a suggestion when it is none of those.
  public static func parse(_ text: String) throws(TargetError) -> LibcRequirement {
    let word = text.trimmingCharacters(in: .whitespaces).lowercased()
    switch word {
    case "gnu", "glibc": return .gnu(nil)
    case "musl": return .musl(nil)
    case "static": return .static
    case "system": return .system
    case "any": return .any
    default: break
    }
    for prefix in ["gnu-", "glibc-"] where word.hasPrefix(prefix) {
      let rest = word.dropFirst(prefix.count)
      guard let version = DottedVersion(rest), version.components.count == 2 else {
        throw TargetError("libc '\(text)' has no glibc version after '\(prefix)'; write it as 'gnu-2.31'")
      }
      return .gnu(version)
    }
    if word.hasPrefix("musl-") {
      guard let version = DottedVersion(word.dropFirst(5)), (2...3).contains(version.components.count),
        version.components[0] == 1
      else {
        throw TargetError("libc '\(text)' has no musl release after 'musl-'; write it as 'musl-1.2' or 'musl-1.1'")
      }
      return .musl(version)
    }
    throw TargetError("unknown libc '\(text)'\(Suggestion.phrase(for: word, among: spellings))")
  }

  /// Whether `platform` can have this libc (`darwin` + `musl` cannot), with the reason when not.
  package func incompatibility(with platform: Platform) -> String? {
    switch (platform.os, self) {
    case (_, .any): nil
    case ("linux", .system):
      "libc 'system' is for darwin and windows; a linux target takes 'gnu', 'gnu-X.Y', 'musl', 'musl-X.Y' or 'static'"
    case ("linux", _): nil
    case (_, .system): nil
    case (let os, _): "\(os) targets use the system libc; '\(self)' is only for linux"
    }
  }
}
