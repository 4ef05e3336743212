import ArchwayTestSupport
import Foundation
import Testing

@testable import ArchwayKit

/// Executable stacks: `exec_stack` against readelf's `GNU_STACK` on every ELF fixture, and the
/// `exec-stack` check on real libraries linked with `-z execstack` (glibc 2.41 refuses to dlopen
/// them; `ExecStackCLITests` shows it in Debian 13's root filesystem).
@Suite struct ExecStackTests {
  @Test(arguments: Fixtures.binaries.filter { $0.os == "linux" && $0.platform != nil })
  func execStackAgreesWithReadelf(_ fixture: Fixture) async throws {
    let facts = try BinaryInspector.inspectFile(atPath: fixture.path)
    let program = try await Command.run("readelf", ["-lW", fixture.path])
    let line = program.stdout.split(separator: "\n").first { $0.contains("GNU_STACK") }
    let flags = line.map { $0.split(separator: " ").filter { !$0.isEmpty }.dropLast().last.map(String.init) ?? "" }
    #expect(facts.execStack == flags.map { $0.contains("E") }, "\(line ?? "no GNU_STACK")")
  }

  @Test(arguments: [
    ("libexecstack.so", "linux/amd64", "gnu", true), ("libexecstack.so", "linux/amd64", "any", true),
    ("libexecstack.so", "linux/amd64", "gnu-2.41", true), ("libexecstack.so", "linux/amd64", "gnu-2.36", false),
    ("libexecstack.so", "linux/amd64", "musl", false), ("libexecstack-arm64.so", "linux/arm64", "gnu", true),
    ("libhello-runpath.so", "linux/amd64", "gnu", false),
  ])
  func aLibraryAskingForAnExecutableStackFailsGlibc241(name: String, target: String, libc: String, fails: Bool) throws {
    let facts = try BinaryInspector.inspectFile(atPath: Fixtures.named(name).path)
    let found = ArtifactVerifier.check(
      facts, against: try ArtifactPolicy(target: target, libc: libc, glibcMax: nil, allowNeeded: nil)
    ).filter { $0.check == .execStack }
    #expect(found.isEmpty != fails, "\(found.map(\.message))")
    if fails {
      #expect(found.first?.message.hasPrefix("asks for an executable stack (PT_GNU_STACK RWE): glibc 2.41") == true)
    }
  }
}
