// libFuzzer entry for the ELF reader; built and run by Scripts/fuzz.sh, not by swift test.
// The reader must return facts or throw BinaryError for any bytes: a trap, a hang or a huge
// allocation is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzELF(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  let bytes = UnsafeRawBufferPointer(start: data, count: size)
  if let facts = try? ELFReader.read(bytes) {
    precondition(facts.error == nil, "a reader that returns facts reports no fatal error")
  }
  return 0
}
