/// A member as an archive lists it: its path inside, what it is, its size.
struct ArchiveMember: Sendable, Hashable {
  enum Kind: Sendable, Hashable {
    case file, directory, device, fifo
    case symlink(to: String)
    case hardlink(to: String)
    /// What the archive's own type names (a sparse file, a volume label…).
    case other(String)
  }

  var path: String
  var kind: Kind
  var size: Int
}

/// What a reader gives a member's visitor: nothing (not a file the walk wants), its bytes, or why
/// they were not read.
enum MemberContents {
  case skipped
  case held([UInt8])
  case tooLarge
}

/// What an archive reader calls back: `wants` sees a regular member and its first bytes (up to 512)
/// and says whether to read it whole; `visit` gets every member, with its bytes when wanted.
struct MemberWalk {
  var limits: ArchiveLimits
  var wants: (ArchiveMember, UnsafeRawBufferPointer) -> Bool
  var visit: (ArchiveMember, MemberContents) throws(ArchiveError) -> Void

  /// How many bytes of a member `wants` sees.
  static let headSize = 512

  /// The contents of `member`, of `size` bytes (nil: unknown, read to the end) whose first bytes are
  /// `head`, the rest read from `source`: held when wanted and within the limit, else skipped (read
  /// past when `readPast`, as a stream must be; a zip member is not, so skipping costs nothing).
  func contents(
    of member: ArchiveMember, head: [UInt8], size: Int?, rest source: inout some ByteSource, readPast: Bool = true
  ) throws(ArchiveError) -> MemberContents {
    guard head.withUnsafeBytes({ wants(member, $0) }) else {
      if let size, readPast { try source.skip(size - head.count, "a member") }
      return .skipped
    }
    if let size {
      guard size <= limits.memberBytes else {
        if readPast { try source.skip(size - head.count, "a member") }
        return .tooLarge
      }
      return .held(head + (try source.bytes(size - head.count, "a member")))
    }
    // A stream without a stated size: read until it ends, or until it passes the limit.
    var held = head
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let got = try withBytes(of: &chunk) { (buffer) throws(ArchiveError) in try source.read(into: buffer) }
      guard got > 0 else { return .held(held) }
      guard held.count + got <= limits.memberBytes else { return .tooLarge }
      held += chunk[..<got]
    }
  }
}
