import ArchwayKit
import ArchwayTestSupport
import Foundation
import Testing

/// `archway run --reuse` with real programs under real qemu (issue 35): a second run of an unchanged
/// matrix runs no step on its targets and says so in every report; a cell whose binary changed runs
/// again, named with what changed.
@Suite struct ReuseCLITests {
  static func archway(_ arguments: [String], in folder: String) async throws -> CommandResult {
    var environment = ProcessInfo.processInfo.environment
    environment["NO_COLOR"] = "1"
    return try await Command.run(Fixtures.archway, arguments, environment: environment, workingDirectory: folder)
  }

  /// Two cells under qemu whose build copies a cross-built program from the fixtures (`BINARY`, a
  /// file in the project that a test swaps to change one cell's build) and packs it with tar, as a
  /// release ships it: the archive differs every run (tar records times), its member does not.
  static let matrix = """
    matrix:
      include:
        - {platform: linux/arm64, binary: arm64.bin}
        - {platform: linux/s390x, binary: s390x.bin}
    build:
      shell: bash
      script: |
        mkdir -p "${cell.out}/dist" && cp "${binary}" "${cell.out}/app"
        tar -czf "${cell.out}/dist/app.tar.gz" -C "${cell.out}" app
      artifacts: {app: "${cell.out}/dist/app.tar.gz!app"}
    run:
      - name: hello
        argv: ["${artifact:app}"]
        expect: {stdout_matches: "^hello, world$"}
    """

