import ArchwayKit
import ArchwayTestSupport
import Foundation
import Testing

/// The GitHub Action (`action.yml`): checked with PyYAML for what GitHub requires, then its steps run
/// as GitHub's runner runs a composite action (Tests/Oracles/run_action.py), in a project of ours
/// outside the checkout: install from the action's checkout, setup, run, summary, outputs, upload.
@Suite struct ActionCLITests {
  /// A C project whose `make check` expects a little-endian machine: it passes on arm64 and fails
  /// on s390x, as a real endianness bug would.
  static func project(_ name: String) async throws -> String {
    let folder = Fixtures.scratch(name)
    try Files.write(
      [
        "order.c": """
        #include <stdio.h>
        int main(void) { unsigned x = 1; puts(*(unsigned char *)&x ? "little" : "big"); return 0; }

        """,
        "Makefile": """
        CC ?= cc
        all: order
        order: order.c
        \t$(CC) -O2 -o $@ order.c
        check: order
        \t./order | grep -qx little
        .PHONY: all check

        """,
      ], in: folder)
    let made = try await Command.run(
      "archway", ["init"], environment: await Fixtures.withoutSwift, workingDirectory: folder)
    #expect(made.status == 0, "\(made.stderr)")
    return folder
  }

  /// The action run on `project` with `inputs`; its JSON account (outputs, steps, PATH, summary, artifacts).
  /// The runner has Swift, as GitHub's Ubuntu images do (the action builds Archway with it the
  /// first time), but no archway on PATH: the action's own install is the one every step uses.
  static func runAction(in project: String, _ inputs: [String]) async throws -> [String: Any] {
    let temp = Fixtures.scratch("action-temp-\(URL(fileURLWithPath: project).lastPathComponent)")
    var environment = Fixtures.childEnvironment
    environment["PATH"] = (environment["PATH"] ?? "").split(separator: ":").filter {
      !FileManager.default.fileExists(atPath: $0 + "/archway")
    }.joined(separator: ":")
    let result = try await Command.run(
      "python3", [Fixtures.root + "/Tests/Oracles/run_action.py", Fixtures.root, project, temp] + inputs,
      environment: environment)
    #expect(result.status == 0, "\(result.stderr.suffix(3000))")
    return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
  }

  @Test func theActionInstallsRunsAndReportsAPassingCell() async throws {
    let project = try await Self.project("action-pass")
    let account = try await Self.runAction(in: project, ["filter=arch=arm64", "args=--jobs 2"])
    let outputs = try #require(account["outputs"] as? [String: String])
    #expect(account["failed"] as? Bool == false, "\(account["steps"] ?? "")")
    #expect(outputs["exit-code"] == "0" && outputs["total"] == "1" && outputs["passed"] == "1", "\(outputs)")
    #expect(outputs["failed"] == "0" && outputs["errors"] == "0")
    let report = try Reports.read(project + "/" + (outputs["report"] ?? "?"))
    #expect(report.cells.map(\.id) == ["linux-arm64-gnu-2.28"] && report.cells[0].verdict == .passed)
    #expect(report.cells[0].steps.contains { $0.name == "check" && $0.status == .exited(0) })
    // The step summary is the run's Markdown; the out folder was uploaded; archway went on PATH,
    // installed from the action's own checkout with the commit in its version.
    let summary = try String(contentsOfFile: project + "/archway-out/summary.md", encoding: .utf8)
    #expect(account["summary"] as? String == summary && summary.contains("| linux/arm64 | ✅ |"), "\(summary)")
    let uploaded = try #require((account["artifacts"] as? [String: String])?["archway-report"])
    #expect(FileManager.default.fileExists(atPath: uploaded + "/report.json"))
    let bin = try #require((account["path"] as? [String])?.first)
    let version = try await Command.run(bin + "/archway", ["--version"]).stdout
    let head = try await Command.run("git", ["-C", Fixtures.root, "rev-parse", "--short=12", "HEAD"]).stdout
    #expect(version.contains("(commit \(head.trimmingCharacters(in: .whitespacesAndNewlines))"), "\(version)")
  }

