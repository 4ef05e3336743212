import ArchwayKit
import ArchwayTestSupport
import Foundation
import Testing

/// docs/nightly.md's job, its block run as written, three nights in a row: a good night becomes the
/// baseline; a night whose arm64 floor rises fails and leaves the baseline alone; the next good
/// night is compared with the first and becomes the baseline.
@Suite struct NightlyCLITests {
  /// The shell block after `<!-- nightly -->` in docs/nightly.md.
  static func script() throws -> String {
    let doc = try String(contentsOfFile: Fixtures.root + "/docs/nightly.md", encoding: .utf8)
    let marker = try #require(doc.range(of: "<!-- nightly -->\n```sh\n"))
    let end = try #require(doc[marker.upperBound...].range(of: "\n```\n"))
    return String(doc[marker.upperBound..<end.lowerBound])
  }

  @Test func theDocumentedJobKeepsTheLastGoodReportAsTheBaseline() async throws {
    let folder = Fixtures.scratch("nightly")
    let bin = folder + "/bin"
    try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(atPath: bin + "/archway", withDestinationPath: Fixtures.archway)
    try FileManager.default.createSymbolicLink(
      atPath: folder + "/Examples", withDestinationPath: Fixtures.root + "/Examples")
    var environment = Fixtures.childEnvironment
    environment["PATH"] = bin + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
    let script = try Self.script()
    var nights: [CommandResult] = []
    for matrix in [DiffCLITests.before, DiffCLITests.after, DiffCLITests.before] {
      try matrix.write(toFile: folder + "/archway.yml", atomically: true, encoding: .utf8)
      nights.append(
        try await Command.run("bash", ["-c", script], environment: environment, workingDirectory: folder))
      if nights.count == 1 {
        #expect(nights[0].status == 0, "\(nights[0].stderr)")
        #expect(!nights[0].stderr.contains("since the baseline"), "no baseline on the first night")
      }
    }
    #expect(nights[1].status == 1, "\(nights[1].stderr)")
    #expect(nights[1].stderr.contains("✗ floor rose"), "\(nights[1].stderr)")
    #expect(nights[2].status == 0, "\(nights[2].stderr)")
    // The third night was compared with the first (the failing one never became the baseline).
    #expect(!nights[2].stderr.contains("· fixed"), "nothing to fix against a good night: \(nights[2].stderr)")
    let kept = try Reports.read(folder + "/last-good/report.json")
    // Only a duration may differ (a loaded machine can double a 0.3 s emulated step's), and only as a
    // note that fails nothing.
    let changes = try #require(kept.changes?.changes)
    #expect(
      changes.allSatisfy { $0.category == .durationGrew && !$0.fails },
      "the last good report is the third night's, unchanged since the first: \(changes)")
  }
}
