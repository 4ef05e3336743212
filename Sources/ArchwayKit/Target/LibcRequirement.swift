import Foundation

/// The C library a target is built for, as a matrix or `--libc` writes it.
public enum LibcRequirement: Sendable, Hashable, Codable, CustomStringConvertible {
  /// glibc, optionally with the oldest release the program must run on (`gnu-2.31`).
  case gnu(DottedVersion?)
  /// musl, dynamically or statically linked.
  case musl
  /// No dynamic libc at all: no interpreter, no needed libraries.
  case `static`
  /// The operating system's own (darwin, windows).
  case system
  /// No requirement (only for `verify`).
  case any

  /// The word for each case, as users write it.
  package static let spellings = ["gnu", "gnu-2.31", "musl", "static", "system", "any"]

  /// A one-line rendering for messages.
  public var description: String {
    switch self {
    case .gnu(let version?): "gnu-\(version)"
    case .gnu(nil): "gnu"
    case .musl: "musl"
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

  /// The glibc this requirement allows at most, if it names one.
  package var glibcCeiling: DottedVersion? {
    if case .gnu(let version) = self { return version }
    return nil
  }

  /// Parses `gnu`, `glibc`, `gnu-2.31`, `musl`, `static`, `system`, `any`.
  ///
  /// Throws a ``TargetError`` quoting the value with a suggestion when it is none of those.
  public static func parse(_ text: String) throws(TargetError) -> LibcRequirement {
    let word = text.trimmingCharacters(in: .whitespaces).lowercased()
    switch word {
    case "gnu", "glibc": return .gnu(nil)
    case "musl": return .musl
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
    throw TargetError("unknown libc '\(text)'\(Suggestion.phrase(for: word, among: spellings))")
  }

  /// Whether `platform` can have this libc (`darwin` + `musl` cannot), with the reason when not.
  package func incompatibility(with platform: Platform) -> String? {
    switch (platform.os, self) {
    case (_, .any): nil
    case ("linux", .system):
      "libc 'system' is for darwin and windows; a linux target takes 'gnu', 'gnu-X.Y', 'musl' or 'static'"
    case ("linux", _): nil
    case (_, .system): nil
    case (let os, _): "\(os) targets use the system libc; '\(self)' is only for linux"
    }
  }
}
