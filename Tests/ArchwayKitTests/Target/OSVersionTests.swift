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

  /// Releases compare as numbers with missing parts as zeros (glibc's ABI tag of ppc64le says
  /// `3.10.0`), and a Linux port younger than 3.10 starts at its own first kernel: every riscv64
  /// glibc program carries an ABI tag of 4.15.0.
  @Test func releasesCompareNumericallyAndYoungPortsStartLater() throws {
    let kernel = try OSVersion.parse("3.10", os: "linux")
    #expect(!kernel.isOlder(than: DottedVersion("3.10.0")!) && kernel.isOlder(than: DottedVersion("3.10.1")!))
    #expect(!kernel.isOlder(than: DottedVersion("3.2.0")!))
    #expect(OSVersion.defaultVersion(for: "linux", arch: "riscv64")?.version == DottedVersion("4.15"))
    #expect(OSVersion.defaultVersion(for: "linux", arch: "amd64")?.version == DottedVersion("3.10"))
    let riscv = try BinaryInspector.inspectFile(atPath: Fixtures.named("c-gcc-linux-riscv64").path)
    #expect(riscv.kernelFloor == "4.15.0")
    #expect(
      ArtifactVerifier.check(riscv, against: ArtifactPolicy(platform: try Platform.parse("linux/riscv64"))).isEmpty)
  }

  /// `kernel_floor` is the kernel readelf -n reads in each linux fixture's GNU ABI tag.
  @Test(arguments: Fixtures.binaries.filter { $0.os == "linux" })
  func theKernelFloorIsTheABITagsKernel(_ fixture: Fixture) async throws {
    let facts = try BinaryInspector.inspectFile(atPath: fixture.path)
    let notes = try await Command.run("readelf", ["-n", "-W", fixture.path]).stdout
    let said = notes.split(separator: "\n").compactMap { line -> String? in
      guard let range = line.range(of: "OS: Linux, ABI: ") else { return nil }
      return String(line[range.upperBound...]).trimmingCharacters(in: .whitespaces)
    }.first
    #expect(facts.kernelFloor == said, "\(notes)")
  }

  /// A library whose ABI tag names Linux 9.9.0 (glibc before 2.36 passes over it on an older
  /// kernel: Debian 11's loader says "cannot open shared object file" where Debian 12's loads it)
  /// fails a target of the default kernel, and passes one of 10.0.
  @Test func anABITagNewerThanTheTargetsKernelFails() async throws {
    let folder = Fixtures.scratch("abi-tag")
    try """
    .section .note.ABI-tag,"a"
    .p2align 2
    .long 4, 16, 1
    .asciz "GNU"
    .long 0, 9, 9, 0
    .section .note.GNU-stack,"",@progbits

    """.write(toFile: folder + "/tag.s", atomically: true, encoding: .utf8)
    try "int greet(int x) { return x + 1; }\n".write(toFile: folder + "/g.c", atomically: true, encoding: .utf8)
    let built = try await Command.run(
      "gcc", ["-shared", "-fPIC", "-o", folder + "/libg.so", folder + "/g.c", folder + "/tag.s"])
    #expect(built.status == 0, "\(built.stderr)")
    let facts = try BinaryInspector.inspectFile(atPath: folder + "/libg.so")
    #expect(facts.kernelFloor == "9.9.0")
    func violations(_ release: String?) throws -> [String] {
      ArtifactVerifier.check(
        facts,
        against: try ArtifactPolicy(
          target: "linux/amd64", libc: "gnu", glibcMax: nil, allowNeeded: nil, osVersion: release)
      ).map(\.message)
    }
    #expect(
      try violations(nil) == [
        "its ABI tag note asks for Linux 9.9.0 or later, but the target's kernel is 3.10 (--os-version): glibc's"
          + " loader refuses it there (\"kernel too old\"). Build against a C library configured for an older kernel"
          + " (glibc's --enable-kernel), or target a newer one"
      ])
    #expect(try violations("10.0").isEmpty)
  }
}
