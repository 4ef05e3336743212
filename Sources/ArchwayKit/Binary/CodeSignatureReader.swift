/// Reads and checks a Mach-O slice's embedded code signature (``CodeSignature``) as the kernel
/// does before it maps the slice's pages: every page hash of every CodeDirectory is recomputed
/// from the slice's bytes and compared, and so is every special slot whose blob the signature holds.
///
/// The signature's structures are big-endian whatever the slice's byte order (xnu
/// `osfmk/kern/cs_blobs.h`). A malformed signature is not an unreadable file: it is a signature the
/// kernel refuses, so it becomes the signature's `problem` and the rest of the slice still reads.
/// Every offset and count is checked against the blob that holds it; the work is bounded by the
/// slice's size times the number of CodeDirectories (at most six).
enum CodeSignatureReader {
  private static let superBlobMagic: UInt32 = 0xFADE_0CC0
  private static let codeDirectoryMagic: UInt32 = 0xFADE_0C02
  private static let blobWrapperMagic: UInt32 = 0xFADE_0B01
  private static let codeDirectorySlot: UInt32 = 0
  private static let alternateSlots: ClosedRange<UInt32> = 0x1000...0x1004
  private static let signatureSlot: UInt32 = 0x1_0000
  /// Special slots holding a blob of the signature itself, which a CodeDirectory hashes. Slots 1
  /// (Info.plist) and 3 (resources) hash files of a bundle, outside the binary.
  private static let blobSlots: [UInt32: String] = [
    2: "requirements", 4: "application", 5: "entitlements", 7: "der-entitlements",
    8: "launch-constraint-self", 9: "launch-constraint-parent", 10: "launch-constraint-responsible",
    11: "library-constraint",
  ]

  /// The signature of the slice in `bytes` (at `base` in its file), whose `LC_CODE_SIGNATURE` says
  /// it lies at `offset` from the slice's start and takes `size` bytes.
  static func read(slice bytes: UnsafeRawBufferPointer, base: Int, offset: UInt32, size: UInt32) -> CodeSignature {
    var signature = CodeSignature(kind: .malformed)
    do throws(BinaryError) {
      try read(ByteView(bytes: bytes, isBigEndian: true), at: Int(offset), size: Int(size), into: &signature)
    } catch {
      let at = String(base + error.offset, radix: 16)
      signature.problem = "the signature is malformed: \(error.message) (at file offset 0x\(at))"
    }
    return signature
  }

  private struct Blob {
    let slot: UInt32
    let range: Range<Int>
  }

  private static func read(
    _ view: ByteView, at start: Int, size: Int, into signature: inout CodeSignature
  ) throws(BinaryError) {
    try view.check(start, size, "code signature (LC_CODE_SIGNATURE)")
    guard try view.u32(start, "SuperBlob") == superBlobMagic else {
      throw BinaryError(offset: start, "no embedded-signature SuperBlob (magic 0xfade0cc0)")
    }
    let length = Int(try view.u32(start + 4, "SuperBlob"))
    guard length >= 12, length <= size else {
      throw BinaryError(offset: start, "SuperBlob claims \(length) bytes of \(size)")
    }
    let count = Int(try view.u32(start + 8, "SuperBlob"))
    guard count <= (length - 12) / 8 else { throw BinaryError(offset: start, "SuperBlob claims \(count) blobs") }
    var blobs: [Blob] = []
    for index in 0..<count {
      let slot = try view.u32(start + 12 + index * 8)
      let offset = Int(try view.u32(start + 16 + index * 8))
      guard offset >= 12 + count * 8, offset <= length - 8 else {
        throw BinaryError(offset: start + 12 + index * 8, "blob \(index) lies outside the SuperBlob")
      }
      let blobLength = Int(try view.u32(start + offset + 4))
      guard blobLength >= 8, blobLength <= length - offset else {
        throw BinaryError(offset: start + offset, "blob \(index) claims \(blobLength) bytes")
      }
      blobs.append(Blob(slot: slot, range: (start + offset)..<(start + offset + blobLength)))
    }
    let directories = blobs.filter { $0.slot == codeDirectorySlot || alternateSlots.contains($0.slot) }
    guard directories.first?.slot == codeDirectorySlot else {
      throw BinaryError(offset: start, "no CodeDirectory in slot 0")
    }
    var hasCertificate = false
    if let wrapper = blobs.first(where: { $0.slot == signatureSlot }) {
      guard try view.u32(wrapper.range.lowerBound) == blobWrapperMagic else {
        throw BinaryError(offset: wrapper.range.lowerBound, "the signature slot holds no blob wrapper")
      }
      hasCertificate = wrapper.range.count > 8
    }
    for directory in directories {
      try check(directory, in: view, blobs: blobs, signatureOffset: start, into: &signature)
    }
    let flags = try view.u32(directories[0].range.lowerBound + 12)
    signature.kind =
      hasCertificate ? .certificate : flags & 0x2_0000 != 0 ? .linkerSigned : flags & 0x2 != 0 ? .adhoc : .malformed
    signature.hardenedRuntime = flags & 0x1_0000 != 0
    if signature.kind == .malformed, signature.problem == nil {
      signature.problem = "is neither ad hoc (CS_ADHOC) nor signed with a certificate (no CMS blob)"
    }
  }

