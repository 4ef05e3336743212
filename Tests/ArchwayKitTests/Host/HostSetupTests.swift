import ArchwayTestSupport
import Foundation
import Testing

@testable import ArchwayKit

/// `archway setup`'s needs: what each kind of cell asks of the host, checked against Debian itself
/// (the package exists in the archive; installed, it holds the program or file that shows it is there).
@Suite struct HostSetupTests {
  static let host = Platform(os: "linux", arch: "amd64")

  /// The needs of the cells `yaml` plans, in setup's order.
  static func ordered(_ yaml: String, cpu: String? = "x86-64-v4") throws -> [HostNeed] {
    let cells = try Planner(host: host).plan(try MatrixFile.parse(yaml: yaml, file: "setup.yml"))
    return HostSetup.needs(for: cells, host: host, hostCPULevel: cpu)
  }

  /// The needs by `KIND NAME`.
  static func needs(_ yaml: String) throws -> [String: HostNeed] {
    Dictionary(try ordered(yaml).map { ("\($0.kind.rawValue) \($0.name)", $0) }) { first, _ in first }
  }

  @Test func aCrossBuildRunDirectlyNeedsQemuTheSysrootAndTheCompilerWithItsHeaders() throws {
    let needs = try Self.needs(
      """
      matrix:
        platform: [linux/arm64, linux/arm/v5]
      build:
        shell: bash
        script: ${target.gcc_prefix}gcc -o "${cell.out}/hello" hello.c && make -C sub
      run:
        - argv: ["${artifact:hello}"]
      """.replacingOccurrences(of: "build:\n", with: "build:\n  artifacts: {hello: \"${cell.out}/hello\"}\n"))
    for name in [
      "qemu-user-static", "libc6-arm64-cross", "gcc-aarch64-linux-gnu", "libc6-dev-arm64-cross", "libc6-armel-cross",
      "gcc-arm-linux-gnueabi", "libc6-dev-armel-cross", "make",
    ] {
      #expect(needs["package \(name)"] != nil, "\(name): \(needs.keys.sorted())")
    }
    #expect(needs["package libc6-dev-arm64-cross"]?.witnesses == ["/usr/aarch64-linux-gnu/include/stdio.h"])
    #expect(needs["package qemu-user-static"]?.cells.count == 2)
    // The artifact itself is the step: qemu runs it, no binfmt_misc.
    #expect(!needs.keys.contains { $0.hasPrefix("binfmt") }, "\(needs.keys.sorted())")
  }

  /// Issue 37: a build that runs `autoreconf` (the matrix `archway init` writes for an autotools
  /// project without a configure script) needs autoconf, automake and libtool (libtoolize).
  @Test func autoreconfNeedsAutoconfAutomakeAndLibtool() throws {
    let needs = try Self.needs(
      """
      matrix:
        platform: [linux/amd64]
      build:
        shell: sh
        script: autoreconf -fi && ./configure && make
      """)
    #expect(needs["package autoconf"]?.witnesses == ["autoreconf"], "\(needs.keys.sorted())")
    #expect(needs["package automake"]?.witnesses == ["automake"])
    #expect(needs["package libtool"]?.witnesses == ["libtoolize"])
  }

  @Test func aShellStepEnvCellsContainersWindowsAndDarwinAskForWhatRunsThem() throws {
    let needs = try Self.needs(
      """
      matrix:
        include:
          - {platform: linux/riscv64, name: shell}
          - {platform: linux/arm64, env: debian-12, name: rootfs}
          - {platform: linux/amd64, env: debian-12, runner: container, name: container}
          - {platform: windows/amd64, name: wine}
          - {platform: darwin/arm64, name: mac}
          - {platform: linux/amd64, cpu: x86-64-v2, name: older}
      run:
        - shell: bash
          script: "true"
      """)
    #expect(needs["binfmt-register qemu-riscv64"]?.cells == ["linux-riscv64-gnu-name=shell"])
    #expect(needs["binfmt-register qemu-aarch64"] != nil && needs["binfmt-mount binfmt_misc"] != nil)
    #expect(needs["package debootstrap"]?.cells.count == 2)
    #expect(needs["package bubblewrap"]?.cells.count == 1 && needs["package podman"]?.cells.count == 1)
    #expect(needs["package wine"] != nil && needs["package wine64"] != nil)
    // An older CPU of the host's own arch runs under qemu-x86_64; darwin needs nothing (nothing runs it).
    #expect(needs["package qemu-user-static"]?.cells.contains("linux-amd64-gnu-x86-64-v2-name=older") == true)
    #expect(!needs.values.contains { $0.cells.contains { $0.hasPrefix("darwin") } })
  }

  @Test func aBuildInsideTheTargetNeedsNoCompilerOnTheHost() throws {
    let needs = try Self.needs(
      """
      matrix:
        platform: [linux/arm64]
        env: [debian-12-gcc]
      build:
        in: target
        argv: [gcc, -o, "${cell.out}/hello", hello.c]
      """)
    #expect(needs["package gcc"] == nil && needs["package gcc-aarch64-linux-gnu"] == nil, "\(needs.keys.sorted())")
    #expect(needs["package debootstrap"] != nil && needs["binfmt-register qemu-aarch64"] != nil)
  }

