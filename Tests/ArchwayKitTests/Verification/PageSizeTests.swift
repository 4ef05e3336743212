import ArchwayKit
import ArchwayTestSupport
import Foundation
import Testing

/// Page sizes: the largest page every `PT_LOAD` fits, against readelf's program headers on every ELF
/// fixture, and the check against the target's kernels on builds linked for 4 KiB pages, which
/// qemu-user (always on the host's 4 KiB pages) runs without complaint.
@Suite struct PageSizeTests {
  static let elf = Fixtures.binaries.filter { $0.os == "linux" && $0.type != "relocatable" }

  /// The largest power of two from 4096 to 65536 that readelf's LOAD lines are aligned to and
  /// congruent under, computed here from `readelf -lW`.
  static func readelfMaxPageSize(_ path: String) async throws -> Int? {
    let lines = try await Command.run("readelf", ["-lW", path]).stdout.split(separator: "\n")
    let loads = lines.map { $0.split(separator: " ") }.filter { $0.first == "LOAD" }.map { fields in
      (
        offset: Int(fields[1].dropFirst(2), radix: 16)!, vaddr: Int(fields[2].dropFirst(2), radix: 16)!,
        align: Int(fields.last!.dropFirst(2), radix: 16)!
      )
    }
    guard !loads.isEmpty else { return nil }
    for size in [65536, 32768, 16384, 8192, 4096]
    where loads.allSatisfy({ $0.align >= size && $0.offset % size == $0.vaddr % size }) {
      return size
    }
    return 1
  }

  @Test(arguments: elf)
  func theLargestPageAgreesWithReadelf(_ fixture: Fixture) async throws {
    let facts = try BinaryInspector.inspectFile(atPath: fixture.path)
    #expect(facts.maxPageSize == (try await Self.readelfMaxPageSize(fixture.path)), "\(fixture.name)")
  }

  @Test(arguments: [
    ("c-gcc-page4k-arm64", "linux/arm64", nil, 65536), ("c-gcc-page4k-arm64", "linux/arm64", "16k", 16384),
    ("c-gcc-page4k-ppc64le", "linux/ppc64le", nil, 65536),
  ])
  func aBinaryLinkedFor4KiBPagesFailsLargerPages(name: String, target: String, pageSize: String?, refused: Int) throws {
    let facts = try BinaryInspector.inspectFile(atPath: Fixtures.named(name).path)
    #expect(facts.maxPageSize == 4096)
    let policy = try ArtifactPolicy(target: target, libc: "gnu", glibcMax: nil, allowNeeded: nil, pageSize: pageSize)
    let found = ArtifactVerifier.check(facts, against: policy)
    #expect(found.map(\.check) == [.pageSize])
    #expect(
      found.first?.message
        == "its PT_LOAD segments are aligned for pages up to 4 KiB, but \(target) kernels may use"
        + " \(refused / 1024) KiB pages and refuse it: link with -Wl,-z,max-page-size=\(refused);"
        + " if only kernels with 4 KiB pages run it, say --page-size 4k")
    let small = try ArtifactPolicy(target: target, libc: "gnu", glibcMax: nil, allowNeeded: nil, pageSize: "4k")
    #expect(ArtifactVerifier.check(facts, against: small) == [])
  }

  @Test func theDefaultIsTheArchsLargestPage() throws {
    for (target, bytes) in [
      ("linux/arm64", 65536), ("linux/ppc64le", 65536), ("linux/loong64", 16384), ("linux/amd64", 4096),
      ("linux/riscv64", 4096), ("linux/s390x", 4096), ("linux/arm/v7", 4096),
    ] {
      #expect(try ArtifactPolicy(target: target, libc: "any", glibcMax: nil, allowNeeded: nil).pageSize == bytes)
    }
    #expect(throws: TargetError.self) {
      try ArtifactPolicy(target: "linux/arm64", libc: "any", glibcMax: nil, allowNeeded: nil, pageSize: "3k")
    }
  }
}
