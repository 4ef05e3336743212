// libFuzzer entry for the binary readers, one of which is chosen when the fuzzer starts by
// $ARCHWAY_FUZZ_READER (elf, macho, pe or archive): one build serves all four. Built and run by
// Scripts/fuzz.sh, not by swift test. The reader must return facts or throw BinaryError for any
// bytes: a trap, a hang or a huge allocation is a finding.
#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Tar, zip, .deb and compressed streams, within limits scaled to the fuzzer's 256 MiB of malloc:
/// an archive's facts, never a throw, whatever the bytes.
func readArchive(_ bytes: UnsafeRawBufferPointer) throws -> BinaryFacts {
  var limits = ArchiveLimits()
  (limits.memberBytes, limits.decodedBytes, limits.ratioFloor, limits.decoderMemory) = (
    4 << 20, 32 << 20, 1 << 20, 16 << 20
  )
  let facts = ArchiveInspector.inspect(bytes, path: "fuzz", limits: limits)
  precondition(!facts.isEmpty, "an archive's facts come first")
  // What is no archive is read as one binary, whose errors are the binary readers' to fuzz.
  guard facts[0].archive != nil else { throw BinaryError(offset: 0, "not an archive") }
  return facts[0]
}

/// ELF, read with and without `versioned_symbols`: only that list may differ (`inspect` reads
/// without it), so a file is damaged, or not, either way.
func readELF(_ bytes: UnsafeRawBufferPointer) throws -> BinaryFacts {
  let full = try ELFReader.read(bytes)
  var lean = try ELFReader.read(bytes, versionedSymbols: false)
  precondition(lean.versionedSymbols.isEmpty, "versioned symbols read when not asked for")
  lean.versionedSymbols = full.versionedSymbols
  precondition(lean == full, "facts read without versioned symbols differ in more than those")
  return full
}

let read: (UnsafeRawBufferPointer) throws -> BinaryFacts = {
  let name = getenv("ARCHWAY_FUZZ_READER").map { String(cString: $0) } ?? ""
  switch name {
  case "elf": return readELF
  case "macho": return MachOReader.read
  case "pe": return PEReader.read
  case "archive": return readArchive
  default: fatalError("ARCHWAY_FUZZ_READER is '\(name)': set it to elf, macho, pe or archive")
  }
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzReader(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  if let facts = try? read(UnsafeRawBufferPointer(start: data, count: size)) {
    precondition(facts.error == nil, "a reader that returns facts reports no fatal error")
  }
  return 0
}