  @Test func aSecondRunOfAnUnchangedMatrixRunsNothingOnItsTargets() async throws {
    let folder = Fixtures.scratch("reuse-cli")
    try Self.matrix.write(toFile: folder + "/m.yml", atomically: true, encoding: .utf8)
    for (name, fixture) in [("arm64.bin", "c-gcc-linux-arm64"), ("s390x.bin", "c-gcc-linux-s390x")] {
      try FileManager.default.copyItem(atPath: Fixtures.named(fixture).path, toPath: folder + "/" + name)
    }
    let first = try await Self.archway(["run", "m.yml", "--out", "out"], in: folder)
    #expect(first.status == 0, "\(first.stderr)")

    let second = try await Self.archway(["run", "m.yml", "--out", "out", "--reuse", "out"], in: folder)
    #expect(second.status == 0, "\(second.stderr)")
    #expect(second.stderr.contains("2 cells: 2 passed (2 reused from an earlier run)"), "\(second.stderr)")
    let report = try Reports.read(folder + "/out/report.json")
    let before = try #require(
      try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/out/report.json")))
        as? [String: Any])
    let cells = try #require(before["cells"] as? [[String: Any]])
    for cell in cells {
      let reuse = try #require(cell["reuse"] as? [String: Any])
      let from = try #require(reuse["reused_from"] as? [String: Any])
      #expect(from["report"] as? String == "out/report.json")
      // The step's outcome is the earlier run's: its log says what the program printed then.
      let steps = try #require(cell["steps"] as? [[String: Any]])
      #expect(
        steps.contains {
          $0["name"] as? String == "hello" && ($0["stdout_head"] as? String)?.hasPrefix("hello, world") == true
        })
    }
    #expect(report.cells.allSatisfy { $0.verdict == .passed })
    // junitparser, an independent reader, sees the property on each cell's suite.
    let junit = try await Reports.junit(folder + "/out/junit.xml")
    #expect(junit.count == 2)
    for (_, suite) in junit {
      let properties = try #require(suite["properties"] as? [String: String])
      #expect(properties["reused_from"]?.hasPrefix("out/report.json, run started ") == true, "\(properties)")
    }
    let summary = try String(contentsOfFile: folder + "/out/summary.md", encoding: .utf8)
    let rows = summary.split(separator: "\n").filter { $0.hasPrefix("| linux/") }
    #expect(rows.count == 2 && rows.allSatisfy { $0.contains("♻️") }, "\(summary)")

    // Another build of one cell: a static binary in place of the dynamic one. It runs again, named
    // with what changed; the other cell is still reused.
    try FileManager.default.removeItem(atPath: folder + "/arm64.bin")
    try FileManager.default.copyItem(atPath: Fixtures.named("c-gcc-static-arm64").path, toPath: folder + "/arm64.bin")
    let third = try await Self.archway(["run", "m.yml", "--out", "out", "--reuse", "out"], in: folder)
    #expect(third.status == 0, "\(third.stderr)")
    #expect(third.stderr.contains("2 cells: 2 passed (1 reused from an earlier run)"), "\(third.stderr)")
    let again = try Reports.read(folder + "/out/report.json")
    let arm64 = try #require(again.cells.first { $0.target.platform.arch == "arm64" })
    #expect(arm64.reusedFrom == nil)
    #expect(arm64.execution.reuse?.notReused?.hasPrefix("artifact app changed") == true, "\(arm64.execution.reuse!)")
    #expect(arm64.execution.step(.run("hello"))?.stdoutHead.hasPrefix("hello, world") == true)
    #expect(try String(contentsOfFile: folder + "/out/summary.md", encoding: .utf8).contains("artifact app changed"))
  }

  /// A build that names its inputs, with the real cross gcc: a second run takes the earlier build's
  /// binary (byte for byte, still executable: its `reuse: false` step runs it under qemu), and one
  /// after the source changed builds again, saying which input changed.
  @Test func aBuildWhoseInputsAreUnchangedIsTakenAndItsBinaryRuns() async throws {
    let folder = Fixtures.scratch("reuse-cli-build")
    let yaml = """
      matrix:
        platform: [linux/arm64]
      build:
        argv: [aarch64-linux-gnu-gcc, -O2, -o, "${cell.out}/hello", src/hello.c]
        artifacts: {hello: "${cell.out}/hello"}
        inputs: [src]
      run:
        - name: hello
          argv: ["${artifact:hello}"]
          reuse: false
          expect: {stdout_matches: "^hello, (world|night)$"}
      """
    try yaml.write(toFile: folder + "/m.yml", atomically: true, encoding: .utf8)
    try FileManager.default.createDirectory(atPath: folder + "/src", withIntermediateDirectories: true)
    let source = { (word: String) in
      try "#include <stdio.h>\nint main(void) { puts(\"hello, \(word)\"); return 0; }\n".write(
        toFile: folder + "/src/hello.c", atomically: true, encoding: .utf8)
    }
    try source("world")
    let first = try await Self.archway(["run", "m.yml", "--out", "out"], in: folder)
    #expect(first.status == 0, "\(first.stderr)")

    let second = try await Self.archway(["run", "m.yml", "--out", "tonight", "--reuse", "out"], in: folder)
    #expect(second.status == 0, "\(second.stderr)")
    #expect(second.stderr.contains("build reused from the run of "), "\(second.stderr)")
    let id = "linux-arm64-gnu"
    let taken = "\(folder)/tonight/\(id)/hello"
    #expect(FileDigest.sha256(ofFile: taken) == FileDigest.sha256(ofFile: "\(folder)/out/\(id)/hello"))
    #expect(FileManager.default.isExecutableFile(atPath: taken))
    // file(1), an independent reader, sees the cross-built program.
    let described = try await Command.run("file", ["-b", taken])
    #expect(described.stdout.contains("ARM aarch64"), "\(described.stdout)")
    let report = try Reports.read(folder + "/tonight/report.json")
    let cell = try #require(report.cells.first)
    #expect(cell.buildReusedFrom?.report == "out/report.json")
    #expect(cell.reusedFrom == nil, "its step says reuse: false, so it ran")
    #expect(cell.execution.step(.run("hello"))?.stdoutHead == "hello, world\n")
    #expect(cell.verdict == .passed)
    let junit = try await Reports.junit(folder + "/tonight/junit.xml")
    let properties = try #require(junit.first?.1["properties"] as? [String: String])
    #expect(properties["build_reused_from"]?.hasPrefix("out/report.json, run started ") == true, "\(properties)")

    try source("night")
    let third = try await Self.archway(["run", "m.yml", "--out", "third", "--reuse", "tonight"], in: folder)
    #expect(third.status == 0, "\(third.stderr)")
    let again = try #require(try Reports.read(folder + "/third/report.json").cells.first)
    #expect(again.buildReusedFrom == nil)
    #expect(again.execution.reuse?.buildNotReused == "input \(folder)/src/hello.c changed")
    #expect(again.execution.step(.run("hello"))?.stdoutHead == "hello, night\n")
  }

  @Test func aReuseThatIsNotAReportIsABadUsage() async throws {
    let folder = Fixtures.scratch("reuse-cli-bad")
    try Self.matrix.write(toFile: folder + "/m.yml", atomically: true, encoding: .utf8)
    let missing = try await Self.archway(["run", "m.yml", "--reuse", "nowhere"], in: folder)
    #expect(missing.status == 2)
    #expect(missing.stderr.contains("the report 'nowhere'"), "\(missing.stderr)")
    try "not json".write(toFile: folder + "/notes.txt", atomically: true, encoding: .utf8)
    let text = try await Self.archway(["run", "m.yml", "--reuse", "notes.txt"], in: folder)
    #expect(text.status == 2)
    #expect(text.stderr.contains("notes.txt is not an Archway report"), "\(text.stderr)")
  }
}
