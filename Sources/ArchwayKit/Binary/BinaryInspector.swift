import Foundation

/// Recognizes a file's format from its first bytes and reads its facts with the matching reader.
public enum BinaryInspector {
  /// Files up to this size are read into memory; larger ones are memory-mapped.
  static let smallFileLimit = 256 * 1024

  /// The format `bytes` begin with; `.unknown` for anything that is not ELF, Mach-O or PE.
  package static func detectFormat(_ bytes: UnsafeRawBufferPointer) -> BinaryFormat {
    guard bytes.count >= 4 else { return .unknown }
    if bytes[0] == 0x7F, bytes[1] == 0x45, bytes[2] == 0x4C, bytes[3] == 0x46 { return .elf }
    if bytes[0] == 0x4D, bytes[1] == 0x5A { return .pe }
    if MachOReader.looksFat(bytes) { return .machoFat }
    let magic = bytes.loadUnaligned(as: UInt32.self)
    if MachOReader.thinMagics.contains(UInt32(littleEndian: magic)) { return .macho }
    return .unknown
  }

  /// The facts of `bytes`, never throwing: a malformed file keeps its format and gets `error`.
  /// Without `versionedSymbols`, an ELF file's `versioned_symbols` is left empty
  /// (``ELFReader/read(_:versionedSymbols:)``).
  package static func inspect(
    _ bytes: UnsafeRawBufferPointer, path: String = "", versionedSymbols: Bool = true
  ) -> BinaryFacts {
    let format = detectFormat(bytes)
    var facts: BinaryFacts
    do {
      switch format {
      case .elf: facts = try ELFReader.read(bytes, versionedSymbols: versionedSymbols)
      case .macho, .machoFat: facts = try MachOReader.read(bytes)
      case .pe: facts = try PEReader.read(bytes)
      case .unknown: facts = BinaryFacts(format: .unknown)
      }
    } catch {
      facts = BinaryFacts(format: format)
      facts.error = error.description
    }
    facts.path = path
    return facts
  }

  /// Reads the file at `path` (memory-mapped) and returns its facts. Throws ``InspectError`` only
  /// when the file cannot be opened or read; what it contains never makes this throw.
  public static func inspectFile(atPath path: String) throws(InspectError) -> BinaryFacts {
    try withContents(atPath: path) { inspect($0, path: path) }
  }

  /// `body` over the bytes of the regular file at `path`: read into memory when small, else
  /// memory-mapped. Throws ``InspectError`` when the file cannot be opened or read.
  package static func withContents<Result>(
    atPath path: String, _ body: (UnsafeRawBufferPointer) -> Result
  ) throws(InspectError) -> Result {
    let descriptor: Int32
    let size: Int
    do {
      (descriptor, size) = try RegularFile.open(path)
    } catch {
      switch error {
      case .unreadable(let reason): throw InspectError(path: path, reason: reason)
      default: throw InspectError(path: path, reason: "not a regular file")
      }
    }
    defer { close(descriptor) }
    guard size > 0 else { return body(UnsafeRawBufferPointer(start: nil, count: 0)) }
    if size <= smallFileLimit {
      // Small files are cheaper to read than to map: no page faults, no TLB shootdown on unmap.
      // Not zeroed first: only the bytes read are ever looked at.
      var got = 0
      let buffer = [UInt8](unsafeUninitializedCapacity: size) { bytes, count in
        got = pread(descriptor, bytes.baseAddress, size, 0)
        count = max(got, 0)
      }
      guard got >= 0 else { throw InspectError(path: path, reason: String(cString: strerror(errno))) }
      return buffer.withUnsafeBytes { body($0) }
    }
    guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), mapped != MAP_FAILED else {
      throw InspectError(path: path, reason: String(cString: strerror(errno)))
    }
    defer { munmap(mapped, size) }
    return body(UnsafeRawBufferPointer(start: mapped, count: size))
  }
}

/// A file that could not be opened or read (as opposed to one whose contents are malformed).
public struct InspectError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The file, as given or as found in a folder.
  package let path: String
  /// What the system said, e.g. `no such file or directory`.
  package let reason: String

  /// A one-line rendering for messages.
  public var description: String { "\(path): \(reason)" }
}

extension InspectError: ArchwayError {}
