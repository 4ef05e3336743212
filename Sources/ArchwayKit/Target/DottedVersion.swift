/// A version made of dot-separated numbers (`2.34`, `2.2.5`, `3.4.30`), compared numerically.
///
/// `2.9 < 2.17 < 2.34`: symbol versions and glibc releases are never compared as strings.
public struct DottedVersion: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
  /// The numbers, most significant first.
  package let components: [Int]

  /// Parses `"2.34"`; returns nil for anything that is not numbers separated by single dots.
  public init?(_ text: some StringProtocol) {
    // Byte by byte: every version name of every library a reader meets comes through here.
    var parts: [Int] = []
    var number = 0
    var digits = 0
    for byte in text.utf8 {
      if byte == UInt8(ascii: ".") {
        guard digits > 0 else { return nil }
        parts.append(number)
        (number, digits) = (0, 0)
        continue
      }
      guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), digits < 9 else { return nil }
      number = number * 10 + Int(byte - UInt8(ascii: "0"))
      digits += 1
    }
    guard digits > 0 else { return nil }
    parts.append(number)
    components = parts
  }

  /// A one-line rendering for messages.
  public var description: String { components.map(String.init).joined(separator: ".") }

  /// Orders by value, missing parts counting as zeros: `3.10` is `3.10.0` (a kernel's ABI tag
  /// writes three numbers where a release is named by two), and `2.9 < 2.17`.
  public static func < (lhs: DottedVersion, rhs: DottedVersion) -> Bool {
    let count = max(lhs.components.count, rhs.components.count)
    for index in 0..<count {
      let (a, b) = (lhs.part(index), rhs.part(index))
      if a != b { return a < b }
    }
    return false
  }

  /// Equal in value: `3.10` and `3.10.0` are one version (the order's equality).
  public static func == (lhs: DottedVersion, rhs: DottedVersion) -> Bool { !(lhs < rhs) && !(rhs < lhs) }

  /// Hashes the value without its trailing zeros, as ``==`` compares it.
  public func hash(into hasher: inout Hasher) {
    var significant = components[...]
    while significant.count > 1, significant.last == 0 { significant = significant.dropLast() }
    hasher.combine(Array(significant))
  }

  /// Part `index`, zero past the last.
  private func part(_ index: Int) -> Int { index < components.count ? components[index] : 0 }

  /// Decodes the form ``encode(to:)`` writes.
  public init(from decoder: any Decoder) throws {
    let text = try decoder.singleValueContainer().decode(String.self)
    guard let parsed = DottedVersion(text) else {
      throw DecodingError.dataCorrupted(
        .init(codingPath: decoder.codingPath, debugDescription: "not a version: '\(text)'"))
    }
    self = parsed
  }

  /// Encodes in Archway's documented JSON form.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(description)
  }
}
