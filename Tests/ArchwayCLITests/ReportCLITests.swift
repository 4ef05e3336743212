import ArchwayTestSupport
import Foundation
import Testing

@testable import ArchwayKit

/// The verifier and the reports end to end: matrices built to fail in each way, checked for the
/// exact verdicts, with the JUnit file validated against Jenkins' schema and read back by junitparser.
@Suite(.serialized) struct ReportCLITests {
  static let faults = Fixtures.root + "/Tests/Matrices/faults.yml"

  /// One run of the faults matrix, shared by the tests that only read its reports.
  /// One run of Tests/Matrices/faults.yml, shared by the tests that read its reports; waited for on
  /// a thread of its own, not on one of the pool's few.
  static let faultsRunOnce = Task<(status: Int32, out: String, stderr: String), Never> {
    let out = RunCLITests.folder("faults")
    let result = try? await Command.run(
      Fixtures.archway, ["run", faults, "--out", out, "--jobs", "2"], workingDirectory: Fixtures.root)
    return (result?.status ?? -1, out, result?.stderr ?? "")
  }

  static var faultsRun: (status: Int32, out: String, stderr: String) {
    get async { await faultsRunOnce.value }
  }

  /// Check title → verdict for the checks of a cell that did not pass.
  static func problems(_ cell: VerifiedCell) -> [String: Verdict] {
    Dictionary(cell.findings.filter { $0.verdict != .passed }.map { ($0.title, $0.verdict) }) { a, _ in a }
  }

  /// What each cell of faults.yml was built to get wrong, as the checks that must not pass.
  static let expected: [String: [String: Verdict]] = [
    "linux-amd64-gnu-case=control": [:],
    "linux-arm64-gnu-case=wrong-arch": [
      "prog: arch": .failed, "show: exit": .failed, "show: stdout": .failed, "show: reference": .failed,
    ],
    "linux-arm64-gnu-2.31-case=new-glibc": ["prog: glibc-floor": .failed],
    "linux-amd64-musl-case=musl-loads-glibc": ["prog: libc": .failed],
    "linux-arm64-gnu-case=emulated": ["show: reference": .failed],
    "linux-amd64-gnu-case=dated": ["prog: reproducible": .failed],
    "linux-riscv64-gnu-case=crash": [
      "show: exit": .failed, "show: stdout": .skipped, "show: reference": .skipped,
    ],
  ]

