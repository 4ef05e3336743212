// libFuzzer entry for one binary reader, chosen at compile time with -D FUZZ_ELF, FUZZ_MACHO or
// FUZZ_PE; built and run by Scripts/fuzz.sh, not by swift test. The reader must return facts or
// throw BinaryError for any bytes: a trap, a hang or a huge allocation is a finding.
#if FUZZ_ELF
  let read = ELFReader.read
#elseif FUZZ_MACHO
  let read = MachOReader.read
#else
  let read = PEReader.read
#endif

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzReader(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  if let facts = try? read(UnsafeRawBufferPointer(start: data, count: size)) {
    precondition(facts.error == nil, "a reader that returns facts reports no fatal error")
  }
  return 0
}
