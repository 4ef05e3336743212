extension Sequence<UInt8> {
  /// The bytes in lowercase hex, two digits each (`hexString(separator: " ")` spaces them, as a hex
  /// dump does): digests, content keys, dumps.
  func hexString(separator: String = "") -> String {
    map { byte in
      let digits = String(byte, radix: 16)
      return byte < 16 ? "0" + digits : digits
    }.joined(separator: separator)
  }
}