  @Test func everyFaultGetsItsExactVerdicts() async throws {
    let (status, out, stderr) = await Self.faultsRun
    #expect(status == 1)
    // The emulated cell passes its own checks and fails the reference check, which is made once its
    // reference cell has ended: the console prints it once, failed, with the check that failed.
    let lines = stderr.split(separator: "\n").map(String.init)
    let emulated = lines.indices.filter { lines[$0].contains("linux-arm64-gnu-case=emulated (") }
    #expect(emulated.count == 1, "\(stderr)")
    let line = try #require(emulated.first)
    #expect(lines[line].contains("] failed   linux-arm64-gnu-case=emulated"), "\(stderr)")
    #expect(
      lines[(line + 1)...].prefix { $0.hasPrefix("    ") }
        .contains("    show: reference: differs from linux-amd64-gnu-case=control's stdout"), "\(stderr)")
    #expect(!stderr.contains("[final]") && !stderr.contains("after the cross-cell checks"), "\(stderr)")
    let report = try Reports.read(out + "/report.json")
    #expect(Dictionary(uniqueKeysWithValues: report.cells.map { ($0.id, Self.problems($0)) }) == Self.expected)
    let cells = Dictionary(uniqueKeysWithValues: report.cells.map { ($0.id, $0) })
    func message(_ cell: String, _ title: String) -> String {
      cells[cell]?.findings.first { $0.title == title }.map { $0.message + "\n" + ($0.details ?? "") } ?? ""
    }
    #expect(message("linux-arm64-gnu-case=wrong-arch", "prog: arch").contains("built for amd64"))
    #expect(
      message("linux-arm64-gnu-2.31-case=new-glibc", "prog: glibc-floor").contains("__libc_start_main@GLIBC_2.34"))
    #expect(message("linux-amd64-musl-case=musl-loads-glibc", "prog: libc").contains("ld-linux-x86-64.so.2"))
    let diff = message("linux-arm64-gnu-case=emulated", "show: reference")
    #expect(diff.contains("\n-sum=-128\n") && diff.contains("\n+sum=32640\n"), "\(diff)")
    #expect(message("linux-amd64-gnu-case=dated", "prog: reproducible").contains("section .rodata differs"))
    #expect(message("linux-riscv64-gnu-case=crash", "show: exit").contains("SIGSEGV"))
    #expect(report.cells.map(\.verdict) == [.passed] + Array(repeating: .failed, count: 6))
  }

  /// Every key Archway chooses is snake_case (docs/report.md); keys under the maps that hold user data
  /// (axis values, artifact and step names, variables, library names, tool and compiler names) are
  /// left alone.
  @Test func everyKeyArchwayChoosesIsSnakeCase() async throws {
    let data = try Data(contentsOf: URL(fileURLWithPath: (await Self.faultsRun).out + "/report.json"))
    var report = try JSONSerialization.jsonObject(with: data)
    // One cell runs in a container with every runner field, as a container cell records it.
    var runner = RunnerRecord(kind: .container, reason: "r")
    (runner.launcher, runner.sysroot) = ("/usr/bin/podman", "/s")
    (runner.hostLacksIt, runner.image, runner.containerPlatform) = (true, "i", "linux/arm64")
    (runner.engineArguments, runner.seccomp, runner.boundFolder) = (["--x"], "/p.json", "/b")
    report = [report, try JSONSerialization.jsonObject(with: try JSONEncoder().encode(runner))]
    let dataMaps: Set = [
      "values", "artifacts", "env", "expectations", "version_requirements", "tools", "limits", "toolchains",
    ]
    var bad: Set<String> = []
    func walk(_ value: Any, path: String) {
      if let object = value as? [String: Any] {
        for (key, child) in object {
          if key.range(of: "^[a-z][a-z0-9_]*$", options: .regularExpression) == nil { bad.insert(path + "." + key) }
          if !dataMaps.contains(key) { walk(child, path: path + "." + key) }
        }
      } else if let list = value as? [Any] {
        for item in list { walk(item, path: path + "[]") }
      }
    }
    walk(report, path: "")
    #expect(bad.isEmpty, "\(bad.sorted())")
  }

  /// A report is data, never a path to follow: a shard's report that names a file outside its cell's
  /// folder as a step's log gets nothing read from it, and nothing of it published in the merge.
  @Test func mergeReadsNoLogOutsideTheCellsFolder() async throws {
    let path = (await Self.faultsRun).out + "/report.json"
    let secret = Fixtures.scratch("merge-secret") + "/secret"
    let words = "TOPSECRET-\(getpid())\n"
    try words.write(toFile: secret, atomically: true, encoding: .utf8)
    // The shard's report as a tamperer would write it: the step's log named outside its cell.
    var json = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    var cells = try #require(json["cells"] as? [[String: Any]])
    let index = try #require(cells.firstIndex { $0["id"] as? String == "linux-arm64-gnu-case=emulated" })
    var steps = try #require(cells[index]["steps"] as? [[String: Any]])
    let step = try #require(steps.firstIndex { $0["name"] as? String == "show" && $0["role"] as? String == "run" })
    (steps[step]["stdout_log"], steps[step]["stdout_bytes"]) = (secret, words.utf8.count)
    cells[index]["steps"] = steps
    json["cells"] = cells
    let report = try Report.decode(try JSONSerialization.data(withJSONObject: json), named: "tampered.json")
    let merged = try Report.merge([("tampered.json", report)])
    let encoded = String(decoding: try PrettyJSON.encoder().encode(merged), as: UTF8.self)
    #expect(!encoded.contains("TOPSECRET"), "the secret file was read into the merged report")
    let check = merged.cells[index].findings.first { $0.title == "show: reference" }
    #expect(check?.verdict == .error, "\(check?.message ?? "")")
    #expect(check?.message.hasPrefix("the step's stdout log \(secret) is not a regular file inside ") == true)
  }

  /// A second real consumer: junit2html renders our JUnit file, one section per cell, with the
  /// failure messages Archway wrote.
  @Test func junit2htmlRendersEveryCellAndItsFailures() async throws {
    let out = (await Self.faultsRun).out
    let html = Fixtures.scratch("junit2html") + "/junit.html"
    let rendered = try await Command.run("python3", ["-m", "junit2htmlreport", out + "/junit.xml", html])
    #expect(rendered.status == 0, "\(rendered.stdout)\(rendered.stderr)")
    let page = try String(contentsOfFile: html, encoding: .utf8)
    for cell in Self.expected.keys {
      #expect(page.contains(cell), "\(cell)")
    }
    #expect(page.contains("built for amd64"))
    #expect(page.contains("__libc_start_main@GLIBC_2.34"))
  }

  @Test func theJUnitFileValidatesAndJunitparserReadsTheSameVerdicts() async throws {
    let out = (await Self.faultsRun).out
    let valid = try await Command.run("xmllint", ["--noout", "--schema", Fixtures.junitSchema, out + "/junit.xml"])
    #expect(valid.status == 0, "\(valid.stderr)")
    let read = try await Command.run(
      "python3", [Fixtures.root + "/Tests/Oracles/junit_summary.py", out + "/junit.xml"])
    #expect(read.status == 0, "\(read.stderr)")
    let suites = try #require(
      try JSONSerialization.jsonObject(with: Data(read.stdout.utf8)) as? [String: [String: Any]])
    #expect(Set(suites.keys) == Set(Self.expected.keys))
    for (cell, problems) in Self.expected {
      let suite = try #require(suites[cell])
      let cases = try #require(suite["cases"] as? [String: [String]])
      #expect(Set(cases["failure"] ?? []) == Set(problems.filter { $0.value == .failed }.keys), "\(cell)")
      #expect(Set(cases["skipped"] ?? []) == Set(problems.filter { $0.value == .skipped }.keys), "\(cell)")
      #expect(suite["failures"] as? Int == problems.values.filter { $0 == .failed }.count, "\(cell)")
      #expect((cases["passed"] ?? []).contains("build"), "\(cell)")
      let properties = try #require(suite["properties"] as? [String: String])
      #expect(properties["platform"] == cell.split(separator: "-").prefix(2).joined(separator: "/"), "\(cell)")
      #expect(properties["artifact.prog.sha256"]?.count == 64)
    }
  }

  @Test func sha256sumAcceptsTheChecksumsAndMarkdownAndHTMLShowTheGrid() async throws {
    let out = (await Self.faultsRun).out
    let check = try await Command.run("sha256sum", ["-c", "SHA256SUMS"], workingDirectory: out)
    #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
    #expect(check.stdout.split(separator: "\n").filter { $0.hasSuffix(": OK") }.count == 7)
    let markdown = try String(contentsOfFile: out + "/summary.md", encoding: .utf8)
    func row(_ platform: String) -> [String] {
      let line = markdown.split(separator: "\n").first { $0.hasPrefix("| \(platform) |") } ?? ""
      return line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
        !$0.isEmpty
      }
    }
    #expect(row("linux/amd64") == ["linux/amd64", "✅", "❌", "❌"], "\(markdown)")
    #expect(row("linux/arm64") == ["linux/arm64", "❌", "❌", "❌"])
    #expect(row("linux/riscv64") == ["linux/riscv64", "❌"])
    #expect(markdown.contains("**7 cells: 1 passed, 6 failed**"))
    let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
    let parsed = try await Command.run("xmllint", ["--html", "--noout", out + "/report.html"])
    #expect(parsed.status == 0, "\(parsed.stderr)")
    for id in Self.expected.keys {
      let anchor = HTMLAnchor.of(id)
      #expect(html.contains("href=\"#\(anchor)\"") && html.contains("<details id=\"\(anchor)\""), "\(id)")
    }
  }

  @Test func reportRendersTheSameFilesAgain() async throws {
    let out = (await Self.faultsRun).out
    let again = RunCLITests.folder("rerender")
    let result = try await Command.run(
      Fixtures.archway,
      [
        "report", out + "/report.json", "--junit", again + "/j.xml", "--markdown", again + "/s.md", "--html",
        again + "/r.html",
      ])
    #expect(result.status == 1, "the report's own exit code: \(result.stderr)")
    for (mine, theirs) in [("junit.xml", "j.xml"), ("summary.md", "s.md"), ("report.html", "r.html")] {
      #expect(
        FileManager.default.contents(atPath: "\(out)/\(mine)")
          == FileManager.default.contents(atPath: "\(again)/\(theirs)"))
    }
  }

  @Test func shardsMergeIntoTheUnshardedVerdicts() async throws {
    let folder = RunCLITests.folder("shards")
    for shard in 1...2 {
      let result = try await Command.run(
        Fixtures.archway, ["run", Self.faults, "--shard", "\(shard)/2", "--out", "\(folder)/s\(shard)"],
        workingDirectory: Fixtures.root)
      #expect([0, 1].contains(result.status), "\(result.stderr)")
    }
    let shardReports = try (1...2).map { try Reports.read("\(folder)/s\($0)/report.json") }
    #expect(shardReports.map(\.cells.count).reduce(0, +) == 7)
    let merged = try await Command.run(
      Fixtures.archway, ["merge", "\(folder)/s1/report.json", "\(folder)/s2/report.json", "--out", folder + "/m"])
    #expect(merged.status == 1, "\(merged.stderr)")
    let report = try Reports.read(folder + "/m/report.json")
    #expect(report.cells.map(\.id) == report.plan.cellIDs)
    #expect(Dictionary(uniqueKeysWithValues: report.cells.map { ($0.id, Self.problems($0)) }) == Self.expected)
    #expect(report.plan.shards == ["1/2", "2/2"])
    let valid = try await Command.run(
      "xmllint", ["--noout", "--schema", Fixtures.junitSchema, folder + "/m/junit.xml"])
    #expect(valid.status == 0, "\(valid.stderr)")

    let partial = try await Command.run(
      Fixtures.archway, ["merge", "\(folder)/s1/report.json", "--out", folder + "/p"])
    #expect(partial.status == 1)
    let lost = try Reports.read(folder + "/p/report.json").cells.filter { $0.verdict == .error }
    #expect(lost.map(\.id) == shardReports[1].cells.map(\.id))
    #expect(lost.allSatisfy { $0.findings.first?.message.contains("no shard") == true })

    // One job per cell (plan --format github's per-cell fan-out): different filters, one matrix.
    let perCell = ["linux-amd64-gnu-case=control", "linux-arm64-gnu-case=emulated"]
    for (index, id) in perCell.enumerated() {
      _ = try await Command.run(
        Fixtures.archway, ["run", Self.faults, "--filter", "id=\(id)", "--out", "\(folder)/c\(index)"],
        workingDirectory: Fixtures.root)
    }
    let assembled = try await Command.run(
      Fixtures.archway, ["merge", "\(folder)/c0/report.json", "\(folder)/c1/report.json", "--out", folder + "/cm"])
    #expect(assembled.status == 1, "\(assembled.stderr)")
    let whole = try Reports.read(folder + "/cm/report.json")
    #expect(whole.cells.count == 7, "the whole matrix, the cells no job ran as errors")
    #expect(whole.cells.filter { $0.verdict == .error }.count == 5)
    #expect(whole.cells.first { $0.id == perCell[1] }.map(Self.problems) == ["show: reference": .failed])

    let other = folder + "/other.yml"
    try "matrix:\n  x: [a]\nrun:\n  - argv: [\"true\"]\n".write(toFile: other, atomically: true, encoding: .utf8)
    _ = try await Command.run(Fixtures.archway, ["run", other, "--out", folder + "/o"])
    let refused = try await Command.run(
      Fixtures.archway, ["merge", "\(folder)/s1/report.json", "\(folder)/o/report.json", "--out", folder + "/x"])
    #expect(refused.status == 2)
    #expect(refused.stderr.contains("another matrix"), "\(refused.stderr)")
  }

  @Test func aBaselineNamesChangedAndMissingArtifacts() async throws {
    let out = (await Self.faultsRun).out
    var sums = try Checksums.parse(String(contentsOfFile: out + "/SHA256SUMS", encoding: .utf8), named: "SHA256SUMS")
    let control = "linux-amd64-gnu-case=control/prog"
    #expect(sums[control] != nil)
    sums[control] = String(repeating: "0", count: 64)
    sums["linux-amd64-gnu-case=control/extra"] = String(repeating: "1", count: 64)
    sums["a-cell-that-is-gone/prog"] = String(repeating: "2", count: 64)
    let baseline = RunCLITests.folder("baseline") + "/SHA256SUMS"
    try Checksums.render(sums).write(toFile: baseline, atomically: true, encoding: .utf8)
    let folder = RunCLITests.folder("baseline-run")
    let result = try await Command.run(
      Fixtures.archway, ["run", Self.faults, "--filter", "case=control", "--baseline", baseline, "--out", folder],
      workingDirectory: Fixtures.root)
    #expect(result.status == 1, "\(result.stderr)")
    let report = try Reports.read(folder + "/report.json")
    #expect(report.baseline?.changed == [control])
    #expect(report.baseline?.missing == ["linux-amd64-gnu-case=control/extra"], "a filtered run answers for its cells")
    let checks = try #require(report.cells.first).findings.filter { $0.kind == .baseline }
    #expect(checks.map(\.verdict) == [.failed, .failed])
    #expect(checks.map(\.title) == ["prog: baseline", "baseline"])
  }

  @Test func inspectSha256AgreesWithSha256sum() async throws {
    let files = Fixtures.all.prefix(8).map(\.path)
    let ours = try await Command.run(Fixtures.archway, ["inspect", "--json", "--sha256"] + files)
    let facts = try JSONDecoder().decode([BinaryFacts].self, from: Data(ours.stdout.utf8))
    let theirs = try Checksums.parse(try await Command.run("sha256sum", files).stdout, named: "sha256sum")
    #expect(facts.count == files.count)
    #expect(Dictionary(uniqueKeysWithValues: facts.map { ($0.path, $0.sha256 ?? "") }) == theirs)
    let plain = try await Command.run(Fixtures.archway, ["inspect", "--json", files[0]]).stdout
    #expect(!plain.contains("\"sha256\""), "the key only with --sha256")
  }

  @Test func aReportThatCannotBeWrittenIsNamedAndTheOthersAreWritten() async throws {
    let folder = RunCLITests.folder("unwritable")
    let matrix = folder + "/m.yml"
    try "matrix:\n  x: [a]\nrun:\n  - argv: [\"true\"]\n".write(toFile: matrix, atomically: true, encoding: .utf8)
    // A non-empty folder where summary.md goes: no rename can replace it.
    try FileManager.default.createDirectory(atPath: folder + "/out/summary.md/keep", withIntermediateDirectories: true)
    let result = try await Command.run(Fixtures.archway, ["run", matrix, "--out", folder + "/out"])
    #expect(result.stderr.contains("Error: cannot write \(folder)/out/summary.md"), "\(result.stderr)")
    #expect(result.status == 2, "a passing run whose report could not be written is no pass")
    #expect(FileManager.default.fileExists(atPath: folder + "/out/summary.md/keep"), "what was there is left alone")
    for name in ["report.json", "junit.xml", "report.html", "SHA256SUMS"] {
      #expect(FileManager.default.fileExists(atPath: "\(folder)/out/\(name)"), "\(name)")
    }
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder + "/out").filter { $0.hasSuffix(".tmp") }
    #expect(leftovers.isEmpty, "no temporary file left: \(leftovers)")
  }

  /// Reports written to what is not a regular file damage nothing: a device is written through (a
  /// character device made like /dev/null, never renamed over), a link to the process's standard
  /// output reaches it, a symbolic link's target is replaced and the link stays, a folder is an error.
  @Test func reportsWriteThroughDevicesAndLinksAndNeverReplaceThem() async throws {
    let folder = RunCLITests.folder("write-through")
    let matrix = folder + "/m.yml"
    try "matrix:\n  x: [a]\nrun:\n  - argv: [\"true\"]\n".write(toFile: matrix, atomically: true, encoding: .utf8)
    #expect(try await Command.run("mknod", [folder + "/null", "c", "1", "3"]).status == 0, "as /dev/null is")
    try FileManager.default.createSymbolicLink(atPath: folder + "/stdout", withDestinationPath: "/proc/self/fd/1")
    try FileManager.default.createDirectory(atPath: folder + "/reports", withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(atPath: folder + "/summary.md", withDestinationPath: "reports/latest.md")
    let result = try await Command.run(
      Fixtures.archway,
      [
        "run", matrix, "--out", folder + "/out", "--junit", folder + "/null", "--json", folder + "/stdout",
        "--markdown", folder + "/summary.md",
      ])
    #expect(result.status == 0, "\(result.stderr)")
    let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    #expect(json?["format"] as? String == "archway-report", "the JSON went to standard output")
    var status = stat()
    #expect(stat(folder + "/null", &status) == 0 && status.st_mode & S_IFMT == S_IFCHR, "still a device")
    #expect(try FileManager.default.destinationOfSymbolicLink(atPath: folder + "/stdout") == "/proc/self/fd/1")
    #expect(try FileManager.default.destinationOfSymbolicLink(atPath: folder + "/summary.md") == "reports/latest.md")
    #expect(try String(contentsOfFile: folder + "/reports/latest.md", encoding: .utf8).hasPrefix("## Archway: "))
    let intoFolder = try await Command.run(
      Fixtures.archway, ["run", matrix, "--out", folder + "/out", "--html", folder + "/reports"])
    #expect(intoFolder.status == 2 && intoFolder.stderr.contains("cannot write \(folder)/reports: it is a folder"))
  }

  @Test func theDemoPassesEveryCellAndWritesValidReports() async throws {
    let out = RunCLITests.folder("demo")
    let result = try await Command.run(
      Fixtures.archway, ["run", "Matrix/archway.yml", "--out", out], workingDirectory: Fixtures.root)
    #expect(result.status == 0, "\(result.stderr)")
    let report = try Reports.read(out + "/report.json")
    #expect(report.cells.count == 14)
    #expect(report.cells.allSatisfy { $0.verdict == .passed }, "\(report.cells.map { ($0.id, Self.problems($0)) })")
    let emulated = report.cells.filter { $0.runner.kind == .qemu }
    #expect(emulated.count >= 7, "real qemu ran most cells")
    #expect(emulated.allSatisfy { $0.findings.contains { $0.title == "compare: reference" && $0.verdict == .passed } })
    let windows = try #require(report.cells.first { $0.target.os == "windows" })
    #expect(windows.runner.kind == .wine, "setup-host installs wine: \(windows.runner.reason)")
    #expect(
      windows.findings.contains { $0.title == "compare: reference" && $0.verdict == .passed },
      "the Go build under wine prints what the native C build prints: \(Self.problems(windows))")
    #expect(!FileManager.default.fileExists(atPath: "\(out)/\(windows.id)/wine-prefix"), "the cell's prefix is removed")
    let darwin = try #require(report.cells.first { $0.target.os == "darwin" })
    #expect(darwin.runner.kind == .none && darwin.findings.contains { $0.verdict == .skipped })
    // A pass without a run is told apart, in the grid, the HTML and the summary line.
    #expect(darwin.checkedStaticallyOnly && report.cells.filter(\.checkedStaticallyOnly).map(\.id) == [darwin.id])
    let summary = try String(contentsOfFile: out + "/summary.md", encoding: .utf8)
    #expect(summary.contains("| darwin/arm64 |  |  |  | ☑️ |"), "\(summary)")
    #expect(summary.contains("(1 of the passes checked statically only)"))
    #expect(
      try String(contentsOfFile: out + "/report.html", encoding: .utf8).contains("passed, checked statically only"))
    let valid = try await Command.run("xmllint", ["--noout", "--schema", Fixtures.junitSchema, out + "/junit.xml"])
    #expect(valid.status == 0, "\(valid.stderr)")
  }
}

/// The anchor the HTML report gives a cell, worked out independently of the renderer.
enum HTMLAnchor {
  static func of(_ id: String) -> String {
    "cell-"
      + id.unicodeScalars.map { scalar in
        (("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "-")
          ? String(scalar) : "_" + String(scalar.value, radix: 16) + "_"
      }.joined()
  }
}
