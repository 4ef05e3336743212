import ArchwayTestSupport
import Foundation
import Testing

@testable import ArchwayKit

/// `archway doctor`'s container check tells an engine that did not list its images from one that
/// has none: under load podman answers late while another command holds its storage lock, and a
/// failed listing was reported as "no archway/ image", with `archway env build` as the fix.
@Suite struct HostReportTests {
  /// An engine (a script) whose `images` fails, and one whose `images` lists nothing of ours.
  static func engine(_ name: String, images: String) throws -> String {
    let path = Fixtures.scratch("engine-\(name)") + "/podman"
    try "#!/bin/sh\n[ \"$1\" = images ] && { \(images); }\nexit 0\n".write(
      toFile: path, atomically: true, encoding: .utf8)
    chmod(path, 0o755)
    return path
  }

  @Test func aListingThatFailedIsNotAnEmptyOne() async throws {
    let failing = try Self.engine("failing", images: "echo 'database is locked' >&2; exit 125")
    let check = await HostReport.containerStart(engine: failing, host: HostProbe.platform(), engineArguments: [])
    #expect(!check.ok)
    #expect(check.detail.contains("images` failed or did not answer"), "\(check.detail)")
    #expect(check.fix?.contains("env build") != true, "\(check.fix ?? "")")
  }

  @Test func anEngineWithoutOurImagesIsToldToBuildOne() async throws {
    let empty = try Self.engine("empty", images: "echo docker.io/library/debian:12; exit 0")
    let check = await HostReport.containerStart(engine: empty, host: HostProbe.platform(), engineArguments: [])
    #expect(!check.ok && check.detail.hasPrefix("no archway/ image"), "\(check.detail)")
    #expect(check.fix?.contains("archway env build debian-12") == true)
  }
}
