import Foundation

/// An operating system and architecture in OCI form: `linux/arm64`, `linux/arm/v7`, `windows/amd64`.
public struct Platform: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
  /// `linux`, `darwin` or `windows`.
  public let os: String
  /// The OCI architecture name: `amd64`, `arm64`, `arm`, `386`, `riscv64`, …
  public let arch: String
  /// The OCI variant where one matters (`v7`, `v5` for `arm`), else nil.
  public let variant: String?

  /// Creates a value from its parts.
  public init(os: String, arch: String, variant: String? = nil) {
    self.os = os
    self.arch = arch
    self.variant = variant
  }

  /// `os/arch[/variant]`.
  public var description: String { [os, arch, variant].compactMap { $0 }.joined(separator: "/") }

  /// Orders by value, for stable output.
  public static func < (lhs: Platform, rhs: Platform) -> Bool { lhs.description < rhs.description }

  /// Resolves what a user wrote (`aarch64`, `linux/armhf`, `macos/arm64`, `x86_64`) to a known platform.
  ///
  /// A lone architecture means Linux. Throws a ``TargetError`` quoting the value, with the closest
  /// known spelling, when it names no target in ``TargetCatalog``.
  public static func parse(_ text: String) throws(TargetError) -> Platform {
    let written = text.trimmingCharacters(in: .whitespaces).lowercased()
    var parts = written.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    var os = "linux"  // A platform without an OS (`aarch64`, `arm64/v8`) is a Linux one.
    if let named = Self.osAliases[parts[0]] {
      os = named
      parts.removeFirst()
    }
    guard let archWord = parts.first, !archWord.isEmpty else {
      throw unknown(text, reason: "names an operating system but no architecture")
    }
    guard parts.count <= 2, !parts.contains("") else { throw unknown(text, reason: nil) }
    let variant = parts.count == 2 ? parts[1] : nil
    for spec in TargetCatalog.architectures where spec.os == os {
      if spec.matches(arch: archWord, variant: variant) { return spec.platform }
    }
    throw unknown(text, reason: nil)
  }

  private static func unknown(_ text: String, reason: String?) -> TargetError {
    if let reason { return TargetError("platform '\(text)' \(reason); e.g. 'linux/arm64'") }
    let names = TargetCatalog.architectures.flatMap { spec in
      [spec.platform.description] + spec.aliases + spec.aliases.map { "\(spec.os)/\($0)" }
    }
    return TargetError("unknown platform '\(text)'\(Suggestion.phrase(for: text, among: names))")
  }

  static let osAliases: [String: String] = [
    "linux": "linux", "darwin": "darwin", "macos": "darwin", "osx": "darwin", "mac": "darwin",
    "windows": "windows", "win": "windows", "win32": "windows", "win64": "windows",
  ]
}
