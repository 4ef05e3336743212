/// Reads an RPM package (rpm's `lib/rpmlead.h`, `lib/header.c` and the LSB's package format): the
/// 96-byte lead, the signature header (padded to 8 bytes), the header whose tags name the package
/// (`NAME`, `VERSION`, `RELEASE`, `ARCH`, `REQUIRENAME`, `PROVIDENAME`), then the payload, a
/// compressed cpio archive (``CpioReader``).
enum RpmReader {
  static func looksLikeRpm(_ bytes: UnsafeRawBufferPointer) -> Bool {
    bytes.count >= 96 && bytes[0] == 0xED && bytes[1] == 0xAB && bytes[2] == 0xEE && bytes[3] == 0xDB
  }

  /// The header's fields by name (`Name`, `Version`, `Release`, `Arch`; `Requires` and `Provides`
  /// joined by `, `) and where the payload starts.
  static func header(_ bytes: UnsafeRawBufferPointer) throws(ArchiveError) -> (fields: [String: String], payload: Int) {
    let signature = try structure(bytes, at: 96, what: "signature header")
    let start = (signature.end + 7) / 8 * 8
    let main = try structure(bytes, at: start, what: "header")
    var fields: [String: String] = [:]
    let names: [UInt32: String] = [1000: "Name", 1001: "Version", 1002: "Release", 1022: "Arch"]
    let lists: [UInt32: String] = [1047: "Provides", 1049: "Requires"]
    // What the header's entries may make us read, however many point at the same strings.
    var budget = 100_000
    for entry in main.entries {
      if let name = names[entry.tag], let value = try strings(entry, main, bytes, budget: &budget).first {
        fields[name] = value
      }
      if let name = lists[entry.tag] {
        fields[name] = try strings(entry, main, bytes, budget: &budget).joined(separator: ", ")
      }
    }
    return (fields, main.end)
  }

  private struct Structure {
    var entries: [(tag: UInt32, type: UInt32, offset: Int, count: Int)]
    var store: Int
    var storeSize: Int
    var end: Int
  }

  /// A header structure at `offset`: its magic, index entries and data store, within the file.
  private static func structure(
    _ bytes: UnsafeRawBufferPointer, at offset: Int, what: String
  ) throws(ArchiveError) -> Structure {
    var view = ByteView(bytes: bytes)
    view.isBigEndian = true
    do {
      guard try view.u8(offset) == 0x8E, try view.u8(offset + 1) == 0xAD, try view.u8(offset + 2) == 0xE8 else {
        throw ArchiveError("its \(what) has no header magic at \(offset)")
      }
      let count = Int(try view.u32(offset + 8))
      let size = Int(try view.u32(offset + 12))
      guard count <= 100_000, size <= 64 << 20 else { throw ArchiveError("its \(what) is larger than any package's") }
      let store = offset + 16 + count * 16
      try view.check(store, size, what)
      var entries: [(UInt32, UInt32, Int, Int)] = []
      for index in 0..<count {
        let at = offset + 16 + index * 16
        entries.append(
          (try view.u32(at), try view.u32(at + 4), Int(try view.u32(at + 8)), Int(try view.u32(at + 12))))
      }
      return Structure(entries: entries, store: store, storeSize: size, end: store + size)
    } catch let error as ArchiveError {
      throw error
    } catch {
      throw ArchiveError("its \(what): \(error)")
    }
  }

  /// A string, I18N string or string array entry's strings, each counted against `budget`.
  private static func strings(
    _ entry: (tag: UInt32, type: UInt32, offset: Int, count: Int), _ header: Structure,
    _ bytes: UnsafeRawBufferPointer, budget: inout Int
  ) throws(ArchiveError) -> [String] {
    guard [6, 8, 9].contains(entry.type), entry.offset < header.storeSize else { return [] }
    let view = ByteView(bytes: bytes)
    var result: [String] = []
    var at = header.store + entry.offset
    for _ in 0..<(entry.type == 8 ? entry.count : 1) {
      budget -= 1
      guard budget >= 0 else { throw ArchiveError("its header names more strings than any package's (100,000)") }
      do {
        // The next string starts after this one's NUL, counted in bytes, not in what they decode to.
        let end = try view.terminator(at: at, end: header.end, limit: 4096, "a header string")
        result.append(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[at..<end]), as: UTF8.self))
        at = end + 1
      } catch {
        throw ArchiveError("its header: \(error)")
      }
    }
    return result
  }
}

/// Reads a cpio archive in the "new ASCII" format (`070701`, and `070702` with checksums) that RPM
/// payloads are, member by member.
enum CpioReader {
  static func read(_ source: inout some ByteSource, _ walk: MemberWalk) throws(ArchiveError) {
    while true {
      let header = try source.bytes(110, "a cpio header")
      let text = String(decoding: header, as: UTF8.self)
      guard text.hasPrefix("070701") || text.hasPrefix("070702") else {
        throw ArchiveError("a cpio header without its magic (not the new ASCII format)")
      }
      // Eight hex digits each, read by hand: `Int(_:radix:)` would take a sign.
      func field(_ index: Int) throws(ArchiveError) -> Int {
        var value = 0
        for byte in header[(6 + index * 8)..<(14 + index * 8)] {
          guard let digit = Int(String(UnicodeScalar(byte)), radix: 16), byte != UInt8(ascii: "-"),
            byte != UInt8(ascii: "+")
          else { throw ArchiveError("a cpio header with a field that is not hex") }
          value = value << 4 | digit
        }
        return value
      }
      let mode = try field(1)
      let size = try field(6)
      let nameSize = try field(11)
      guard nameSize > 0, nameSize <= 4096 else { throw ArchiveError("a cpio name of \(nameSize) bytes") }
      let name = String(decoding: try source.bytes(nameSize, "a cpio name").prefix { $0 != 0 }, as: UTF8.self)
      try source.skip((4 - (110 + nameSize) % 4) % 4, "a cpio name")
      if name == "TRAILER!!!" { return }
      let padding = (4 - size % 4) % 4
      var member = ArchiveMember(path: name, kind: .file, size: size)
      switch mode & 0o170000 {
      case 0o100000: member.kind = .file
      case 0o040000: member.kind = .directory
      case 0o020000, 0o060000: member.kind = .device
      case 0o010000: member.kind = .fifo
      case 0o120000:
        guard size <= 4096 else { throw ArchiveError("member \(name): a link target of \(size) bytes") }
        member.kind = .symlink(to: String(decoding: try source.bytes(size, "a link target"), as: UTF8.self))
        try source.skip(padding, "a link target")
        try walk.visit(member, .skipped)
        continue
      default: member.kind = .other("cpio mode \(String(mode, radix: 8))")
      }
      if member.kind == .file, size > 0 {
        let head = try source.bytes(min(size, MemberWalk.headSize), "member \(name)")
        let contents = try walk.contents(of: member, head: head, size: size, rest: &source)
        try source.skip(padding, "member \(name)")
        try walk.visit(member, contents)
      } else {
        try source.skip(size + padding, "member \(name)")
        try walk.visit(member, .skipped)
      }
    }
  }
}
