/// A place in a file's bytes as an editor names it: 1-based line, and 1-based column counted in
/// Unicode scalars (as ``SourceLocation`` counts them).
struct TextPosition: Equatable {
  var line: Int
  var column: Int

  /// The line and column of byte `offset` of `bytes`; nil past the end. Bytes before it on its line
  /// that are not UTF-8 count one column each.
  init?(byteOffset offset: Int, in bytes: [UInt8]) {
    guard offset >= 0, offset <= bytes.count else { return nil }
    let lineStart = bytes[..<offset].lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
    line = bytes[..<lineStart].count { $0 == UInt8(ascii: "\n") } + 1
    // A byte that starts a scalar is anything but a continuation byte (10xxxxxx).
    column = bytes[lineStart..<offset].count { $0 & 0xC0 != 0x80 } + 1
  }

  /// The offset of the first byte of `bytes` that is not UTF-8, and whether it starts a character
  /// the bytes after it do not finish (rather than one no UTF-8 character starts with); nil when
  /// all of it is UTF-8.
  static func firstInvalidUTF8(in bytes: [UInt8]) -> (offset: Int, cut: Bool)? {
    var parser = Unicode.UTF8.ForwardParser()
    var iterator = bytes.makeIterator()
    var offset = 0
    while true {
      switch parser.parseScalar(from: &iterator) {
      case .valid(let scalar): offset += scalar.count
      case .emptyInput: return nil
      case .error(let length):
        let lead = bytes[offset]
        let canStart = lead >= 0xC2 && lead <= 0xF4
        return (offset, canStart && length < 4 && offset + length <= bytes.count)
      }
    }
  }
}
