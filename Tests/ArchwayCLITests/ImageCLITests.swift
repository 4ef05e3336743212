import ArchwayKit
import ArchwayTestSupport
import Foundation
import Testing

/// The runner image for self-hosted CI (`Containers/archway/Containerfile`), built and tested by
/// `Scripts/build-image.sh` with podman: its own matrix (a C program built by gcc and by zig, and a
/// Go program, for the seven linux arches, each run on its target) and the demo, run inside it with
/// only what the image holds. Needs podman and debootstrap (Scripts/setup-host.sh installs them).
@Suite struct ImageCLITests {
  @Test func theImageBuildsAndRunsItsMatrixAndTheDemo() async throws {
    let out = Fixtures.scratch("image")
    let tag = "archway/runner:test"
    let built = try await Command.run(
      Fixtures.root + "/Scripts/build-image.sh", ["--out", out, tag], environment: Fixtures.childEnvironment)
    #expect(built.status == 0, "\(built.stdout.suffix(3000))\n\(built.stderr.suffix(3000))")

    // The image's matrix: every cell passed, and ran (no static-only pass), as junitparser reads it.
    let image = try Reports.read(out + "/image/report.json")
    let platforms = Set(image.cells.map(\.target.platform))
    #expect(platforms.count == 7, "\(platforms.sorted())")
    #expect(image.cells.count == 16 && image.cells.allSatisfy { $0.verdict == .passed }, "\(image.summaryLine)")
    for cell in image.cells {
      #expect(cell.steps.contains { $0.name == "hello" && $0.status == .exited(0) }, "\(cell.id)")
    }
    let junit = try await Command.run(
      "python3", [Fixtures.root + "/Tests/Oracles/junit_summary.py", out + "/image/junit.xml"])
    let suites = try #require(
      try JSONSerialization.jsonObject(with: Data(junit.stdout.utf8)) as? [String: [String: Any]])
    #expect(suites.count == 16 && suites.values.allSatisfy { $0["failures"] as? Int == 0 && $0["errors"] as? Int == 0 })

    // The demo inside the image: the same verdicts as on this host, where the demo's tests run it.
    let demo = try Reports.read(out + "/demo/report.json")
    #expect(demo.cells.count >= 14 && demo.cells.allSatisfy { $0.verdict == .passed }, "\(demo.summaryLine)")
    let ran = demo.cells.filter { $0.target.os == "linux" }
    #expect(ran.allSatisfy { $0.runner.kind != .none }, "\(ran.filter { $0.runner.kind == .none }.map(\.id))")

    // What runs inside is the installed binary, with its commit, and setup finds nothing missing.
    let check = try await Command.run(
      "podman",
      ["run", "--rm"] + Fixtures.engineArguments + [
        tag, "sh", "-c",
        "archway --version && archway setup --check /usr/local/share/archway/image.yml",
      ])
    #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
    #expect(check.stdout.contains("(commit "), "\(check.stdout)")
  }
}
