import ArchwayCodecs

/// Why an archive could not be read further: cut short, corrupt, or past one of ``ArchiveLimits``.
package struct ArchiveError: Error, Sendable, Hashable, CustomStringConvertible {
  /// What was wrong.
  package let description: String

  init(_ description: String) { self.description = description }
}

/// Bytes read once, in order: an archive's, or what a decoder makes of them. Tar, ar and cpio are
/// read from one, so a compressed archive is never held whole once decoded.
protocol ByteSource {
  /// Fills the start of `buffer` with the next bytes; returns how many, 0 only at the end.
  mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(ArchiveError) -> Int
}

extension ByteSource {
  /// Exactly `buffer.count` next bytes; throws when the source ends first.
  mutating func readExactly(into buffer: UnsafeMutableRawBufferPointer, _ what: String) throws(ArchiveError) {
    var filled = 0
    while filled < buffer.count {
      let got = try read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
      guard got > 0 else { throw ArchiveError("cut short in \(what): \(filled) of \(buffer.count) bytes") }
      filled += got
    }
  }

  /// `count` next bytes as an array, grown a mebibyte at a time as they arrive: a size a header
  /// claims is never allocated before the bytes are there (a bomb stops at its decoder's limit).
  mutating func bytes(_ count: Int, _ what: String) throws(ArchiveError) -> [UInt8] {
    var result: [UInt8] = []
    result.reserveCapacity(min(count, 1 << 20))
    var chunk = [UInt8](repeating: 0, count: min(count, 1 << 20))
    while result.count < count {
      let step = min(chunk.count, count - result.count)
      try withBytes(of: &chunk) { (buffer) throws(ArchiveError) in
        try readExactly(into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<step]), what)
      }
      result += chunk[..<step]
    }
    return result
  }

  /// Up to `count` next bytes: fewer only at the end.
  mutating func upTo(_ count: Int) throws(ArchiveError) -> [UInt8] {
    var result = [UInt8](repeating: 0, count: count)
    var filled = 0
    while filled < count {
      let got = try withBytes(of: &result) { (buffer) throws(ArchiveError) in
        try read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
      }
      if got == 0 { break }
      filled += got
    }
    return Array(result[..<filled])
  }

  /// Reads past `count` bytes.
  mutating func skip(_ count: Int, _ what: String) throws(ArchiveError) {
    var left = count
    var scratch = [UInt8](repeating: 0, count: min(count, 1 << 16))
    while left > 0 {
      let step = min(left, scratch.count)
      try withBytes(of: &scratch) { (buffer) throws(ArchiveError) in
        try readExactly(into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<step]), what)
      }
      left -= step
    }
  }
}

/// `body` over `array`'s bytes, its error kept typed (Array's `withUnsafeMutableBytes` rethrows an
/// untyped one).
func withBytes<Result>(
  of array: inout [UInt8], _ body: (UnsafeMutableRawBufferPointer) throws(ArchiveError) -> Result
) throws(ArchiveError) -> Result {
  let outcome: Swift.Result<Result, ArchiveError> = array.withUnsafeMutableBytes { buffer in
    do throws(ArchiveError) { return .success(try body(buffer)) } catch { return .failure(error) }
  }
  return try outcome.get()
}

/// Bytes already in memory (a file mapped, a member read whole).
struct MemorySource: ByteSource {
  let bytes: UnsafeRawBufferPointer
  var offset = 0

  init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

  mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(ArchiveError) -> Int {
    let count = min(buffer.count, bytes.count - offset)
    guard count > 0 else { return 0 }
    buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count]))
    offset += count
    return count
  }
}

