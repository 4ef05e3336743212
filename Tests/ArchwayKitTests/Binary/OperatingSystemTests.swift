import ArchwayKit
import ArchwayTestSupport
import Foundation
import Testing

/// The OS an ELF file is for, on real programs for seven other systems (Go) and the BSDs (zig C),
/// against what they were built for and what readelf and `go version -m` read in them; each fails
/// a linux target whatever `--libc` says.
@Suite struct OperatingSystemTests {
  static let foreign = Fixtures.binaries.filter { !["linux", "darwin", "windows"].contains($0.os) }
  static let linux = Fixtures.binaries.filter { $0.os == "linux" }

  @Test func everySystemIsAmongTheFixtures() {
    let systems = Set(Self.foreign.compactMap(\.os))
    #expect(systems == ["android", "dragonfly", "freebsd", "illumos", "netbsd", "openbsd", "solaris"])
  }

  /// What readelf shows of the signal Archway named: the interpreter, the note's owner, the OS/ABI.
  static func readelfAgrees(_ evidence: String, _ path: String) async throws -> Bool {
    let readelf = try await Command.run("readelf", ["-W", "-h", "-l", "-n", path]).stdout
    if evidence.hasPrefix("interpreter ") {
      return readelf.contains("[Requesting program interpreter: \(evidence.dropFirst("interpreter ".count))]")
    }
    if evidence.hasSuffix(" note") {
      let owner = evidence.dropLast(" note".count)
      return readelf.split(separator: "\n").contains { $0.split(whereSeparator: \.isWhitespace).first == owner }
        || (owner == "GNU ABI tag" && readelf.contains("NT_GNU_ABI_TAG"))
    }
    if evidence.hasPrefix("ELF OS ABI ") {
      let line = readelf.split(separator: "\n").first { $0.contains("OS/ABI:") } ?? ""
      return line.lowercased().contains(evidence.dropFirst("ELF OS ABI ".count))
    }
    if evidence.hasPrefix("Go build info GOOS=") {
      let said = try await Command.run("go", ["version", "-m", path]).stdout
      return said.contains("\tbuild\t\(evidence.dropFirst("Go build info ".count))\n")
    }
    if evidence.hasPrefix("needs ") {
      let dynamic = try await Command.run("readelf", ["-d", path]).stdout
      return dynamic.contains("(NEEDED)") && dynamic.contains("[\(evidence.dropFirst("needs ".count))]")
    }
    return false
  }

  @Test(arguments: foreign + linux)
  func theSystemIsWhatItWasBuiltForAndReadelfSaysWhy(_ fixture: Fixture) async throws {
    let facts = try BinaryInspector.inspectFile(atPath: fixture.path)
    guard let os = facts.os, let evidence = facts.osEvidence else {
      // Only a linux program with no loader, note or Go record says nothing (static musl).
      #expect(fixture.os == "linux" && facts.interpreter == nil || fixture.libc == "musl", "\(fixture.name)")
      return
    }
    #expect(os == fixture.os, "\(fixture.name): \(os) from \(evidence)")
    #expect(try await Self.readelfAgrees(evidence, fixture.path), "\(fixture.name): readelf does not show \(evidence)")
    if fixture.os != "linux" { #expect(facts.libc != .musl && facts.libc != .glibc, "\(fixture.name): \(facts.libc)") }
  }

  /// A program for another system fails a linux target of its arch under every libc.
  @Test(arguments: foreign)
  func anotherSystemFailsALinuxTarget(_ fixture: Fixture) throws {
    let facts = try BinaryInspector.inspectFile(atPath: fixture.path)
    let arch = try #require(fixture.platform?.split(separator: "/").last)
    for libc in ["any", "gnu", "musl", "static"] {
      let policy = ArtifactPolicy(
        platform: try Platform.parse("linux/\(arch)"), libc: try LibcRequirement.parse(libc))
      let found = ArtifactVerifier.check(facts, against: policy)
      #expect(found.first?.check == .osABI, "\(fixture.name) --libc \(libc): \(found.map(\.message))")
      #expect(found.first?.message.hasPrefix("is built for \(fixture.os!), not linux (") == true)
    }
  }

  /// A relocatable object is no program, whatever its target says.
  @Test func anObjectFileIsNoProgram() throws {
    let facts = try BinaryInspector.inspectFile(atPath: Fixtures.named("hello-s390x.o").path)
    for libc in ["any", "static"] {
      let found = ArtifactVerifier.check(
        facts,
        against: ArtifactPolicy(platform: try Platform.parse("linux/s390x"), libc: try LibcRequirement.parse(libc)))
      #expect(found.map(\.check) == [.format] && found[0].message.hasPrefix("is a relocatable object file"))
    }
  }
}
