// libFuzzer entry for the per-test result parsers (go test -json, TAP, JUnit XML): what a project
// under test writes is untrusted, so any bytes must parse to results or a TestResultsError, never a
// trap, a hang or a huge allocation. Built and run by Scripts/fuzz.sh, not by swift test.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzResults(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  guard let data, size > 0 else { return 0 }
  let bytes = Data(bytes: data, count: size)
  for format in TestResultsFormat.allCases {
    if let results = try? TestResults.parse(bytes, format: format) {
      precondition(results.cases.count <= size, "no more tests than bytes")
    }
  }
  return 0
}
