import ArchwayKit
import ArchwayTestSupport
import Foundation
import Testing

/// `archway merge` reads the shards where the merging side finds them: each shard's folder is the
/// one its report.json sits in, wherever the CI's artifact download put it, and nothing a shard's
/// report says about folders is trusted.
@Suite struct MergeCLITests {
  /// Two cells, one per shard, the second's output (over 4 KiB, so only its log holds it whole)
  /// held to the first's.
  static let matrix = """
    matrix:
      case: [a, b]
      platform: [linux/amd64]
    run:
      - name: count
        argv: [seq, "1", "3000"]
        expect:
          reference: linux-amd64-gnu-case=a
    """

  /// Runs the two shards, each in its own `--out`, then (with `move`) moves both folders elsewhere,
  /// as an artifact download does; returns where they are now.
  static func shards(_ name: String, move: Bool = true) async throws -> (folder: String, reports: [String]) {
    let folder = Fixtures.scratch("merge-" + name)
    try? FileManager.default.removeItem(atPath: folder)
    try FileManager.default.createDirectory(atPath: folder + "/downloaded", withIntermediateDirectories: true)
    try matrix.write(toFile: folder + "/m.yml", atomically: true, encoding: .utf8)
    var reports: [String] = []
    for shard in 1...2 {
      let result = try await Command.run(
        Fixtures.archway, ["run", folder + "/m.yml", "--shard", "\(shard)/2", "--out", "\(folder)/s\(shard)"])
      #expect(result.status == 0, "\(result.stderr)")
      let moved = move ? "\(folder)/downloaded/archway-shard-\(shard)" : "\(folder)/s\(shard)"
      if move { try FileManager.default.moveItem(atPath: "\(folder)/s\(shard)", toPath: moved) }
      reports.append(moved + "/report.json")
    }
    return (folder, reports)
  }

  @Test func shardsInTheirOwnFoldersMergeWithTheirLongOutputs() async throws {
    let (folder, reports) = try await Self.shards("own-folders")
    let merged = try await Command.run(Fixtures.archway, ["merge"] + reports + ["--out", folder + "/merged"])
    #expect(merged.status == 0, "\(merged.stderr)")
    let report = try Reports.read(folder + "/merged/report.json")
    let check = report.cells.first { $0.id == "linux-amd64-gnu-case=b" }?.findings.first { $0.kind == .reference }
    #expect(check?.verdict == .passed, "\(check?.message ?? "no reference check")")
  }

  /// A report's plan whose every cell names `folder` as its own.
  static func rooted(_ plan: Any?, at folder: String) throws -> [String: Any] {
    var plan = try #require(plan as? [String: Any])
    plan["cells"] = try #require(plan["cells"] as? [[String: Any]]).map { cell in
      var cell = cell
      cell["out"] = folder
      return cell
    }
    return plan
  }

  /// A tampered shard report that names a folder above the shards as its cells' folder and a file
  /// there as the step's log: the merge reads nothing from it and publishes nothing of it.
  @Test func aShardsReportCannotWidenItsFolder() async throws {
    let (folder, reports) = try await Self.shards("tampered", move: false)
    let secret = folder + "/secret"
    let words = String(repeating: "TOPSECRET\n", count: 500)
    try words.write(toFile: secret, atomically: true, encoding: .utf8)
    let path = try #require(try reports.first { try Reports.read($0).cells.contains { $0.id.hasSuffix("case=b") } })
    var json = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    json["plan"] = try Self.rooted(json["plan"], at: folder)
    var cells = try #require(json["cells"] as? [[String: Any]])
    let index = try #require(cells.firstIndex { $0["id"] as? String == "linux-amd64-gnu-case=b" })
    var steps = try #require(cells[index]["steps"] as? [[String: Any]])
    let step = try #require(steps.firstIndex { $0["name"] as? String == "count" })
    (steps[step]["stdout_log"], steps[step]["stdout_bytes"]) = (secret, words.utf8.count)
    cells[index]["steps"] = steps
    json["cells"] = cells
    try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: path))
    // Every shard's plan says so (the merge takes the plan from the first report named).
    for other in reports where other != path {
      var json = try #require(
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: other))) as? [String: Any])
      json["plan"] = try Self.rooted(json["plan"], at: folder)
      try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: other))
    }
    let merged = try await Command.run(Fixtures.archway, ["merge"] + reports + ["--out", folder + "/merged"])
    #expect(merged.status == 1, "\(merged.stderr)")
    for file in ["report.json", "summary.md", "report.html", "junit.xml"] {
      let text = try String(contentsOfFile: "\(folder)/merged/\(file)", encoding: .utf8)
      #expect(!text.contains("TOPSECRET"), "\(file) publishes the file the tampered report names")
    }
    let report = try Reports.read(folder + "/merged/report.json")
    let check = report.cells.first { $0.id == "linux-amd64-gnu-case=b" }?.findings.first { $0.kind == .reference }
    #expect(check?.verdict == .error, "\(check?.message ?? "no reference check")")
  }
}
