import Foundation

/// Reads archives and packages as folders of artifacts: the archive's own facts (``ArchiveFacts``)
/// first, then the facts of every binary member, named `ARCHIVE!PATH` (`a.zip!b.tar.gz!bin/app`
/// when nested). Nothing is written anywhere: members are read in memory, one at a time, within
/// ``ArchiveLimits``, and links are never followed.
package enum ArchiveInspector {
  /// What an archive is, from its first bytes.
  package enum Kind: Sendable, Hashable {
    case tar, zip, deb, rpm
    /// A compressed stream: a tar inside, or a single compressed file.
    case compressed(Compression)
  }

  /// The kind of archive `bytes` begin with, or nil.
  package static func kind(_ bytes: UnsafeRawBufferPointer) -> Kind? {
    if let compression = Compression.detect(bytes) { return .compressed(compression) }
    if ZipReader.looksLikeZip(bytes) { return .zip }
    if ArReader.looksLikeDeb(bytes) { return .deb }
    if RpmReader.looksLikeRpm(bytes) { return .rpm }
    if TarReader.looksLikeTar(bytes) { return .tar }
    return nil
  }

  /// The facts of the file at `path`: a binary's, or an archive's and then its binary members'.
  /// Throws ``InspectError`` only when the file cannot be opened or read. Without
  /// `versionedSymbols`, ELF files' `versioned_symbols` are left empty.
  package static func inspectFile(
    atPath path: String, versionedSymbols: Bool = true
  ) throws(InspectError) -> [BinaryFacts] {
    try BinaryInspector.withContents(atPath: path) { bytes in
      BinaryInspector.detectFormat(bytes) == .unknown && kind(bytes) != nil
        ? inspect(bytes, path: path, versionedSymbols: versionedSymbols)
        : [BinaryInspector.inspect(bytes, path: path, versionedSymbols: versionedSymbols)]
    }
  }

  /// The bytes of the member `member` of the archive at `path`, as `inspect` names it after `!`
  /// (a package's paths without `./`; `inner.tar.gz!bin/app` for a nested archive). Throws
  /// ``ArchiveError`` when the archive cannot be read, or holds no such regular file.
  package static func extract(
    _ member: String, fromArchiveAt path: String, limits: ArchiveLimits = ArchiveLimits()
  ) throws(ArchiveError) -> [UInt8] {
    let outcome: Result<[UInt8], ArchiveError>
    do {
      outcome = try BinaryInspector.withContents(atPath: path) { bytes in
        do throws(ArchiveError) {
          return .success(try Walker(limits: limits).extract(member, from: bytes, path: path))
        } catch {
          return .failure(error)
        }
      }
    } catch {
      throw ArchiveError("\(path): \(error.reason)")
    }
    return try outcome.get()
  }

  /// The facts of the archive `bytes` at `path` (first) and of its binary members.
  package static func inspect(
    _ bytes: UnsafeRawBufferPointer, path: String, limits: ArchiveLimits = ArchiveLimits(),
    versionedSymbols: Bool = true
  ) -> [BinaryFacts] {
    Walker(limits: limits, versionedSymbols: versionedSymbols).archive(bytes, path: path, depth: 0)
  }

  /// Reads one archive, and every archive inside it, collecting facts.
  private final class Walker {
    let limits: ArchiveLimits
    /// Whether ELF members' `versioned_symbols` are read.
    let versionedSymbols: Bool
    var members = 0

    init(limits: ArchiveLimits, versionedSymbols: Bool = true) {
      self.limits = limits
      self.versionedSymbols = versionedSymbols
    }

    /// The archive's facts, then its members'. A nested archive's facts follow its own line.
    func archive(_ bytes: UnsafeRawBufferPointer, path: String, depth: Int) -> [BinaryFacts] {
      guard let kind = ArchiveInspector.kind(bytes) else {
        return [BinaryInspector.inspect(bytes, path: path, versionedSymbols: versionedSymbols)]
      }
      var summary = ArchiveFacts(kind: "")
      var found: [BinaryFacts] = []
      let packaged = kind == .deb || kind == .rpm
      let nests = depth + 1 < limits.depth
      let visit = { (member: ArchiveMember, contents: MemberContents) throws(ArchiveError) in
        summary.members += 1
        self.members += 1
        guard self.members <= self.limits.members else {
          throw ArchiveError("more than \(self.limits.members) members: not read further")
        }
        summary.problems += ArchiveInspector.problems(member, packaged: packaged)
        switch contents {
        case .skipped: break
        case .tooLarge:
          summary.problems.append(
            "member \(member.path) is \(ArchiveLimits.size(member.size)), above the limit of"
              + " \(ArchiveLimits.size(self.limits.memberBytes)) a member may be to be read: not checked")
        case .held(let held):
          let name = path + "!" + ArchiveInspector.memberName(member.path, packaged: packaged)
          guard nests || held.withUnsafeBytes({ ArchiveInspector.kind($0) }) == nil else {
            summary.problems.append(
              "member \(member.path) is an archive nested more than \(self.limits.depth) deep: not read")
            return
          }
          var facts = held.withUnsafeBytes { self.archive($0, path: name, depth: depth + 1) }
          facts[0].memberSHA256 = held.withUnsafeBytes { Digest.hash(.sha256, $0).hexString() }
          // A nested archive counts what it holds; a member that only began like a binary, nothing.
          if let nested = facts[0].archive {
            summary.binaries += nested.binaries
          } else if facts[0].format != .unknown {
            summary.binaries += 1
          } else {
            return
          }
          found += facts
        }
      }
      let walk = MemberWalk(
        limits: limits,
        wants: { _, head in BinaryInspector.detectFormat(head) != .unknown || ArchiveInspector.kind(head) != nil },
        visit: visit)
      do throws(ArchiveError) {
        try read(kind, bytes, path: path, walk: walk) {
          summary.kind = $0
        } metadata: {
          summary.metadata = $0
        }
      } catch {
        if summary.kind.isEmpty { summary.kind = kind.name }
        summary.problems.append("cannot be read further: \(error.description)")
      }
      var facts = BinaryFacts(path: path, format: .unknown)
      facts.archive = summary
      return [facts] + found
    }

    /// The bytes of `member` (`bin/app`; `inner.tar.gz!bin/app` inside a nested archive) of the
    /// archive `bytes`.
    func extract(_ member: String, from bytes: UnsafeRawBufferPointer, path: String) throws(ArchiveError) -> [UInt8] {
      guard let kind = ArchiveInspector.kind(bytes) else {
        throw ArchiveError("\(path) is not an archive Archway reads")
      }
      let parts = member.split(separator: "!", maxSplits: 1).map(String.init)
      guard let wanted = parts.first.map({ ArchiveInspector.memberName($0, packaged: true) }), !wanted.isEmpty else {
        throw ArchiveError("names no member after '!'")
      }
      var found: [UInt8]?
      var tooLarge = false
      let walk = MemberWalk(
        limits: limits,
        wants: { candidate, _ in ArchiveInspector.memberName(candidate.path, packaged: true) == wanted },
        visit: { candidate, contents in
          guard ArchiveInspector.memberName(candidate.path, packaged: true) == wanted else { return }
          // The last entry of a name is what unpacking leaves: a later link or folder replaces a file.
          (found, tooLarge) = (nil, false)
          switch contents {
          case .held(let bytes): found = bytes
          case .tooLarge: tooLarge = true
          case .skipped: break
          }
        })
      try read(kind, bytes, path: path, walk: walk, named: { _ in }, metadata: { _ in })
      guard let found else {
        if tooLarge {
          throw ArchiveError("its member \(wanted) is larger than \(ArchiveLimits.size(limits.memberBytes))")
        }
        throw ArchiveError("\(path) holds no file \(wanted)")
      }
      guard parts.count == 2 else { return found }
      var inner = found
      return try withBytes(of: &inner) { (buffer) throws(ArchiveError) in
        try extract(parts[1], from: UnsafeRawBufferPointer(buffer), path: path + "!" + wanted)
      }
    }

    /// Reads `bytes` as `kind`, telling `named` its name (`tar.gz`, or `gz` for one compressed
    /// file) once known, and `metadata` a package's fields.
    func read(
      _ kind: Kind, _ bytes: UnsafeRawBufferPointer, path: String, walk: MemberWalk, named: (String) -> Void,
      metadata: ([String: String]) -> Void
    ) throws(ArchiveError) {
      switch kind {
      case .tar:
        named("tar")
        var source = MemorySource(bytes)
        try TarReader.read(&source, walk)
      case .zip:
        named((path as NSString).pathExtension.lowercased() == "whl" ? "wheel" : "zip")
        try ZipReader.read(bytes, walk)
      case .deb:
        named("deb")
        try readDeb(bytes, walk: walk, metadata: metadata)
      case .rpm:
        named("rpm")
        let (fields, start) = try RpmReader.header(bytes)
        metadata(fields)
        var source = try plainOrDecoded(UnsafeRawBufferPointer(rebasing: bytes[min(start, bytes.count)...]))
        try CpioReader.read(&source, walk)
      case .compressed(let compression):
        guard let decoded = DecodedSource(bytes, codec: compression.codec, limits: limits) else {
          throw ArchiveError("out of memory")
        }
        var source: any ByteSource = decoded
        let head = try source.upTo(MemberWalk.headSize)
        let isTar = head.withUnsafeBytes { TarReader.looksLikeTar($0) }
        named((isTar ? "tar." : "") + compression.rawValue)
        var rest: any ByteSource = Prefixed(prefix: head, rest: source)
        if isTar {
          try TarReader.read(&rest, walk)
        } else {
          // One compressed file: its member is the archive's name without the compression's suffix.
          let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
          var member = ArchiveMember(path: name, kind: .file, size: 0)
          let contents = try walk.contents(of: member, head: head, size: nil, rest: &source)
          if case .held(let bytes) = contents { member.size = bytes.count }
          try walk.visit(member, contents)
        }
      }
    }

    /// A Debian package: its `control` file's fields, and `data.tar.*`'s members as the package's.
    private func readDeb(
      _ bytes: UnsafeRawBufferPointer, walk: MemberWalk, metadata: ([String: String]) -> Void
    ) throws(ArchiveError) {
      var found = false
      for (name, data) in try ArReader.members(bytes) {
        if name.hasPrefix("control.tar") {
          var control: [UInt8]?
          let reader = MemberWalk(
            limits: limits,
            wants: { member, _ in ArchiveInspector.memberName(member.path, packaged: true) == "control" },
            visit: { member, contents in
              if ArchiveInspector.memberName(member.path, packaged: true) == "control", case .held(let bytes) = contents
              {
                control = bytes
              }
            })
          try readTar(data, member: name, walk: reader)
          if let control, control.count <= 1 << 20 { metadata(DebianControl.fields(control)) }
        } else if name.hasPrefix("data.tar") {
          found = true
          try readTar(data, member: name, walk: walk)
        }
      }
      guard found else { throw ArchiveError("a Debian package without data.tar") }
    }

    /// A tar member of a package, plain or compressed.
    private func readTar(_ data: UnsafeRawBufferPointer, member: String, walk: MemberWalk) throws(ArchiveError) {
      var source = try plainOrDecoded(data)
      try TarReader.read(&source, walk)
    }

    /// `data` as it is, or decoded when it begins with a compression's magic.
    private func plainOrDecoded(_ data: UnsafeRawBufferPointer) throws(ArchiveError) -> any ByteSource {
      guard let compression = Compression.detect(data) else { return MemorySource(data) }
      guard let decoded = DecodedSource(data, codec: compression.codec, limits: limits) else {
        throw ArchiveError("out of memory")
      }
      return decoded
    }
  }

  /// How a member is named after `!`: a package's paths without the `./` its tar gives them.
  static func memberName(_ path: String, packaged: Bool) -> String {
    var name = Substring(path)
    while name.hasPrefix("./") { name = name.dropFirst(2) }
    return String(name)
  }

  /// What is wrong with `member` itself: a path out of the archive, a link out of it, a device, a
  /// FIFO. In a package (installed at `/`), an absolute link is where it points once installed; in
  /// an archive it leads out.
  static func problems(_ member: ArchiveMember, packaged: Bool) -> [String] {
    var found: [String] = []
    if member.path.hasPrefix("/") {
      found.append("member \(member.path) has an absolute path: unpacking it writes outside the folder")
    } else if escapes(member.path, from: "") {
      found.append("member \(member.path) leads out of the archive (..)")
    }
    switch member.kind {
    case .symlink(let target):
      let folder = (member.path as NSString).deletingLastPathComponent
      if target.hasPrefix("/") ? !packaged : escapes(target, from: folder) {
        found.append("member \(member.path) is a link out of the archive, to \(target)")
      }
    case .hardlink(let target):
      if target.hasPrefix("/") || escapes(target, from: "") {
        found.append("member \(member.path) is a hard link out of the archive, to \(target)")
      }
    case .device: found.append("member \(member.path) is a device: a release holds none")
    case .fifo: found.append("member \(member.path) is a FIFO: a release holds none")
    // What is not read is not checked, and never passes: an encrypted zip member, a compression
    // Archway does not decode, a tar type it does not know.
    case .other(let what): found.append("member \(member.path) is \(what): not read, so not checked")
    default: break
    }
    return found
  }

  /// Whether `path`, relative to `folder` (inside the archive), climbs above the archive's top.
  static func escapes(_ path: String, from folder: String) -> Bool {
    var depth = 0
    for part in (folder + "/" + path).split(separator: "/") {
      switch part {
      case ".": continue
      case "..":
        depth -= 1
        if depth < 0 { return true }
      default: depth += 1
      }
    }
    return false
  }
}

