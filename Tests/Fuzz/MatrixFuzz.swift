// libFuzzer entry for the matrix parser (YAML through Yams into MatrixFile); built and run by
// Scripts/fuzz.sh matrix, not by swift test. Any text must give a MatrixFile or a MatrixError: a
// trap, a hang or a huge allocation (an alias bomb, a deep nesting) is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMatrix(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
  if let file = try? MatrixFile.parse(yaml: text, file: "fuzz.yml") {
    precondition(file.axes.allSatisfy { !($0.value.items ?? []).isEmpty }, "an axis is a non-empty list")
  }
  return 0
}
