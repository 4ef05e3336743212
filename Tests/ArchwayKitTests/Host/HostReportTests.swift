import ArchwayTestSupport
import Foundation
import Testing

@testable import ArchwayKit

/// `archway doctor`'s container check tells an engine that did not list its images from one that
/// has none: under load podman answers late while another command holds its storage lock, and a
/// failed listing was reported as "no archway/ image", with `archway env build` as the fix.
@Suite struct HostReportTests {
  /// An engine (a script) whose `images` fails, and one whose `images` lists nothing of ours.
  /// Written by a process of its own: a file this process writes can still be open in a child
  /// another test forks meanwhile, and running it then fails with ETXTBSY ("text file busy").
  static func engine(_ name: String, images: String) async throws -> String {
    let path = Fixtures.scratch("engine-\(name)") + "/podman"
    let script = "#!/bin/sh\n[ \"$1\" = images ] && { \(images); }\nexit 0\n"
    let written = try await Command.run(
      "sh", ["-c", "printf '%s' \"$2\" > \"$1\" && chmod 755 \"$1\"", "sh", path, script])
    #expect(written.status == 0, "\(written.stderr)")
    return path
  }

  @Test func aListingThatFailedIsNotAnEmptyOne() async throws {
    let failing = try await Self.engine("failing", images: "echo 'database is locked' >&2; exit 125")
    let check = await HostReport.containerStart(engine: failing, host: HostProbe.platform(), engineArguments: [])
    #expect(!check.ok)
    #expect(check.detail.contains("images` failed or did not answer"), "\(check.detail)")
    #expect(check.fix?.contains("env build") != true, "\(check.fix ?? "")")
  }

  @Test func anEngineWithoutOurImagesIsToldToBuildOne() async throws {
    let empty = try await Self.engine("empty", images: "echo docker.io/library/debian:12; exit 0")
    let check = await HostReport.containerStart(engine: empty, host: HostProbe.platform(), engineArguments: [])
    #expect(!check.ok && check.detail.hasPrefix("no archway/ image"), "\(check.detail)")
    #expect(check.fix?.contains("archway env build debian-12") == true)
  }
}
