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

/// Lowercase hexadecimal of some bytes.
func hexString(_ bytes: UnsafeRawBufferPointer) -> String {
  let digits = Array("0123456789abcdef".utf8)
  var out = [UInt8]()
  out.reserveCapacity(bytes.count * 2)
  for byte in bytes {
    out.append(digits[Int(byte >> 4)])
    out.append(digits[Int(byte & 0xF)])
  }
  return String(decoding: out, as: UTF8.self)
}
