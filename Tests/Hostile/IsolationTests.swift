import ArchwayKit
import ArchwayTestSupport
import Foundation
import Testing

/// Issue 13, item 4: the rootfs runner as a boundary. A root step in debian-12 tries the classic
/// double-`chroot` escape, a mount, and the host's disks; none of it may reach the host, and what
/// it writes in /etc stays out of the cached root filesystem.
@Suite(.timeLimit(.minutes(10))) struct IsolationTests {
  @Test func aRootStepCannotLeaveTheRootFilesystem() async throws {
    let folder = Fixtures.scratch("isolation")
    let marker = "/tmp/archway-escaped-\(getpid())"
    unlink(marker)
    let escape =
      "mkdir \"x\"; chroot \"x\" or do { print STDERR \"chroot: $!\\n\"; exit 3 }; chdir \"..\" for 1..64;"
      + " chroot \".\"; open(F, \">\(marker)\") or die \"open: $!\\n\"; print \"escaped\\n\""
    let yaml = """
      matrix:
        platform: [linux/amd64]
        env: [debian-12]
      defaults:
        runner: rootfs
      run:
        - name: escape
          argv: [perl, -e, '\(escape)']
          expect: {exit: 3}
        - name: mount
          argv: [sh, -c, 'mkdir -p /mnt/x && mount -t tmpfs none /mnt/x']
          expect: {exit: 32}
        - name: devices
          argv: [sh, -c, 'ls /dev; echo hi > /etc/archway-was-here; id -u']
          expect:
            stdout_matches: "\\\\A(core|fd|full|null|ptmx|pts|random|shm|stderr|stdin|stdout|tty|urandom|zero|\\\\n)+0\\\\n\\\\z"
      """
    try yaml.write(toFile: folder + "/m.yml", atomically: true, encoding: .utf8)
    let result = try await Command.run(
      Fixtures.archway, ["run", folder + "/m.yml", "--out", folder + "/out"], environment: Fixtures.childEnvironment)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(!FileManager.default.fileExists(atPath: marker), "the step wrote on the host")
    let log = try String(
      contentsOfFile: folder + "/out/linux-amd64-gnu-debian-12/logs/escape.stderr.log", encoding: .utf8)
    #expect(log.contains("chroot: Operation not permitted"), "\(log)")
    let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/out/report.json"))
    let report = try Report.decode(data, named: "report.json")
    let rootfs = try #require(report.cells.first?.runner.sysroot)
    #expect(report.cells.first?.runner.kind == .rootfs)
    #expect(!FileManager.default.fileExists(atPath: rootfs + "/etc/archway-was-here"), "the cache is unchanged")
    let scaffolding = folder + "/out/linux-amd64-gnu-debian-12/.archway-root"
    #expect((try? FileManager.default.contentsOfDirectory(atPath: scaffolding))?.isEmpty ?? true, "no mount is left")
  }
}
