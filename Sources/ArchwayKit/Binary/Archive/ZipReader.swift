import ArchwayCodecs

/// Reads a zip file (and so a wheel) from its central directory, as Python's zipfile does: each
/// member's local header must be where it says (its fields are not compared), stored and deflated
/// members are read (others are problems), and a member read whole must match its CRC-32.
enum ZipReader {
  static func looksLikeZip(_ bytes: UnsafeRawBufferPointer) -> Bool {
    bytes.count >= 4 && bytes[0] == 0x50 && bytes[1] == 0x4B
      && ((bytes[2] == 3 && bytes[3] == 4) || (bytes[2] == 5 && bytes[3] == 6))
  }

  static func read(_ bytes: UnsafeRawBufferPointer, _ walk: MemberWalk) throws(ArchiveError) {
    var view = ByteView(bytes: bytes)
    view.isBigEndian = false
    let (count, directory, size) = try centralDirectory(view)
    // Walked by its size, as Python's zipfile walks it: an entry past the count is still a member.
    let end = size <= bytes.count - directory ? directory + size : bytes.count
    var offset = directory
    var decoded = 0
    var index = 0
    while offset < end {
      let entry: Entry
      do {
        entry = try Entry(view, at: offset)
      } catch {
        throw ArchiveError("central directory entry \(index + 1): \(error.message)")
      }
      offset = entry.next
      index += 1
      try read(entry, view, walk, decoded: &decoded)
    }
    guard index == count else {
      throw ArchiveError("its end record says \(count) members, its central directory holds \(index)")
    }
  }

  /// The number of entries, where the central directory starts and its size, from the end record
  /// (zip64's when the classic one says so).
  private static func centralDirectory(_ view: ByteView) throws(ArchiveError) -> (Int, Int, Int) {
    let bytes = view.bytes
    guard bytes.count >= 22 else { throw ArchiveError("too short for a zip file's end record") }
    var end = -1
    var at = bytes.count - 22
    let lowest = max(0, bytes.count - 22 - 0xFFFF)
    while at >= lowest {
      if bytes[at] == 0x50, bytes[at + 1] == 0x4B, bytes[at + 2] == 5, bytes[at + 3] == 6 {
        end = at
        break
      }
      at -= 1
    }
    guard end >= 0 else { throw ArchiveError("no end record: not a whole zip file (cut short?)") }
    do {
      var count = Int(try view.u16(end + 10))
      var size = Int(try view.u32(end + 12))
      var start = Int(try view.u32(end + 16))
      if count == 0xFFFF || start == 0xFFFF_FFFF {
        let locator = end - 20
        guard locator >= 0, try view.u32(locator) == 0x0706_4B50 else {
          throw ArchiveError("a zip64 archive without its locator")
        }
        let record = Int(clamping: try view.u64(locator + 8))
        guard try view.u32(record) == 0x0606_4B50 else { throw ArchiveError("a zip64 end record that is not one") }
        count = Int(clamping: try view.u64(record + 32))
        size = Int(clamping: try view.u64(record + 40))
        start = Int(clamping: try view.u64(record + 48))
      }
      guard start < bytes.count else { throw ArchiveError("its central directory starts past the end") }
      // Each entry takes at least 46 bytes: a count the directory cannot hold is a lie.
      guard count <= (bytes.count - start) / 46 else {
        throw ArchiveError("says it has \(count) members, more than its central directory can hold")
      }
      return (count, start, size)
    } catch let error as ArchiveError {
      throw error
    } catch {
      throw ArchiveError("its end record: \(error)")
    }
  }

  private struct Entry {
    var name: String
    var method: Int
    var flags: Int
    var crc: UInt32
    var compressed: Int
    var size: Int
    var local: Int
    var mode: Int?
    var next: Int

    init(_ view: ByteView, at offset: Int) throws(BinaryError) {
      guard try view.u32(offset) == 0x0201_4B50 else {
        throw BinaryError(offset: offset, "not a central directory entry")
      }
      let madeBy = Int(try view.u16(offset + 4)) >> 8
      flags = Int(try view.u16(offset + 8))
      method = Int(try view.u16(offset + 10))
      crc = try view.u32(offset + 16)
      compressed = Int(try view.u32(offset + 20))
      size = Int(try view.u32(offset + 24))
      let nameLength = Int(try view.u16(offset + 28))
      let extraLength = Int(try view.u16(offset + 30))
      let commentLength = Int(try view.u16(offset + 32))
      let external = try view.u32(offset + 38)
      local = Int(try view.u32(offset + 42))
      try view.check(offset + 46, nameLength + extraLength + commentLength, "entry")
      name = String(
        decoding: UnsafeRawBufferPointer(rebasing: view.bytes[(offset + 46)..<(offset + 46 + nameLength)]),
        as: UTF8.self)
      // Unix (3) and macOS (19) keep st_mode in the high half of the external attributes.
      mode = madeBy == 3 || madeBy == 19 ? Int(external >> 16) : nil
      next = offset + 46 + nameLength + extraLength + commentLength
      // zip64's extra field holds the sizes and offset the classic fields mark with 0xFFFFFFFF, in order.
      var extra = offset + 46 + nameLength
      let extraEnd = extra + extraLength
      while extra + 4 <= extraEnd {
        let id = try view.u16(extra)
        let length = Int(try view.u16(extra + 2))
        if id == 1 {
          var field = extra + 4
          for path in [\Entry.size, \Entry.compressed, \Entry.local] where self[keyPath: path] == 0xFFFF_FFFF {
            guard field + 8 <= extra + 4 + length else { break }
            self[keyPath: path] = Int(clamping: try view.u64(field))
            field += 8
          }
        }
        extra += 4 + length
      }
    }

