import ArchwayKit
import ArchwayTestSupport
import Foundation
import Testing

/// `archway inspect` given files by the hundred (`$(find …)`, xargs): every path read, in the order
/// given, with the options before, between or after them, and `--` before names that look like options.
@Suite struct InspectManyCLITests {
  static func paths(_ json: String) throws -> [String] {
    let array = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
    return array.map { $0["path"] as? String ?? "?" }
  }

  @Test func manyOperandsAreReadInTheirOrderWhereverTheOptionsAre() async throws {
    let binaries = Fixtures.binaries.map(\.path)
    // More than one batch of the streamed output (256 files a job), and more than ArgumentParser takes.
    let many = (0..<20).flatMap { _ in binaries }.shuffled()
    #expect(many.count > 2 * 256)
    for arguments in [
      ["inspect", "--json"] + many, ["inspect", "--jobs", "3", "--json"] + many,
      ["inspect"] + many.prefix(3) + ["--json"] + many.dropFirst(3), ["inspect", "--json", "--"] + many,
    ] {
      let result = try await Command.run(Fixtures.archway, arguments)
      #expect(result.status == 0, "\(result.stderr)")
      #expect(try Self.paths(result.stdout) == many, "\(arguments.prefix(4))")
    }
    // The batches written as they come make the bytes of the whole array.
    let whole = try await Command.run(Fixtures.archway, ["inspect", "--json"] + many)
    let facts = try many.map { try BinaryInspector.inspectFile(atPath: $0) }
    #expect(whole.stdout == String(decoding: BinaryFacts.jsonArray(facts, symbols: false), as: UTF8.self) + "\n")
    // A name that looks like an option, after `--`, among many.
    let folder = Fixtures.scratch("inspect-many")
    let odd = folder + "/-odd"
    try Data("not a binary".utf8).write(to: URL(fileURLWithPath: odd))
    let withOdd = Array(many.prefix(40)) + ["-odd"] + Array(many.dropFirst(40))
    let result = try await Command.run(
      Fixtures.archway, ["inspect", "--json", "--"] + withOdd.map { $0 == "-odd" ? "-odd" : $0 },
      workingDirectory: folder)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(try Self.paths(result.stdout) == withOdd)
    // Usage errors are still usage errors.
    let bad = try await Command.run(Fixtures.archway, ["inspect", "--jobs"] + many)
    #expect(bad.status == 2, "\(bad.stderr)")
  }
}
