import ArchwayKit
import ArchwayTestSupport
import Foundation
import Testing

/// Matrix/archway.schema.json, as editors use it, against the files the planner accepts and rejects.
/// Validation is done by Python's jsonschema, independent of Archway.
@Suite struct MatrixSchemaTests {
  static let validator = """
    import json, sys, yaml, jsonschema
    schema = json.load(open(sys.argv[1]))
    for path in sys.argv[2:]:
        errors = list(jsonschema.Draft7Validator(schema).iter_errors(yaml.safe_load(open(path))))
        print(path, "ok" if not errors else "invalid: " + errors[0].message)
    """

  static func validate(_ paths: [String]) async throws -> [String] {
    let result = try await Command.run(
      "python3", ["-c", validator, Fixtures.root + "/Matrix/archway.schema.json"] + paths)
    #expect(result.status == 0, "\(result.stderr)")
    return result.stdout.split(separator: "\n").map(String.init)
  }

  static func write(_ yaml: String) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("schema-\(UUID().uuidString).yml").path
    try yaml.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  @Test func everyShippedMatrixAndTheDocsExampleAreValid() async throws {
    let examples = try FileManager.default.contentsOfDirectory(atPath: Fixtures.root + "/Examples")
      .map { Fixtures.root + "/Examples/\($0)/archway.yml" }.filter { FileManager.default.fileExists(atPath: $0) }
    let shipped =
      try FileManager.default.contentsOfDirectory(atPath: Fixtures.root + "/Matrix")
      .filter { $0.hasSuffix(".yml") }.map { Fixtures.root + "/Matrix/" + $0 } + examples
    let docs = try String(contentsOfFile: Fixtures.root + "/docs/matrix.md", encoding: .utf8)
    let example = try #require(
      docs.components(separatedBy: "```yaml\n").dropFirst().first?.components(separatedBy: "```").first)
    let examplePath = try Self.write(example)
    _ = try Planner(host: Platform(os: "linux", arch: "amd64")).plan(try MatrixFile.load(path: examplePath))
    for line in try await Self.validate(shipped + [examplePath]) { #expect(line.hasSuffix(" ok"), "\(line)") }
  }

  @Test(arguments: [
    "matrix:\n  opt: [O2]\nbuidl: {}\n", "matrix:\n  platform: linux/arm64\n", "matrix:\n  libc: [muls]\n",
    "name: only a name\n", "matrix:\n  opt: [O2]\n  include: {opt: O3}\n",
  ])
  func filesThePlannerRejectsTheSchemaRejectsToo(yaml: String) async throws {
    let path = try Self.write(yaml)
    #expect(throws: MatrixError.self) {
      _ = try Planner(host: Platform(os: "linux", arch: "amd64")).plan(try MatrixFile.load(path: path))
    }
    await #expect(try Self.validate([path]).first?.contains("invalid") == true)
  }
}