extension ArchiveInspector.Kind {
  var name: String {
    switch self {
    case .tar: "tar"
    case .zip: "zip"
    case .deb: "deb"
    case .rpm: "rpm"
    case .compressed(let compression): compression.rawValue
    }
  }
}

/// Bytes already read, then the rest of a source.
private struct Prefixed: ByteSource {
  var prefix: [UInt8]
  var offset = 0
  var rest: any ByteSource

  init(prefix: [UInt8], rest: any ByteSource) {
    self.prefix = prefix
    self.rest = rest
  }

  mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(ArchiveError) -> Int {
    guard offset < prefix.count else { return try rest.read(into: buffer) }
    let count = min(buffer.count, prefix.count - offset)
    prefix.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[offset..<(offset + count)])) }
    offset += count
    return count
  }
}

/// A Debian `control` file's fields (deb-control(5)): `Field: value`, continuation lines joined.
enum DebianControl {
  static func fields(_ bytes: [UInt8]) -> [String: String] {
    var fields: [String: String] = [:]
    var last: String?
    for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
      if line.first == " " || line.first == "\t" {
        if let last { fields[last, default: ""] += "\n" + line.trimmingCharacters(in: .whitespaces) }
        continue
      }
      guard let colon = line.firstIndex(of: ":") else { continue }
      let name = String(line[..<colon])
      fields[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
      last = name
    }
    return fields
  }
}
