import Foundation

/// Two byte strings side by side as `xxd` shows them, around the first offset where they differ:
/// what a failed comparison of binary output shows instead of raw bytes.
enum HexDump {
  /// Bytes per row.
  static let width = 16

  /// Whether `data` reads as text: valid UTF-8 without NUL bytes.
  static func isText(_ data: Data) -> Bool {
    !data.contains(0) && String(data: data, encoding: .utf8) != nil
  }

  /// The offset of the first byte where `a` and `b` differ (the shorter one's length when one is a
  /// prefix of the other); nil when they are equal.
  static func firstDifference(_ a: Data, _ b: Data) -> Int? {
    var offset = 0
    for (x, y) in zip(a, b) {
      if x != y { return offset }
      offset += 1
    }
    return a.count == b.count ? nil : offset
  }

  /// `context` rows before and after the row holding the first difference, for each side under its
  /// label, with the differing offset named; empty when the two are equal.
  static func render(old: Data, new: Data, oldLabel: String, newLabel: String, context: Int = 2) -> String {
    guard let offset = firstDifference(old, new) else { return "" }
    let row = offset / width
    let first = max(0, row - context) * width
    let last = (row + context + 1) * width
    var text =
      "first difference at byte \(offset) (0x\(String(offset, radix: 16))): \(old.count) bytes expected, \(new.count) found\n"
    for (label, data) in [(oldLabel, old), (newLabel, new)] {
      text += "--- \(label)\n"
      // Only the rows shown are copied out of the (up to 16 MiB) output.
      let bytes = Array(data.dropFirst(first).prefix(last - first))
      var start = first
      while start < first + bytes.count {
        let slice = bytes[(start - first)..<min(start - first + width, bytes.count)]
        let hex = slice.hexString(separator: " ")
        let ascii = String(slice.map { (0x20..<0x7f).contains($0) ? Character(UnicodeScalar($0)) : "." })
        let marker = (start..<start + width).contains(offset) ? " <" : ""
        text +=
          String(format: "%08x: ", start) + hex.padding(toLength: width * 3 - 1, withPad: " ", startingAt: 0)
          + "  \(ascii)\(marker)\n"
        start += width
      }
      if bytes.isEmpty { text += String(format: "%08x: (ends before this offset)\n", first) }
    }
    return text
  }
}
