/// Reads the `ar` archive a Debian package is (`debian-binary`, `control.tar.*`, `data.tar.*`);
/// other `ar` archives (static libraries) are not packages and are not read.
enum ArReader {
  /// Whether `bytes` are a Debian package: an `ar` archive whose first member is `debian-binary`.
  static func looksLikeDeb(_ bytes: UnsafeRawBufferPointer) -> Bool {
    bytes.count >= 8 + 60 && Array(bytes[0..<8]) == Array("!<arch>\n".utf8)
      && Array(bytes[8..<21]) == Array("debian-binary".utf8)
  }

  /// Each member's name and bytes, in order.
  static func members(_ bytes: UnsafeRawBufferPointer) throws(ArchiveError) -> [(String, UnsafeRawBufferPointer)] {
    var result: [(String, UnsafeRawBufferPointer)] = []
    var offset = 8
    while offset < bytes.count {
      guard offset + 60 <= bytes.count else {
        throw ArchiveError("cut short in the header of member \(result.count + 1)")
      }
      let header = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + 60)])
      let name = String(decoding: header[0..<16], as: UTF8.self).trimmingSuffix { $0 == " " || $0 == "/" }
      let sizeText = String(decoding: header[48..<58], as: UTF8.self).trimmingSuffix { $0 == " " }
      guard let size = Int(sizeText), size >= 0, header[58] == 0x60, header[59] == 0x0A else {
        throw ArchiveError("member \(result.count + 1): not an ar header")
      }
      let start = offset + 60
      guard size <= bytes.count - start else { throw ArchiveError("member \(name) is cut short") }
      result.append((name, UnsafeRawBufferPointer(rebasing: bytes[start..<(start + size)])))
      guard result.count <= 16 else { throw ArchiveError("more members than a Debian package has") }
      offset = start + size + size % 2
    }
    return result
  }
}

extension String {
  fileprivate func trimmingSuffix(while drop: (Character) -> Bool) -> String {
    var text = Substring(self)
    while let last = text.last, drop(last) { text = text.dropLast() }
    return String(text)
  }
}
