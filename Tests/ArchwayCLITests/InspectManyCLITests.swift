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

  /// Issue 37: `inspect DIR` listed every file of a source tree, binaries lost among `unknown`
  /// rows. The table shows the binaries found in a folder and counts the rest; a file named
  /// itself is always shown, `--all` shows everything, and `--json` lists every file as before.
  @Test func aFolderShowsItsBinariesAndCountsTheRest() async throws {
    let folder = Fixtures.scratch("inspect-folder")
    let binary = try #require(Fixtures.binaries.first).path
    try FileManager.default.createDirectory(atPath: folder + "/dist/sub", withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: binary, toPath: folder + "/dist/prog")
    for name in ["README", "sub/notes.txt", "sub/main.c"] {
      try Data("text\n".utf8).write(to: URL(fileURLWithPath: folder + "/dist/" + name))
    }
    let table = try await Command.run(Fixtures.archway, ["inspect", "dist", "dist/README"], workingDirectory: folder)
    #expect(table.status == 0, "\(table.stderr)")
    let rows = table.stdout.split(separator: "\n").map { String($0.prefix { $0 != " " }) }
    #expect(rows == ["FILE", "dist/prog", "dist/README"], "\(table.stdout)")
    #expect(table.stderr.contains("3 other files in dist are not binaries (--all lists them)"), "\(table.stderr)")
    let all = try await Command.run(Fixtures.archway, ["inspect", "--all", "dist"], workingDirectory: folder)
    #expect(all.stdout.split(separator: "\n").count == 5 && !all.stderr.contains("not binaries"), "\(all.stdout)")
    let json = try await Command.run(Fixtures.archway, ["inspect", "--json", "dist"], workingDirectory: folder)
    #expect(try Self.paths(json.stdout).count == 4)
  }
}
