import ArchwayKit
import ArchwayTestSupport
import Foundation
import Testing

/// SHA256SUMS as a release's record: what it lists is what the files are when the run ends.
@Suite struct ChecksumsCLITests {
  /// What SHA256SUMS lists is what is on disk when the run ends: an artifact rewritten after its
  /// cell was verified (here by a later cell's step; as well by a process that escaped its step)
  /// fails its cell, and the sums name the bytes that are there.
  @Test func anArtifactChangedAfterItsCheckFailsItsCell() async throws {
    let folder = Fixtures.scratch("artifact-changed")
    try """
    matrix:
      step: [first, second]
      platform: [linux/amd64]
    build:
      argv: [sh, -c, 'printf "${step}" > "${cell.out}/app"']
      artifacts: {app: "${cell.out}/app"}
    run:
      - name: tamper
        argv: [sh, -c, 'if [ "${step}" = second ]; then printf changed > "$0/linux-amd64-gnu-step=first/app"; fi', "\(folder)/out"]
    """.write(toFile: folder + "/m.yml", atomically: true, encoding: .utf8)
    let run = try await Command.run(
      Fixtures.archway, ["run", folder + "/m.yml", "--out", folder + "/out", "--jobs", "1"])
    #expect(run.status == 1, "\(run.stderr)")
    let report = try Reports.read(folder + "/out/report.json")
    let first = try #require(report.cells.first { $0.id == "linux-amd64-gnu-step=first" })
    let changed = first.findings.first { $0.kind == .sha256 && $0.verdict == .failed }
    #expect(changed?.message.contains("changed after it was verified") == true, "\(first.findings.map(\.message))")
    let sums = try String(contentsOfFile: folder + "/out/SHA256SUMS", encoding: .utf8)
    let now = try #require(FileDigest.sha256(ofFile: folder + "/out/linux-amd64-gnu-step=first/app"))
    #expect(sums.contains("\(now)  linux-amd64-gnu-step=first/app"), "\(sums)")
  }
}
