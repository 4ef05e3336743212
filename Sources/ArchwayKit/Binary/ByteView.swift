#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Bounds-checked reads from a buffer of bytes in either byte order.
///
/// Every read checks its range with overflow-checked arithmetic and throws a ``BinaryError``
/// naming the offset instead of trapping. The buffer is borrowed, never copied.
struct ByteView {
  let bytes: UnsafeRawBufferPointer
  var isBigEndian = false

  var count: Int { bytes.count }

  /// Throws unless `length` bytes at `offset` lie inside the buffer.
  func check(_ offset: Int, _ length: Int, _ what: @autoclosure () -> String) throws(BinaryError) {
    guard offset >= 0, length >= 0, offset <= count, length <= count - offset else {
      let have = offset >= 0 && offset <= count ? count - offset : 0
      throw BinaryError(offset: max(0, offset), "truncated \(what()): needs \(length) bytes, \(have) left")
    }
  }

  func u8(_ offset: Int, _ what: @autoclosure () -> String = "byte") throws(BinaryError) -> UInt8 {
    try check(offset, 1, what())
    return bytes[offset]
  }

  func u16(_ offset: Int, _ what: @autoclosure () -> String = "field") throws(BinaryError) -> UInt16 {
    try check(offset, 2, what())
    let raw = bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self)
    return isBigEndian ? UInt16(bigEndian: raw) : UInt16(littleEndian: raw)
  }

  func u32(_ offset: Int, _ what: @autoclosure () -> String = "field") throws(BinaryError) -> UInt32 {
    try check(offset, 4, what())
    let raw = bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
    return isBigEndian ? UInt32(bigEndian: raw) : UInt32(littleEndian: raw)
  }

  func u64(_ offset: Int, _ what: @autoclosure () -> String = "field") throws(BinaryError) -> UInt64 {
    try check(offset, 8, what())
    let raw = bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
    return isBigEndian ? UInt64(bigEndian: raw) : UInt64(littleEndian: raw)
  }

  /// A 4- or 8-byte word, as ELF's `Elf32_Addr`/`Elf64_Addr` and friends.
  func word(_ offset: Int, wide: Bool, _ what: @autoclosure () -> String = "field") throws(BinaryError) -> UInt64 {
    wide ? try u64(offset, what()) : UInt64(try u32(offset, what()))
  }

  /// The NUL-terminated string at `offset`, which must end before `end` and within `limit` bytes.
  func cString(
    at offset: Int, end: Int, limit: Int = 4096, _ what: @autoclosure () -> String
  ) throws(BinaryError)
    -> String
  {
    let stop = min(end, count)
    guard offset >= 0, offset < stop else {
      throw BinaryError(offset: max(0, offset), "\(what()) starts outside its table")
    }
    let index = try terminator(at: offset, end: stop, limit: limit, what())
    return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[offset..<index]), as: UTF8.self)
  }

  /// Where the NUL-terminated string at `offset` (inside `offset..<stop`) ends: its NUL's offset.
  func terminator(
    at offset: Int, end stop: Int, limit: Int, _ what: @autoclosure () -> String
  ) throws(BinaryError)
    -> Int
  {
    let window = min(stop - offset, limit + 1)
    guard let base = bytes.baseAddress, let found = memchr(base + offset, 0, window) else {
      if window > limit { throw BinaryError(offset: offset, "\(what()) is longer than \(limit) bytes") }
      throw BinaryError(offset: offset, "\(what()) has no terminating NUL")
    }
    return base.distance(to: UnsafeRawPointer(found))
  }

  /// `base + delta` as a file offset, or an error when it overflows or leaves the buffer.
  static func offset(
    _ value: UInt64, plus delta: UInt64 = 0, _ what: @autoclosure () -> String
  ) throws(BinaryError)
    -> Int
  {
    let (sum, overflow) = value.addingReportingOverflow(delta)
    guard !overflow, let result = Int(exactly: sum), result <= Int(Int32.max) * 1024 else {
      throw BinaryError(offset: 0, "\(what()) offset 0x\(String(value, radix: 16)) is out of range")
    }
    return result
  }

  /// `count * size`, or an error when it overflows or exceeds the buffer.
  func tableSize(
    count items: Int, size: Int, at offset: Int, _ what: @autoclosure () -> String
  ) throws(BinaryError)
    -> Int
  {
    let (total, overflow) = items.multipliedReportingOverflow(by: size)
    guard !overflow else { throw BinaryError(offset: offset, "\(what()) claims \(items) entries") }
    try check(offset, total, "\(what()) of \(items) entries")
    return total
  }
}