  /// Reads one CodeDirectory and compares its hashes, recording the first mismatch as the problem.
  private static func check(
    _ blob: Blob, in view: ByteView, blobs: [Blob], signatureOffset: Int, into signature: inout CodeSignature
  ) throws(BinaryError) {
    let at = blob.range.lowerBound
    guard try view.u32(at) == codeDirectoryMagic else {
      throw BinaryError(offset: at, "slot 0x\(String(blob.slot, radix: 16)) holds no CodeDirectory")
    }
    let version = try view.u32(at + 8, "CodeDirectory")
    let needed = version >= 0x20400 ? 88 : version >= 0x20300 ? 64 : version >= 0x20200 ? 52 : 44
    guard version >= 0x20001, blob.range.count >= needed else {
      throw BinaryError(
        offset: at, "CodeDirectory version 0x\(String(version, radix: 16)) in \(blob.range.count) bytes")
    }
    let flags = try view.u32(at + 12)
    let hashOffset = Int(try view.u32(at + 16))
    let specialSlots = Int(try view.u32(at + 24))
    let codeSlots = Int(try view.u32(at + 28))
    let hashSize = Int(try view.u8(at + 36))
    let hashType = try view.u8(at + 37)
    let pageShift = Int(try view.u8(at + 39))
    var codeLimit = Int(try view.u32(at + 32))
    let codeLimit64 = version >= 0x20300 ? try view.u64(at + 56) : 0
    if codeLimit64 != 0 { codeLimit = try ByteView.offset(codeLimit64, "codeLimit64") }
    guard let (kind, name) = hashKind(hashType), hashSize == (hashType == 3 ? 20 : kind.length) else {
      throw BinaryError(offset: at + 36, "CodeDirectory hash type \(hashType) with \(hashSize)-byte hashes")
    }
    guard pageShift <= 20 else { throw BinaryError(offset: at + 39, "CodeDirectory page size 2^\(pageShift)") }
    let pageSize = pageShift == 0 ? 0 : 1 << pageShift
    let pages = pageSize == 0 ? (codeLimit > 0 ? 1 : 0) : (codeLimit + pageSize - 1) / pageSize
    guard codeLimit <= view.count else {
      throw BinaryError(offset: at + 32, "code limit \(codeLimit) lies past the slice's \(view.count) bytes")
    }
    // Linkers and codesign hash everything before the signature; bytes between the code limit and
    // the signature would be mapped unsigned.
    guard codeLimit >= signatureOffset else {
      throw BinaryError(
        offset: at + 32, "the code limit \(codeLimit) leaves bytes up to the signature at \(signatureOffset) unsigned")
    }
    guard codeSlots == pages else {
      throw BinaryError(offset: at + 28, "\(codeSlots) page hashes for \(pages) pages of \(codeLimit) bytes")
    }
    guard hashOffset >= specialSlots * hashSize, hashOffset <= blob.range.count,
      codeSlots <= (blob.range.count - hashOffset) / max(hashSize, 1)
    else { throw BinaryError(offset: at + 16, "CodeDirectory hashes lie outside it") }
    if version >= 0x20100, try view.u32(at + 44) != 0 {
      throw BinaryError(offset: at + 44, "uses a scatter vector, which Archway does not check")
    }
    var directory = CodeDirectory(
      version: "0x\(String(version, radix: 16))", flags: flagNames(flags), hashType: name, hashSize: hashSize,
      pageSize: pageSize, codeLimit: codeLimit, codeSlots: codeSlots, specialSlots: specialSlots)
    if version >= 0x20400 {
      directory.execSegment = .init(
        base: try ByteView.offset(try view.u64(at + 64), "execSegBase"),
        limit: try ByteView.offset(try view.u64(at + 72), "execSegLimit"),
        flags: execSegmentFlagNames(try view.u64(at + 80)))
    }
    if signature.codeDirectories.isEmpty {
      signature.identifier = try string(view, directory: blob, field: 20, "identifier")
      if version >= 0x20200 { signature.teamID = try string(view, directory: blob, field: 48, "team identifier") }
    }
    signature.codeDirectories.append(directory)

    let hashes = at + hashOffset
    func hash(_ range: Range<Int>) -> [UInt8] {
      Array(Digest.hash(kind, UnsafeRawBufferPointer(rebasing: view.bytes[range])).prefix(hashSize))
    }
    for page in 0..<codeSlots {
      let from = page * pageSize
      let range = from..<(pageSize == 0 ? codeLimit : min(from + pageSize, codeLimit))
      signature.pagesChecked += 1
      let stored = Array(view.bytes[(hashes + page * hashSize)..<(hashes + (page + 1) * hashSize)])
      guard hash(range) == stored else {
        if signature.problem == nil {
          signature.firstBadPage = page
          signature.problem =
            "page \(page) (bytes 0x\(String(range.lowerBound, radix: 16))..<0x\(String(range.upperBound, radix: 16)))"
            + " does not match its \(name) hash: the file changed after it was signed"
        }
        return
      }
    }
    for (slot, blobName) in blobSlots.sorted(by: { $0.key < $1.key }) {
      guard let held = blobs.first(where: { $0.slot == slot }) else { continue }
      guard Int(slot) <= specialSlots else {
        signature.problem = signature.problem ?? "its \(blobName) blob is not hashed by the \(name) CodeDirectory"
        return
      }
      let stored = Array(view.bytes[(hashes - Int(slot) * hashSize)..<(hashes - Int(slot - 1) * hashSize)])
      guard hash(held.range) == stored else {
        signature.problem = signature.problem ?? "its \(blobName) blob does not match its \(name) hash"
        return
      }
      if !signature.specialSlots.contains(blobName) { signature.specialSlots.append(blobName) }
    }
  }