  @Test func whatIsPresentIsLeftAloneAndTheCommandsInstallTheRest() throws {
    let needs = try Self.ordered(
      """
      matrix:
        platform: [linux/s390x]
      build:
        shell: bash
        script: ${target.gcc_prefix}gcc -o x x.c && python3 -m ziglang cc -o y y.c
      run:
        - shell: bash
          script: "true"
      """)
    let state = HostSetup.HostState(
      locate: { $0 == "qemu-s390x-static" ? "/usr/bin/qemu-s390x-static" : nil }, exists: { _ in false },
      installedPackages: ["libc6-s390x-cross"], pipPackages: nil, binfmtEnabled: [], isRoot: false)
    let checked = HostSetup.check(needs, on: state)
    #expect(checked.filter(\.present).map(\.name).sorted() == ["libc6-s390x-cross", "qemu-user-static"])
    let lines = HostSetup.commands(for: checked, on: state).map(HostSetup.shellLine)
    // Not root: sudo; binfmt_misc mounted before qemu's package registers in it; pip last, and
    // Debian's pip (there is none) takes packages only with --break-system-packages.
    #expect(lines.first == "sudo mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc", "\(lines)")
    #expect(lines.contains("sudo apt-get update"))
    let install = try #require(lines.first { $0.contains("apt-get install") })
    for package in ["binfmt-support", "gcc-s390x-linux-gnu", "libc6-dev-s390x-cross", "python3-pip"] {
      #expect(install.contains(" \(package)"), "\(install)")
    }
    #expect(!install.contains("qemu-user-static") && !install.contains("libc6-s390x-cross "))
    #expect(lines.contains("sudo update-binfmts --enable"))
    #expect(lines.last == "python3 -m pip install --disable-pip-version-check --break-system-packages ziglang")
    // Everything there: nothing to run.
    let everything = HostSetup.HostState(
      locate: { "/usr/bin/\($0)" }, exists: { _ in true }, installedPackages: Set(needs.map(\.name)),
      pipPackages: ["ziglang"], binfmtEnabled: ["qemu-s390x"], isRoot: true)
    #expect(HostSetup.commands(for: HostSetup.check(needs, on: everything), on: everything).isEmpty)
  }

  /// Every package the shipped matrices and the runner image need exists in Debian's archive
  /// (`apt-cache show`), and on this host, where Scripts/setup-host.sh installed them through
  /// `archway setup`, each holds what `check` takes as its witness (`dpkg -L`, or `dpkg -S` of the
  /// program's real path where Debian's alternatives name it).
  @Test func everyNeedOfTheShippedMatricesIsARealDebianPackageHoldingItsWitness() async throws {
    var cells: [Cell] = []
    let files =
      try FileManager.default.contentsOfDirectory(atPath: Fixtures.root + "/Matrix").filter {
        $0.hasSuffix(".yml")
      }.map { Fixtures.root + "/Matrix/" + $0 } + [Fixtures.root + "/Containers/archway/image.yml"]
    for file in files {
      var planner = Planner(host: HostProbe.platform())
      planner.recipeFolders = [Fixtures.root + "/Containers"]
      cells += try PlanSelection(path: file, filter: nil, shard: nil, durationsReport: nil, planner: planner).all
    }
    let needs = HostSetup.needs(for: cells, host: HostProbe.platform(), hostCPULevel: nil)
    let packages = needs.filter { $0.kind == .package }
    #expect(packages.count >= 25, "\(packages.map(\.name))")
    let shown = try await Command.run("apt-cache", ["show", "--no-all-versions"] + packages.map(\.name))
    for package in packages {
      #expect(shown.stdout.contains("Package: \(package.name)\n"), "not in Debian's archive: \(package.name)")
      let files = try await Command.run("dpkg", ["-L", package.name])
      #expect(files.status == 0, "not installed here: \(package.name)")
      let listed = Set(files.stdout.split(separator: "\n").map(String.init))
      var held = false
      for witness in package.witnesses where !held {
        if witness.hasPrefix("/") {
          held = listed.contains(witness)
          continue
        }
        if listed.contains(where: { $0.hasSuffix("bin/" + witness) }) {
          held = true
          continue
        }
        guard let found = ProcessSupervisor.locate(witness, path: ProcessInfo.processInfo.environment["PATH"]) else {
          continue
        }
        let real = URL(fileURLWithPath: found).resolvingSymlinksInPath().path
        let owner = (try? await Command.run("dpkg", ["-S", real]).stdout) ?? ""
        held = owner.hasPrefix(package.name + ":") || owner.hasPrefix(package.name + " ")
      }
      #expect(held, "\(package.name) holds none of \(package.witnesses)")
    }
  }
}
