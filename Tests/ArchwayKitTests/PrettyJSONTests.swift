import ArchwayKit
import ArchwayTestSupport
import Foundation
import Testing

@Suite struct PrettyJSONTests {
  @Test(arguments: [1, 2, 3, 7])
  func parallelEncodingIsByteForByteTheEncoders(jobs: Int) async throws {
    let facts = try Fixtures.binaries.map { try BinaryInspector.inspectFile(atPath: $0.path) }
    for omit in [false, true] {
      let whole = try PrettyJSON.encoder(omitVersionedSymbols: omit).encode(facts)
      let parallel = try await PrettyJSON.encodeArray(facts, jobs: jobs, omitVersionedSymbols: omit)
      #expect(parallel == whole)
    }
    #expect(try await PrettyJSON.encodeArray([BinaryFacts](), jobs: jobs) == Data("[]".utf8))
  }
}