  @Test func aFailingCellFailsTheActionAndStillUploadsItsReport() async throws {
    let project = try await Self.project("action-fail")
    let account = try await Self.runAction(in: project, ["filter=arch=s390x", "artifact-name=s390x"])
    let outputs = try #require(account["outputs"] as? [String: String])
    #expect(account["failed"] as? Bool == true)
    #expect(outputs["exit-code"] == "1" && outputs["failed"] == "1" && outputs["passed"] == "0", "\(outputs)")
    let steps = try #require(account["steps"] as? [[String: String]])
    #expect(steps.last?["outcome"] == "failure", "\(steps)")
    #expect(steps.first { $0["name"] == "Upload the reports" }?["outcome"] == "success")
    #expect((account["artifacts"] as? [String: String])?["s390x"] != nil)
    let report = try Reports.read(project + "/archway-out/report.json")
    #expect(
      report.cells.first?.findings.contains {
        $0.subject == .step(.run("check")) && $0.kind == .exit && $0.verdict == .failed
      }
        == true)
  }

  /// The fan-out of docs/ci.md with the action: two shards, each its own out folder, then the
  /// merge job over their reports, whose outputs count every cell of the plan.
  @Test func shardsRunApartAndTheMergeCountsTheWholePlan() async throws {
    let project = try await Self.project("action-shards")
    for index in 1...2 {
      let account = try await Self.runAction(
        in: project, ["filter=arch=arm*", "shard=\(index)/2", "out=shards/\(index)", "artifact-name="])
      let outputs = try #require(account["outputs"] as? [String: String])
      #expect(outputs["exit-code"] == "0" && outputs["total"] == "1", "shard \(index): \(outputs)")
      #expect((account["artifacts"] as? [String: String])?.isEmpty == true)
    }
    let account = try await Self.runAction(in: project, ["merge=shards/*/report.json", "out=merged"])
    let outputs = try #require(account["outputs"] as? [String: String])
    #expect(outputs["exit-code"] == "0" && outputs["total"] == "2" && outputs["passed"] == "2", "\(outputs)")
    let steps = try #require(account["steps"] as? [[String: String]])
    #expect(steps.first { $0["name"] == "Install what the matrix needs" }?["outcome"] == "skipped")
    let merged = try Reports.read(project + "/merged/report.json")
    // init's matrix: the 2.28 gate, and arm/v7 on a NEON CPU (zig's start file), a column of its own.
    #expect(Set(merged.cells.map(\.id)) == ["linux-arm64-gnu-2.28", "linux-arm-v7-gnu-2.28-armv7+neon"])
    let summary = (account["summary"] as? String ?? "").split(separator: "\n")
    #expect(summary.contains { $0.hasPrefix("| linux/arm/v7 |") && $0.contains("✅") }, "\(summary)")
  }

  /// The checker is not a rubber stamp: a run step without a shell, an unknown input and an
  /// unpinned action are each refused.
  @Test func theCheckerRefusesWhatGitHubWouldRefuse() async throws {
    let action = try String(contentsOfFile: Fixtures.root + "/action.yml", encoding: .utf8)
    let broken: [(String, String, String)] = [
      ("      shell: bash\n", "", "needs a shell"),
      ("${{ inputs.filter }}", "${{ inputs.filtre }}", "names no input 'filtre'"),
      ("actions/cache@v4", "actions/cache", "is not OWNER/REPO@VERSION"),
    ]
    for (from, to, message) in broken {
      #expect(action.contains(from), "action.yml changed: \(from)")
      let folder = Fixtures.scratch("action-broken")
      try action.replacingOccurrences(of: from, with: to).write(
        toFile: folder + "/action.yml", atomically: true, encoding: .utf8)
      let result = try await Command.run(
        "python3", [Fixtures.root + "/Tests/Oracles/run_action.py", folder, folder, folder])
      #expect(result.status == 2 && result.stderr.contains(message), "\(message): \(result.stderr)")
    }
  }
}
