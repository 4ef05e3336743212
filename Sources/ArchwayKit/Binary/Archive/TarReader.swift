/// Reads a tar stream (POSIX ustar and pax, GNU's long names, old v7 headers) member by member,
/// checking every header's checksum; a member's bytes are held only when its walk wants them.
enum TarReader {
  /// Whether `block` (at least 512 bytes) is a tar header: `ustar` at 257, or a v7 header whose
  /// checksum holds.
  static func looksLikeTar(_ block: UnsafeRawBufferPointer) -> Bool {
    guard block.count >= 512 else { return false }
    if Array(block[257..<262]) == Array("ustar".utf8) { return true }
    return block[0] != 0 && checksumHolds(block)
  }

  static func checksumHolds(_ block: UnsafeRawBufferPointer) -> Bool {
    guard let stored = octal(block[148..<156]) else { return false }
    var sum = 0
    for index in 0..<512 { sum += (148..<156).contains(index) ? 0x20 : Int(block[index]) }
    return sum == stored
  }

  /// Every member of the tar that `source` holds, in order, to `walk`.
  static func read(_ source: inout some ByteSource, _ walk: MemberWalk) throws(ArchiveError) {
    var longName: String?
    var longLink: String?
    var pax: [String: String] = [:]
    var index = 0
    while true {
      let block = try header(&source, index: index)
      guard let block else { return }
      index += 1
      var copy = block
      let fields = try withBytes(of: &copy) { (bytes) throws(ArchiveError) in
        try Header(UnsafeRawBufferPointer(bytes), index: index)
      }
      let size = Int(pax["size"] ?? "") ?? fields.size
      guard size >= 0, size <= Int.max - 511 else { throw ArchiveError("member \(index): a size of \(size) bytes") }
      let padded = (size + 511) / 512 * 512
      switch fields.type {
      case UInt8(ascii: "L"), UInt8(ascii: "K"), UInt8(ascii: "x"):
        guard size <= 1 << 20 else { throw ArchiveError("member \(index): an extended header of \(size) bytes") }
        let text = try source.bytes(size, "an extended header")
        try source.skip(padded - size, "an extended header")
        switch fields.type {
        case UInt8(ascii: "L"): longName = String(decoding: text.prefix { $0 != 0 }, as: UTF8.self)
        case UInt8(ascii: "K"): longLink = String(decoding: text.prefix { $0 != 0 }, as: UTF8.self)
        default: pax = paxRecords(text)
        }
        continue
      case UInt8(ascii: "g"):
        try source.skip(padded, "a global header")
        continue
      default: break
      }
      let path = pax["path"] ?? longName ?? fields.name
      let link = pax["linkpath"] ?? longLink ?? fields.link
      (longName, longLink, pax) = (nil, nil, [:])
      let kind: ArchiveMember.Kind
      switch fields.type {
      case 0, UInt8(ascii: "0"), UInt8(ascii: "7"): kind = path.hasSuffix("/") ? .directory : .file
      case UInt8(ascii: "1"): kind = .hardlink(to: link)
      case UInt8(ascii: "2"): kind = .symlink(to: link)
      case UInt8(ascii: "3"), UInt8(ascii: "4"): kind = .device
      case UInt8(ascii: "5"): kind = .directory
      case UInt8(ascii: "6"): kind = .fifo
      case let other: kind = .other("tar type '\(Unicode.Scalar(other))'")
      }
      let member = ArchiveMember(path: path, kind: kind, size: size)
      if kind == .file, size > 0 {
        let head = try source.bytes(min(size, MemberWalk.headSize), "member \(path)")
        let contents = try walk.contents(of: member, head: head, size: size, rest: &source)
        try source.skip(padded - size, "member \(path)")
        try walk.visit(member, contents)
      } else {
        try source.skip(padded, "member \(path)")
        try walk.visit(member, .skipped)
      }
    }
  }

  /// The next header block, or nil at the end: a zero block (tar writes two) or the stream's end.
  private static func header(_ source: inout some ByteSource, index: Int) throws(ArchiveError) -> [UInt8]? {
    let block = try source.upTo(512)
    if block.isEmpty { return nil }
    guard block.count == 512 else { throw ArchiveError("cut short in the header of member \(index + 1)") }
    return block.allSatisfy { $0 == 0 } ? nil : block
  }

  private struct Header {
    var name: String
    var link: String
    var size: Int
    var type: UInt8

    init(_ block: UnsafeRawBufferPointer, index: Int) throws(ArchiveError) {
      guard TarReader.checksumHolds(block) else {
        throw ArchiveError("member \(index): its header's checksum does not hold (not a tar header, or corrupt)")
      }
      func text(_ range: Range<Int>) -> String {
        String(decoding: block[range].prefix { $0 != 0 }, as: UTF8.self)
      }
      name = text(0..<100)
      // POSIX ustar ("ustar\0") keeps a prefix of the path; GNU's header ("ustar ") has other fields there.
      if Array(block[257..<263]) == Array("ustar\0".utf8) {
        let prefix = text(345..<500)
        if !prefix.isEmpty { name = prefix + "/" + name }
      }
      link = text(157..<257)
      type = block[156]
      let sizeField = block[124..<136]
      if sizeField.first.map({ $0 & 0x80 != 0 }) == true {
        // GNU's base-256: big-endian, the first byte's high bit set.
        var value = 0
        for (offset, byte) in sizeField.enumerated() {
          let digit = Int(offset == 0 ? byte & 0x7F : byte)
          guard value <= (Int.max >> 8) else { throw ArchiveError("member \(index): a size past 2^63") }
          value = value << 8 | digit
        }
        size = value
      } else {
        guard let value = TarReader.octal(sizeField) else { throw ArchiveError("member \(index): an unreadable size") }
        size = value
      }
    }
  }

  /// An octal field: digits after optional spaces, ended by a space or NUL.
  static func octal(_ field: UnsafeRawBufferPointer.SubSequence) -> Int? {
    var value = 0
    var digits = 0
    for byte in field.drop(while: { $0 == 0x20 }) {
      guard byte >= 0x30, byte <= 0x37 else {
        if byte == 0 || byte == 0x20 { break }
        return nil
      }
      guard value <= Int.max >> 3 else { return nil }
      value = value << 3 | Int(byte - 0x30)
      digits += 1
    }
    return digits > 0 ? value : nil
  }

  /// `LENGTH key=value\n` records.
  static func paxRecords(_ text: [UInt8]) -> [String: String] {
    var records: [String: String] = [:]
    var offset = 0
    while offset < text.count {
      // The length counts the whole record, its own digits, the space and the newline.
      guard let space = text[offset...].firstIndex(of: 0x20),
        let length = Int(String(decoding: text[offset..<space], as: UTF8.self)), length > space - offset + 1,
        length <= text.count - offset
      else { break }
      let record = text[(space + 1)..<(offset + length - 1)]
      if let equals = record.firstIndex(of: UInt8(ascii: "=")) {
        records[String(decoding: record[..<equals], as: UTF8.self)] = String(
          decoding: record[(equals + 1)...], as: UTF8.self)
      }
      offset += length
    }
    return records
  }
}
