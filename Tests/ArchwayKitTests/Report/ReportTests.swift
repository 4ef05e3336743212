import ArchwayTestSupport
import Foundation
import Testing

@testable import ArchwayKit

/// The report's parts against independent tools: diffs applied by `patch`, checksums by
/// `sha256sum`, XML escaping by `xmllint`.
@Suite struct ReportTests {
  static func folder(_ name: String) -> String { Fixtures.scratch("report-" + name) }

  @Test func patchTurnsTheOldTextIntoTheNewWithOurDiff() async throws {
    let folder = Self.folder("diff")
    var generator = SystemRandomNumberGenerator()
    let words = ["alpha", "beta", "gamma", "delta", "", "sum=1", "sum=2"]
    for round in 0..<25 {
      let old = (0..<Int.random(in: 0...40, using: &generator)).map { _ in words.randomElement(using: &generator)! }
      var new = old
      for _ in 0..<Int.random(in: 1...6, using: &generator) {
        switch Int.random(in: 0...2, using: &generator) {
        case 0 where !new.isEmpty: new.remove(at: Int.random(in: 0..<new.count, using: &generator))
        case 1:
          new.insert(words.randomElement(using: &generator)!, at: Int.random(in: 0...new.count, using: &generator))
        default: if !new.isEmpty { new[Int.random(in: 0..<new.count, using: &generator)] += "!" }
        }
      }
      let (a, b) = (old.map { $0 + "\n" }.joined(), new.map { $0 + "\n" }.joined())
      let diff = UnifiedDiff.render(old: a, new: b, maxLines: 10_000)
      #expect(diff.isEmpty == (a == b))
      guard !diff.isEmpty else { continue }
      try a.write(toFile: folder + "/file", atomically: true, encoding: .utf8)
      try diff.write(toFile: folder + "/diff", atomically: true, encoding: .utf8)
      let patched = try await Command.run("patch", ["-s", folder + "/file", folder + "/diff"])
      #expect(patched.status == 0, "round \(round): \(patched.stdout)\(patched.stderr)\n\(diff)")
      #expect(try String(contentsOfFile: folder + "/file", encoding: .utf8) == b, "round \(round):\n\(diff)")
    }
  }

  @Test func aLongDiffIsCutWithACount() {
    let old = (0..<500).map { "line \($0)\n" }.joined()
    let new = (0..<500).map { "LINE \($0)\n" }.joined()
    let diff = UnifiedDiff.render(old: old, new: new, maxLines: 50)
    #expect(diff.split(separator: "\n").count == 53)
    #expect(diff.hasSuffix("… 951 more lines of diff\n"))
  }

  @Test func checksumsMatchSha256sumAndReadItsOutput() async throws {
    let files = Array(Fixtures.all.prefix(6)).map(\.path)
    let result = try await Command.run("sha256sum", files)
    #expect(result.status == 0)
    let theirs = try Checksums.parse(result.stdout, named: "sha256sum output")
    #expect(theirs.count == files.count)
    for path in files {
      #expect(FileDigest.sha256(ofFile: path) == theirs[path], "\(path)")
    }
    let big = Self.folder("big") + "/blob"
    _ = FileManager.default.createFile(
      atPath: big, contents: Data((0..<3_000_001).map { UInt8(truncatingIfNeeded: $0 &* 31) }))
    let line = try await Command.run("sha256sum", [big]).stdout
    #expect(FileDigest.sha256(ofFile: big) == String(line.prefix(64)), "several 1 MiB pieces")
    #expect(FileDigest.sha256(ofFile: big + ".absent") == nil)
    #expect(throws: ChecksumError.self) { try Checksums.parse("abc  x\n", named: "SUMS") }
    do {
      _ = try Checksums.parse(String(repeating: "a", count: 64) + "  ok\nnot a line\n", named: "SUMS")
    } catch {
      #expect(error.message.hasPrefix("SUMS:2: "))
    }
  }