/// A compression an archive may be wrapped in, recognised by its first bytes.
package enum Compression: String, Sendable, Hashable, CaseIterable {
  case gzip = "gz", xz, zstd = "zst", bzip2 = "bz2"

  /// The compression `bytes` begin with, if any.
  static func detect(_ bytes: UnsafeRawBufferPointer) -> Compression? {
    func starts(_ magic: [UInt8]) -> Bool {
      bytes.count >= magic.count && zip(bytes, magic).allSatisfy { $0 == $1 }
    }
    if starts([0x1F, 0x8B]) { return .gzip }
    if starts([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) { return .xz }
    if starts([0x28, 0xB5, 0x2F, 0xFD]) { return .zstd }
    // "BZh" and the block size, 1 to 9.
    if starts([0x42, 0x5A, 0x68]), bytes.count > 3, (0x31...0x39).contains(bytes[3]) { return .bzip2 }
    return nil
  }

  var codec: archway_codec {
    switch self {
    case .gzip: ARCHWAY_CODEC_GZIP
    case .xz: ARCHWAY_CODEC_XZ
    case .zstd: ARCHWAY_CODEC_ZSTD
    case .bzip2: ARCHWAY_CODEC_BZIP2
    }
  }
}

/// What a compressed input decodes to, read in order, within ``ArchiveLimits``: a decoder's window
/// at most `decoderMemory`, the output at most `decodedBytes`, and never more than `ratio` times the
/// input past `ratioFloor` (a decompression bomb stops there, not when memory runs out).
final class DecodedSource: ByteSource {
  private let decoder: OpaquePointer
  private let limits: ArchiveLimits
  private(set) var produced = 0

  /// A decoder of `input` (which must outlive it) with `codec`; nil when out of memory.
  init?(_ input: UnsafeRawBufferPointer, codec: archway_codec, limits: ArchiveLimits) {
    guard let decoder = archway_decoder_new(codec, input.baseAddress, input.count, UInt64(limits.decoderMemory))
    else { return nil }
    self.decoder = decoder
    self.limits = limits
  }

  deinit { archway_decoder_free(decoder) }

  func read(into buffer: UnsafeMutableRawBufferPointer) throws(ArchiveError) -> Int {
    var made = 0
    while made == 0 {
      var step = 0
      let status = archway_decoder_run(decoder, buffer.baseAddress, buffer.count, &step)
      made = step
      if status < 0 { throw ArchiveError(String(cString: archway_decoder_reason(decoder))) }
      if status == 1 { break }
    }
    produced += made
    let consumed = Int(archway_decoder_consumed(decoder))
    if produced > limits.decodedBytes {
      throw ArchiveError("decodes to more than \(ArchiveLimits.size(limits.decodedBytes)), the limit")
    }
    if produced > limits.ratioFloor, produced / max(consumed, 1) > limits.ratio {
      throw ArchiveError(
        "decodes to more than \(limits.ratio) times its size (\(ArchiveLimits.size(produced)) from"
          + " \(ArchiveLimits.size(consumed))): a decompression bomb, not read further")
    }
    return made
  }
}

/// What reading an archive may cost, so a hostile one is refused quickly and in bounded memory.
package struct ArchiveLimits: Sendable, Hashable {
  /// Members listed, across nested archives.
  package var members = 100_000
  /// The largest member held in memory to be read as a binary (or a nested archive).
  package var memberBytes = 1 << 30
  /// All that one compressed stream may decode to.
  package var decodedBytes = 16 << 30
  /// The most a stream may grow by, once it has made `ratioFloor` bytes.
  package var ratio = 100
  package var ratioFloor = 64 << 20
  /// A decoder's window (xz's dictionary, zstd's window).
  package var decoderMemory = 256 << 20
  /// Archives inside archives inside archives.
  package var depth = 3

  package init() {}

  static func size(_ bytes: Int) -> String {
    bytes >= 1 << 30
      ? "\(bytes >> 30) GiB"
      : bytes >= 1 << 20 ? "\(bytes >> 20) MiB" : bytes >= 1024 ? "\(bytes >> 10) KiB" : "\(bytes) bytes"
  }
}
