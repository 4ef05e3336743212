import ArchwayTestSupport
import Foundation
import Testing

@testable import ArchwayKit

/// The versions a run records and keys (the compilers its builds name, the emulators and wine that
/// run its cells) are asked once a run, and all at once: a script naming gcc, zig and Go waited for
/// the three in turn in each cell, and each qemu runner asked its emulator again.
@Suite struct VersionLinesTests {
  /// A fake program at `folder/bin/NAME` that logs each start to `folder/asked.log`, then waits up
  /// to 10 s for `partner` to have started too (when given) and prints whether it met it.
  static func fake(_ name: String, partner: String? = nil, in folder: String) throws {
    try FileManager.default.createDirectory(atPath: folder + "/bin", withIntermediateDirectories: true)
    let wait =
      partner.map { partner in
        """
        i=0
        while [ ! -e "\(folder)/started-\(partner)" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
        if [ -e "\(folder)/started-\(partner)" ]; then echo "\(name) 1.0, met \(partner)"; else echo "\(name) 1.0, alone"; fi
        """
      } ?? "echo '\(name) 1.0'"
    try """
    #!/bin/sh
    echo "\(name) $*" >> "\(folder)/asked.log"
    touch "\(folder)/started-\(name)"
    \(wait)

    """.write(toFile: folder + "/bin/" + name, atomically: true, encoding: .utf8)
    chmod(folder + "/bin/" + name, 0o755)
  }

  /// The lines of `folder/asked.log`, sorted.
  static func asked(in folder: String) throws -> [String] {
    try String(contentsOfFile: folder + "/asked.log", encoding: .utf8).split(separator: "\n").map(String.init).sorted()
  }

  @Test func theCompilersOfEveryBuildAreAskedAtOnceAndOnceARun() async throws {
    let folder = try ReusePipelineTests.folder("versions-at-once")
    // Each waits for the other: asked one after the other, the first would say it was alone.
    try Self.fake("cc", partner: "c++", in: folder)
    try Self.fake("c++", partner: "cc", in: folder)
    let yaml = ReusePipelineTests.matrix(folder: folder).replacingOccurrences(
      of: "\"${cell.out}/prog-test\"]", with: "\"${cell.out}/prog-test\", cc, c++]")
    let ran = try await ReusePipelineTests.run(yaml, in: folder, environment: ["PATH": folder + "/bin"])
    #expect(ran.report.cells.count == 2)
    for cell in ran.report.cells {
      #expect(cell.toolchains == ["cc": "cc 1.0, met c++", "c++": "c++ 1.0, met cc"], "\(cell.id)")
    }
    // Two cells, two compilers: each compiler once.
    #expect(try Self.asked(in: folder) == ["c++ --version", "cc --version"])
  }

  @Test func anEmulatorIsAskedOnceForEveryRunnerAndTheHostReport() async throws {
    let folder = Fixtures.scratch("versions-emulator")
    try Self.fake("qemu-fake", in: folder)
    let emulator = folder + "/bin/qemu-fake"
    let cells = try Planner(host: ExecutorTests.host, outputRoot: folder + "/out").plan(
      MatrixFile.parse(yaml: "matrix:\n  platform: [linux/arm64, linux/riscv64]\n", file: "m.yml"))
    let versions = Toolchains.VersionCache()
    var identities: [[String: String]] = []
    // Two cells' runners, with sysroots of their own: records that differ, one emulator.
    for (cell, sysroot) in zip(cells, ["/usr/aarch64-linux-gnu", "/usr/riscv64-linux-gnu"]) {
      let made = ExecutorTests.qemu(cell, emulator: emulator, sysroot: sysroot, binfmt: [])
      var context = made.context
      context.versions = versions
      identities.append(await QemuRunner(setup: made.setup, context: context).identity())
    }
    let host = await HostProbe.info(tools: [emulator], versions: versions)
    let said = Fingerprint.emulator(emulator, version: "qemu-fake 1.0")
    #expect(identities.map { $0["emulator"] } == [said, said])
    #expect(host.tools == [emulator: "qemu-fake 1.0"])
    #expect(try Self.asked(in: folder) == ["qemu-fake --version"])
  }
}