  /// A name is data: one with a newline or a backslash cannot forge a line of SHA256SUMS. It is
  /// escaped as GNU sha256sum escapes it (a leading `\`, then `\n` and `\\`), which sha256sum -c
  /// reads back, and Archway reads back what sha256sum writes.
  @Test func namesWithNewlinesAndBackslashesForgeNoLine() async throws {
    let folder = Self.folder("escaped-names")
    let forged = String(repeating: "0", count: 64) + "  forged"
    let names = ["plain", "two\nlines\n\(forged)", "back\\slash", "both\\n\n"]
    var sums: [String: String] = [:]
    for (index, name) in names.enumerated() {
      try Data("content \(index)".utf8).write(to: URL(fileURLWithPath: folder + "/" + name))
      sums[name] = FileDigest.sha256(ofFile: folder + "/" + name)
    }
    let text = Checksums.render(sums)
    #expect(try Checksums.parse(text, named: "SHA256SUMS") == sums, "\(text)")
    try text.write(toFile: folder + "/SHA256SUMS", atomically: true, encoding: .utf8)
    let checked = try await Command.run("sh", ["-c", "cd \"$0\" && sha256sum -c SHA256SUMS", folder])
    #expect(checked.status == 0, "\(checked.stdout)\(checked.stderr)")
    #expect(checked.stdout.split(separator: "\n").count == names.count, "\(checked.stdout)")
    let theirs = try await Command.run("sh", ["-c", "cd \"$0\" && sha256sum -- *", folder])
    let read = try Checksums.parse(theirs.stdout, named: "sha256sum output")
    #expect(read.filter { $0.key != "SHA256SUMS" } == sums, "\(theirs.stdout)")
  }

  @Test func anyBytesAProgramPrintsStillMakeValidJUnit() async throws {
    var junk = (0..<2000).map { _ in UInt8.random(in: 0...255) }
    junk += Array("]]> <x> & \" ' \u{0}\u{1B}[31m \u{FFFE}".utf8)
    var step = StepOutcome(
      id: .setup("noisy"), process: ProcessOutcome(argv: ["noisy"], status: .exited(1), duration: 0.5))
    step.stdoutHead = String(decoding: junk, as: UTF8.self)
    step.stdoutBytes = junk.count
    step.stderrHead = "\u{7}bell\r\nline"
    step.stderrBytes = 12
    let cell = VerifiedCell(
      execution: ExecutionRecord(
        id: "linux-amd64-gnu-x=<&>",
        target: CellTarget(platform: Platform(os: "linux", arch: "amd64"), libc: .gnu(nil)),
        env: nil, runner: RunnerRecord(kind: .native, reason: "the host"), outcome: .failed, steps: [step]),
      artifacts: [],
      findings: [Finding(.exit, .step(.run("noisy")), .failed, "exit 1 \u{0}\u{1F}", details: step.stdoutHead)])
    let cellDefinition = Cell(id: cell.id, values: [], target: cell.target, env: nil, out: "o")
    let report = Report(
      plan: .init(
        matrix: "m.yml", matrixBytes: Data(), filter: nil, shard: nil, planned: [cellDefinition], all: [cellDefinition]),
      hosts: [], started: "2026-11-23T00:00:00Z", finished: "2026-11-23T00:00:01Z", interrupted: false, cells: [cell])
    let path = Self.folder("junk") + "/junit.xml"
    try JUnitReport.render(report).write(toFile: path, atomically: true, encoding: .utf8)
    let valid = try await Command.run("xmllint", ["--noout", "--schema", Fixtures.junitSchema, path])
    #expect(valid.status == 0, "\(valid.stderr)")
    let html = Self.folder("junk") + "/report.html"
    try HTMLReport.render(report).write(toFile: html, atomically: true, encoding: .utf8)
    #expect(try await Command.run("xmllint", ["--html", "--noout", html]).status == 0)
  }