  private static func string(
    _ view: ByteView, directory blob: Blob, field: Int, _ what: String
  ) throws(BinaryError) -> String? {
    let offset = Int(try view.u32(blob.range.lowerBound + field))
    guard offset != 0 else { return nil }
    guard offset < blob.range.count else {
      throw BinaryError(offset: blob.range.lowerBound + field, "the \(what) lies outside the CodeDirectory")
    }
    return try view.cString(at: blob.range.lowerBound + offset, end: blob.range.upperBound, limit: 1024, what)
  }

  private static func hashKind(_ type: UInt8) -> (Digest.Kind, String)? {
    switch type {
    case 1: (.sha1, "sha1")
    case 2: (.sha256, "sha256")
    case 3: (.sha256, "sha256-truncated")
    case 4: (.sha384, "sha384")
    default: nil
    }
  }

  private static func flagNames(_ flags: UInt32) -> [String] {
    let names: [(UInt32, String)] = [
      (0x2, "adhoc"), (0x4, "get-task-allow"), (0x100, "hard"), (0x200, "kill"), (0x400, "expires"),
      (0x800, "restrict"), (0x1000, "enforcement"), (0x2000, "library-validation"), (0x1_0000, "runtime"),
      (0x2_0000, "linker-signed"),
    ]
    return bits(flags, names)
  }

  private static func execSegmentFlagNames(_ flags: UInt64) -> [String] {
    let names: [(UInt64, String)] = [
      (0x1, "main-binary"), (0x10, "allow-unsigned"), (0x20, "debugger"), (0x40, "jit"), (0x80, "skip-lv"),
      (0x100, "can-load-cdhash"), (0x200, "can-exec-cdhash"),
    ]
    return bits(flags, names)
  }

  /// The names of the set bits of `value`, `0x…` for the rest.
  private static func bits<T: FixedWidthInteger & UnsignedInteger>(_ value: T, _ names: [(T, String)]) -> [String] {
    let known = names.reduce(T(0)) { $0 | $1.0 }
    let rest = value & ~known
    return names.filter { value & $0.0 != 0 }.map(\.1) + (rest == 0 ? [] : ["0x\(String(rest, radix: 16))"])
  }
}