    /// As Python's zipfile (so pip) extracts it: a folder only when its name ends in `/`, a link
    /// only when its mode says so (its bytes are then looked at: a link that holds a binary is a
    /// file to zipfile), anything else a file, whatever other mode bits say.
    var kind: ArchiveMember.Kind {
      if name.hasSuffix("/") { return .directory }
      return (mode ?? 0) & 0o170000 == 0o120000 ? .symlink(to: "") : .file
    }
  }

  /// A deflated member's decoder, held to its stated size.
  private static func decoder(
    _ data: UnsafeRawBufferPointer, _ entry: Entry, _ limits: ArchiveLimits
  ) throws(ArchiveError) -> DecodedSource {
    var limits = limits
    limits.decodedBytes = min(limits.decodedBytes, entry.size)
    guard let decoder = DecodedSource(data, codec: ARCHWAY_CODEC_DEFLATE, limits: limits) else {
      throw ArchiveError("out of memory")
    }
    return decoder
  }

  private static func read(
    _ entry: Entry, _ view: ByteView, _ walk: MemberWalk, decoded: inout Int
  ) throws(ArchiveError) {
    var member = ArchiveMember(path: entry.name, kind: entry.kind, size: entry.size)
    let data: UnsafeRawBufferPointer
    do {
      guard try view.u32(entry.local) == 0x0403_4B50 else {
        throw ArchiveError("member \(entry.name): its local header is not where the directory says")
      }
      let start = entry.local + 30 + Int(try view.u16(entry.local + 26)) + Int(try view.u16(entry.local + 28))
      try view.check(start, entry.compressed, "member \(entry.name)")
      data = UnsafeRawBufferPointer(rebasing: view.bytes[start..<(start + entry.compressed)])
    } catch let error as ArchiveError {
      throw error
    } catch {
      throw ArchiveError("member \(entry.name): \(error)")
    }
    let wantsBytes = member.kind == .file || member.kind == .symlink(to: "")
    guard wantsBytes, entry.size > 0 else { return try walk.visit(member, .skipped) }
    guard entry.flags & 1 == 0 else {
      member.kind = .other("encrypted")
      return try walk.visit(member, .skipped)
    }
    guard entry.method == 0 || entry.method == 8 else {
      member.kind = .other("compressed with method \(entry.method)")
      return try walk.visit(member, .skipped)
    }
    guard entry.method == 8 || entry.compressed == entry.size else {
      throw ArchiveError("member \(entry.name): stored, but its sizes differ")
    }
    var source: any ByteSource = entry.method == 0 ? MemorySource(data) : try decoder(data, entry, walk.limits)
    if case .symlink = member.kind {
      let target = try source.bytes(min(entry.size, MemberWalk.headSize), "member \(entry.name)")
      let binary = target.withUnsafeBytes {
        BinaryInspector.detectFormat($0) != .unknown || ArchiveInspector.kind($0) != nil
      }
      guard binary || entry.size > 4096 else {
        member.kind = .symlink(to: String(decoding: target, as: UTF8.self))
        return try walk.visit(member, .skipped)
      }
      // Marked a link, but no link target: zipfile writes it as the file it is.
      member.kind = .file
      source = entry.method == 0 ? MemorySource(data) : try decoder(data, entry, walk.limits)
    }
    do throws(ArchiveError) {
      let head = try source.bytes(min(entry.size, MemberWalk.headSize), "member \(entry.name)")
      // Overlapping members (one deflate stream named many times) cost what they decode, in sum.
      let (sum, overflow) = decoded.addingReportingOverflow(entry.size)
      decoded = sum
      guard !overflow, decoded <= walk.limits.decodedBytes else {
        throw ArchiveError("its members decode to more than \(ArchiveLimits.size(walk.limits.decodedBytes))")
      }
      let contents = try walk.contents(of: member, head: head, size: entry.size, rest: &source, readPast: false)
      if case .held(let bytes) = contents {
        let crc = bytes.withUnsafeBytes { archway_crc32(0, $0.baseAddress, $0.count) }
        guard crc == entry.crc else {
          throw ArchiveError("member \(entry.name) does not match its CRC-32: the zip file is corrupt")
        }
      }
      try walk.visit(member, contents)
    } catch {
      throw ArchiveError(error.description.hasPrefix("member") ? error.description : "member \(entry.name): \(error)")
    }
  }
}