  /// Issue 37: the HTML report opened with every cell collapsed, the failures among them. A cell
  /// that failed or could not be checked starts open; a passed one closed (xmllint reads the page).
  @Test func failedCellsStartOpenInTheHTMLReport() async throws {
    func cell(_ id: String, _ verdict: Verdict) -> VerifiedCell {
      VerifiedCell(
        execution: ExecutionRecord(
          id: id, target: CellTarget(platform: Platform(os: "linux", arch: "amd64"), libc: .gnu(nil)), env: nil,
          runner: RunnerRecord(kind: .native, reason: "the host"), outcome: verdict == .passed ? .passed : .failed,
          steps: []),
        artifacts: [], findings: [Finding(.exit, .step(.run("t")), verdict, "exit")])
    }
    let cells = [cell("good", .passed), cell("bad", .failed), cell("broken", .error)]
    let planned = cells.map { Cell(id: $0.id, values: [], target: $0.target, env: nil, out: "o") }
    let report = Report(
      plan: .init(matrix: "m.yml", matrixBytes: Data(), filter: nil, shard: nil, planned: planned, all: planned),
      hosts: [], started: "2026-11-23T00:00:00Z", finished: "2026-11-23T00:00:01Z", interrupted: false, cells: cells)
    let html = Self.folder("open") + "/report.html"
    try HTMLReport.render(report).write(toFile: html, atomically: true, encoding: .utf8)
    let open = try await Command.run("xmllint", ["--html", "--xpath", "//details[@open]/@class", html])
    #expect(
      open.stdout.contains("failed") && open.stdout.contains("error") && !open.stdout.contains("passed"), "\(open)")
  }

  /// Our schema is no rubber stamp: what the consumers refuse (no name, a counter that is not a number,
  /// a time with a comma, two outcomes, testcases before properties) fails it, the usual forms pass.
  @Test(arguments: [
    ("<testsuite name=\"s\"><testcase classname=\"c\"/></testsuite>", false),
    ("<testsuite name=\"s\" tests=\"many\"/>", false),
    ("<testsuite name=\"s\"><testcase name=\"t\" time=\"1,5\"/></testsuite>", false),
    ("<testsuite name=\"s\"><testcase name=\"t\"><skipped/><failure/></testcase></testsuite>", false),
    ("<testsuite name=\"s\"><testcase name=\"t\"/><properties/></testsuite>", false),
    ("<testsuite name=\"s\"><properties><property name=\"p\"/></properties></testsuite>", false),
    ("<testsuite name=\"s\" tests=\"1\"><testcase name=\"t\"/></testsuite>", true),
    (
      "<testsuite name=\"s\" timestamp=\"2026-11-23T00:00:00\"><properties><property name=\"p\" value=\"\"/>"
        + "</properties><testcase name=\"t\" time=\"0.010\"><failure message=\"m\" type=\"exit\">text</failure>"
        + "<system-out>o</system-out><system-err>e</system-err></testcase>"
        + "<testcase name=\"u\"><skipped message=\"why\" type=\"skip\"/></testcase></testsuite>", true
    ),
  ])
  func ourJUnitSchemaTellsWhatConsumersReadFromWhatTheyRefuse(suite: String, valid: Bool) async throws {
    let path = Self.folder("schema-\(abs(suite.hashValue))") + "/junit.xml"
    for xml in [suite, "<testsuites tests=\"1\" time=\"0.5\">\(suite)</testsuites>"] {
      try ("<?xml version=\"1.0\"?>\n" + xml).write(toFile: path, atomically: true, encoding: .utf8)
      let result = try await Command.run("xmllint", ["--noout", "--schema", Fixtures.junitSchema, path])
      #expect((result.status == 0) == valid, "\(xml): \(result.stderr)")
    }
  }

  @Test func normalizationStripsLinesEndingsAndTrailingSpace() throws {
    var normalize = Normalization()
    normalize.strip = ["^target:", "^#"]
    normalize.crlf = true
    normalize.trailingWhitespace = true
    #expect(normalize.apply("a  \r\ntarget: x\r\n# note\nb\t\n") == "a\nb\n")
    #expect(Normalization().apply("a \r\n") == "a \r\n", "nothing unless asked")
  }

  @Test func reportsOfAnotherFormatOrVersionAreRefusedByName() {
    #expect(throws: ReportError.self) { try Report.decode(Data("{\"cells\": []}".utf8), named: "r.json") }
    do {
      _ = try Report.decode(Data("{\"format\": \"archway-report\", \"version\": 1}".utf8), named: "old.json")
      Issue.record("a version 1 report was read")
    } catch {
      #expect(error.message == "old.json is a version 1 report; this archway reads version \(Report.currentVersion)")
    }
  }

  @Test func verifyBlocksAreCheckedAtPlanTime() throws {
    let cases: [(String, String)] = [
      ("verify:\n  glibc_max: new\n", "'glibc_max' must be a version like 2.31, not 'new'"),
      ("verify:\n  reproducible: {vary: [clock]}\n", "unknown variation 'clock'"),
      ("run:\n  - argv: [x]\n    expect: {stdout_matches: \"(\"}\n", "is not a valid pattern"),
      ("verify:\n  colour: true\n", "unknown key 'colour'"),
      (
        "run:\n  - argv: [x]\n    expect: {reference: linux-amd64-gnu-x=b}\n",
        "'reference' names no cell of the plan: 'linux-amd64-gnu-x=b'; did you mean 'linux-amd64-gnu-x=a'?"
      ),
    ]
    for (yaml, message) in cases {
      let file = try MatrixFile.parse(yaml: "matrix:\n  x: [a]\n" + yaml, file: "m.yml")
      #expect {
        _ = try Planner(host: Platform(os: "linux", arch: "amd64"), outputRoot: "out").plan(file)
      } throws: { error in
        "\(error)".contains(message) && "\(error)".hasPrefix("m.yml:")
      }
    }
  }
}
