import ArchwayTestSupport
import Foundation
import Testing

@testable import ArchwayKit

/// What release file names promise (issue 36), each scheme against the tools that define it:
/// Rust's own target list, and the wheel tags pip's `packaging` parses out of a wheel's name.
@Suite struct ReleaseNamesTests {
  @Test(
    arguments: [
      ("myapp_1.4.0_linux_arm64.tar.gz", "linux/arm64", nil, nil, nil),
      ("myapp_Linux_x86_64.tar.gz", "linux/amd64", nil, nil, nil),
      ("myapp_Darwin_arm64.tar.gz", "darwin/arm64", nil, nil, nil),
      ("myapp_1.4.0_linux_armv7.tar.gz", "linux/arm/v7", nil, nil, nil),
      ("myapp_1.4.0_linux_arm_7.tar.gz", "linux/arm/v7", nil, nil, nil),
      ("myapp_1.4.0_linux_amd64v3.tar.gz", "linux/amd64", nil, "x86-64-v3", nil),
      ("myapp_1.4.0_windows_386.zip", "windows/386", nil, nil, nil),
      ("myapp-x86_64-linux-musl.tar.gz", "linux/amd64", "musl", nil, nil),
      ("myapp-armv7-unknown-linux-gnueabihf.tar.xz", "linux/arm/v7", "gnu", nil, nil),
      ("myapp-x86_64-pc-windows-gnu.zip", "windows/amd64", nil, nil, nil),
      ("myapp_1.4.0-1_ppc64el.deb", "linux/ppc64le", "gnu", nil, nil),
      ("p-1-cp312-cp312-manylinux1_x86_64.whl", "linux/amd64", "gnu-2.5", nil, nil),
      ("p-1-cp312-cp312-manylinux_2_28_s390x.whl", "linux/s390x", "gnu-2.28", nil, nil),
      (
        "p-1-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.manylinux_2_5_x86_64.whl", "linux/amd64", "gnu-2.5",
        nil, nil
      ),
      ("p-1-cp312-cp312-musllinux_1_1_aarch64.whl", "linux/arm64", "musl-1.1", nil, nil),
      ("p-1-cp312-cp312-macosx_10_13_x86_64.whl", "darwin/amd64", nil, nil, "10.13"),
      ("p-1-cp312-cp312-win32.whl", "windows/386", nil, nil, nil),
    ] as [(String, String, String?, String?, String?)])
  func aNameKeepsItsPromise(name: String, target: String, libc: String?, cpu: String?, os: String?) {
    let promise = ReleaseNames.promise(of: name)
    #expect(promise?.target == target, "\(name)")
    #expect(
      promise?.libc == libc && promise?.cpu == cpu && promise?.osVersion == os,
      "\(name): \(String(describing: promise))")
  }

  @Test(arguments: ["checksums.txt", "myapp.tar.gz", "p-1.0-py3-none-any.whl", "myapp_1.0_all.deb", "linux.txt"])
  func aNameThatPromisesNothingIsNil(name: String) {
    #expect(ReleaseNames.promise(of: name) == nil, "\(String(describing: ReleaseNames.promise(of: name)))")
  }

  /// A .deb's own Architecture: field comes before its name.
  @Test func aDebsFieldComesBeforeItsName() {
    let promise = ReleaseNames.promise(of: "myapp_1.0_amd64.deb", debianArchitecture: "arm64")
    #expect(promise?.target == "linux/arm64" && promise?.source == "Debian's Architecture: arm64")
  }

  /// Every Rust triple read is one rustc knows (`rustc --print target-list`).
  @Test func everyRustTripleReadIsRustcs() async throws {
    let listed = try await Command.run("/bin/sh", ["-c", "PATH=$HOME/.cargo/bin:$PATH rustc --print target-list"])
    try #require(listed.status == 0, "rustc: \(listed.stderr)")
    let rustc = Set(listed.stdout.split(separator: "\n").map(String.init))
    var read = 0
    for names in TargetCatalog.names(libc: .gnu(nil)) + TargetCatalog.names(libc: .musl(nil)) {
      guard let promise = ReleaseNames.promise(of: "myapp-\(names.rust).tar.gz") else { continue }
      let triple = String(promise.source.dropFirst("the Rust target ".count))
      #expect(rustc.contains(triple), "\(triple)")
      read += 1
    }
    #expect(read >= 20)
  }

  /// The tag a wheel's promise cites is one of the platform tags pip's `packaging` reads from its name.
  @Test func theWheelTagCitedIsOnePackagingReads() async throws {
    let names = [
      "p-1-cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64.whl", "p-1-cp312-abi3-musllinux_1_2_x86_64.whl",
      "p-1-cp312-cp312-macosx_11_0_arm64.whl", "p-1-cp312-cp312-win_amd64.whl",
      "p-1-2-cp312-cp312-manylinux1_x86_64.whl",
    ]
    let script = """
      import sys
      from pip._vendor.packaging.utils import parse_wheel_filename
      for name in sys.argv[1:]:
          print(" ".join(sorted(t.platform for t in parse_wheel_filename(name)[3])))
      """
    let parsed = try await Command.run("python3", ["-c", script] + names)
    try #require(parsed.status == 0, "\(parsed.stderr)")
    for (name, line) in zip(names, parsed.stdout.split(separator: "\n")) {
      let tag = String(ReleaseNames.promise(of: name)?.source.dropFirst("the wheel tag ".count) ?? "")
      #expect(line.split(separator: " ").map(String.init).contains(tag), "\(name): \(tag) not in \(line)")
    }
  }
}
