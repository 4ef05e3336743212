import ArchwayKit
import ArchwayTestSupport
import Foundation
import Testing

@Suite struct TargetTests {
  @Test(arguments: [
    ("linux/amd64", "linux/amd64"), ("x86_64", "linux/amd64"), ("aarch64", "linux/arm64"), ("arm64/v8", "linux/arm64"),
    ("linux/arm64/v8", "linux/arm64"), ("armhf", "linux/arm/v7"), ("linux/arm", "linux/arm/v7"),
    ("armel", "linux/arm/v5"), ("i686", "linux/386"), ("ppc64el", "linux/ppc64le"), ("mips64el", "linux/mips64le"),
    ("loongarch64", "linux/loong64"), ("riscv", "linux/riscv64"), ("macos/arm64", "darwin/arm64"),
    ("darwin/x86_64", "darwin/amd64"), ("win/x64", "windows/amd64"), ("Windows/AMD64", "windows/amd64"),
  ])
  func aliasesResolve(written: String, platform: String) throws {
    #expect(try Platform.parse(written).description == platform)
  }

  @Test(arguments: [
    ("armv9", "unknown platform 'armv9'; did you mean 'armv8'?"),
    ("linux/ppc64", "unknown platform 'linux/ppc64'; did you mean 'linux/ppc64le'?"),
    ("linux/", "platform 'linux/' names an operating system but no architecture; e.g. 'linux/arm64'"),
    ("freebsd/amd64", "unknown platform 'freebsd/amd64'"),
  ])
  func unknownPlatformsAreQuotedWithASuggestion(written: String, message: String) {
    #expect(throws: TargetError(message)) { try Platform.parse(written) }
  }

  @Test func libcSpellings() throws {
    #expect(try LibcRequirement.parse("gnu-2.31") == .gnu(DottedVersion("2.31")))
    #expect(try LibcRequirement.parse("glibc") == .gnu(nil))
    #expect(throws: TargetError("unknown libc 'mus'; did you mean 'musl'?")) { try LibcRequirement.parse("mus") }
    #expect(throws: TargetError("libc 'gnu-2' has no glibc version after 'gnu-'; write it as 'gnu-2.31'")) {
      try LibcRequirement.parse("gnu-2")
    }
    #expect(LibcRequirement.musl(nil).incompatibility(with: try Platform.parse("darwin/arm64")) != nil)
    #expect(
      LibcRequirement.gnu(DottedVersion("2.31")).incompatibility(with: try Platform.parse("windows/amd64")) != nil)
    #expect(LibcRequirement.musl(nil).incompatibility(with: try Platform.parse("linux/arm64")) == nil)
  }

  @Test func versionsCompareNumerically() throws {
    let v = { (s: String) in DottedVersion(s)! }
    #expect(v("2.9") < v("2.17") && v("2.17") < v("2.34") && v("2.2.5") < v("2.3") && v("2.3") < v("2.3.2"))
    #expect(DottedVersion("2.") == nil && DottedVersion("a.b") == nil && DottedVersion("") == nil)
    // Only ASCII digits, at most nine to a part, single dots, no signs or blanks.
    for bad in [".2", "2..3", "+2", "-1", " 2", "2 ", "١.٢", "1234567890", "2.3a", "2.³"] {
      #expect(DottedVersion(bad) == nil, "\(bad)")
    }
    #expect(DottedVersion("123456789.0")?.components == [123_456_789, 0])
    #expect(DottedVersion("007.10")?.components == [7, 10] && DottedVersion("0")?.components == [0])
  }

  // The names must be ones the real tools accept: each list comes from the tool itself.

  @Test func goNamesAreInGoToolDistList() async throws {
    let known = Set(
      try await Command.run("go", ["tool", "dist", "list"]).stdout.split(separator: "\n").map(String.init))
    for n in TargetCatalog.names(libc: .gnu(nil)) { #expect(known.contains("\(n.goos)/\(n.goarch)"), "\(n.platform)") }
  }

  @Test(arguments: ["gnu", "musl", "gnu-2.17"])
  func zigNamesAreZigTargets(libc: String) async throws {
    let listing = try await Command.run("python3", ["-m", "ziglang", "targets"]).stdout
    let requirement = try LibcRequirement.parse(libc)
    for n in TargetCatalog.names(libc: requirement) where n.os == "linux" {
      let base = n.zig.split(separator: ".").first.map(String.init) ?? n.zig
      #expect(listing.contains("\"\(base)\""), "\(n.platform): \(n.zig)")
      if libc == "gnu-2.17" { #expect(n.zig.hasSuffix(".2.17")) }
    }
    let zigArches = Set(
      listing.components(separatedBy: ".os")[0].split(separator: "\"").enumerated()
        .filter { $0.offset % 2 == 1 }.map { String($0.element) })
    for n in TargetCatalog.names(libc: requirement) where n.os != "linux" {
      #expect(zigArches.contains(String(n.zig.split(separator: "-")[0])), "\(n.platform): \(n.zig)")
    }
  }

  @Test(arguments: ["gnu", "musl"])
  func rustNamesAreRustTargets(libc: String) async throws {
    let known = Set(
      try await Command.run("rustc", ["--print", "target-list"]).stdout.split(separator: "\n").map(String.init))
    for n in TargetCatalog.names(libc: try LibcRequirement.parse(libc)) {
      #expect(known.contains(n.rust), "\(n.platform): \(n.rust)")
    }
  }

  @Test func gccPrefixesAndMultiarchAreTheInstalledCrossCompilers() async throws {
    for n in TargetCatalog.names(libc: .gnu(nil)) where n.os == "linux" && n.platform != "linux/loong64" {
      let prefix = try #require(n.gccPrefix)
      let machine = try await Command.run(prefix + "gcc", ["-dumpmachine"]).stdout.trimmingCharacters(
        in: .whitespacesAndNewlines)
      #expect(machine + "-" == prefix, "\(n.platform)")
      let multiarch = try await Command.run(prefix + "gcc", ["-print-multiarch"]).stdout.trimmingCharacters(
        in: .whitespacesAndNewlines)
      #expect(multiarch == n.multiarch, "\(n.platform)")
    }
  }

  @Test func qemuNamesAreInstalledEmulators() async throws {
    for n in TargetCatalog.names(libc: .gnu(nil)) {
      guard let qemu = n.qemu else { continue }
      #expect(try await Command.run("sh", ["-c", "command -v \(qemu)-static"]).status == 0, "\(qemu)-static")
    }
  }
}
