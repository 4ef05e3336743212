import ArchwayTestSupport
import Foundation
import Testing

@testable import ArchwayKit

/// `os_version:` and `--os-version`: the forms each OS accepts, the defaults, and a matrix's value
/// carried into the cell's id, its placeholders and its report.
@Suite struct OSVersionTests {
  @Test(arguments: [
    ("darwin", "13", "13.0", "macOS 13.0"), ("darwin", "10.15", "10.15", "macOS 10.15"),
    ("windows", "7", "6.1.7600", "Windows 7 (6.1.7600)"),
    ("windows", "Windows-11", "10.0.22000", "Windows 11 (10.0.22000)"),
    ("windows", "server-2019", "10.0.17763", "Windows Server 2019 (10.0.17763)"),
    ("windows", "10.0.19045", "10.0.19045", "Windows 10.0.19045"), ("linux", "5.10", "5.10", "Linux 5.10"),
  ])
  func releasesAreReadInEachOSsForms(os: String, text: String, version: String, name: String) throws {
    let release = try OSVersion.parse(text, os: os)
    #expect(release.version == DottedVersion(version) && release.displayName == name)
  }

  @Test(arguments: [
    ("windows", "12", "not a release of windows; write a Windows release (vista, 7, 8, 8.1, 10, server-2016"),
    ("windows", "10.0", "or an NT build such as 10.0.17763"),
    ("darwin", "9.0", "write a macOS version such as 13.0"),
    ("darwin", "10", "write a macOS version such as 13.0"),
    ("linux", "five", "write a kernel version such as 5.10"),
    ("freebsd", "14.1", "Archway knows no versions of freebsd"),
  ])
  func badReleasesAreRefusedWithTheForms(os: String, text: String, message: String) {
    do {
      _ = try OSVersion.parse(text, os: os)
      Issue.record("'\(text)' was taken as a release of \(os)")
    } catch {
      #expect(error.description.contains("'\(text)'") && error.description.contains(message), "\(error)")
    }
  }

  /// A matrix's `os_version:` is the cell's: in its id, its `${target.os_version}`, its report's
  /// target (read back whole), and the policy its artifacts are checked against.
  @Test func aMatrixReleaseReachesTheCellAndItsReport() throws {
    let cells = try FalseVerdictTests.plan(
      """
      matrix:
        platform: [darwin/arm64, windows/amd64]
        os_version: ["13.0"]
        exclude:
          - {platform: windows/amd64}
        include:
          - {platform: windows/amd64, os_version: "7"}
          - {platform: linux/amd64}
      run:
        - name: say
          argv: [echo, "${target.os_version}"]
      """, in: "/nowhere")
    #expect(cells.map(\.id) == ["darwin-arm64-system-macos13.0", "windows-amd64-system-windows7", "linux-amd64-gnu"])
    #expect(cells.map { $0.steps.run.first?.command.argv.last } == ["13.0", "6.1.7600", "3.10"])
    let encoded = try JSONEncoder().encode(cells.map(\.target))
    let decoded = try JSONDecoder().decode([CellTarget].self, from: encoded)
    #expect(decoded == cells.map(\.target))
    let json = String(decoding: encoded, as: UTF8.self)
    #expect(json.contains("\"os_version\":\"13.0\"") && json.components(separatedBy: "os_version").count == 3)
  }

  @Test func aBadMatrixReleaseIsAnErrorAtItsValue() {
    let error = FalseVerdictTests.planError(
      """
      matrix:
        platform: [windows/amd64]
        os_version: [xp]
      """)
    #expect(
      error.hasPrefix("/nowhere/m.yml:3:16: os version 'xp' is not a release of windows; write a Windows release"),
      "\(error)")
  }
}
