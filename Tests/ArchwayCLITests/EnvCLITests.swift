import ArchwayKit
import ArchwayTestSupport
import Foundation
import Testing

/// `archway env` and the glibc-floor proof end to end: Matrix/glibc-floor.yml run in podman
/// containers of Debian 11, 12 and 13 for amd64 and arm64, the environments provisioned by the run.
/// The children are waited for off the cooperative threads: they may wait for an environment
/// another suite of this process is building.
@Suite struct EnvCLITests {
  /// This host's podman flags (crun fails on its hybrid cgroups; see docs/environments.md), as a self-hosted runner would set them once.
  static var environment: [String: String] { Fixtures.childEnvironment }

  /// Matrix/glibc-floor.yml as shipped, where this host (root, binfmt_misc's F registrations) picks
  /// the cheapest runner, a chroot; then with `runner: container` and, for the arm64 cells, `runner: qemu`
  /// (the emulator with the environment's root filesystem as its sysroot).
  @Test(arguments: ["auto", "container", "qemu"])
  func theGlibcFloorProofFailsTheGccBuildOnDebian11TwiceOverAndPassesZigEverywhere(requested: String) async throws {
    let out = RunCLITests.folder("glibc-floor-\(requested)")
    var arguments = ["run", "Matrix/glibc-floor.yml", "--out", out]
    if requested != "auto" {
      arguments[1] = out + ".yml"
      let shipped = try String(contentsOfFile: Fixtures.root + "/Matrix/glibc-floor.yml", encoding: .utf8)
      try ("defaults:\n  runner: \(requested)\n" + shipped).write(
        toFile: arguments[1], atomically: true, encoding: .utf8)
    }
    if requested == "qemu" { arguments += ["--filter", "arch=arm64"] }
    let runner: RunnerKind = ["auto": .rootfs, "qemu": .qemu][requested] ?? .container
    let result = try await Command.run(
      Fixtures.archway, arguments, environment: Self.environment, workingDirectory: Fixtures.root)
    #expect(result.status == 1, "\(result.stderr)")
    let report = try Reports.read(out + "/report.json")
    #expect(report.cells.count == (requested == "qemu" ? 6 : 12))
    let expectedLibc = ["debian-11": "glibc 2.31", "debian-12": "glibc 2.36", "debian-13": "glibc 2.41"]
    for cell in report.cells {
      #expect(cell.runner.kind == runner, "\(cell.id): \(cell.runner.reason)")
      #expect(cell.fingerprint?.libc == expectedLibc[cell.env ?? ""], "\(cell.id): measured inside")
      #expect(cell.fingerprint?.machine == (cell.target.arch == "arm64" ? "aarch64" : "x86_64"), "\(cell.id)")
      let failing = Set(cell.findings.filter { $0.verdict != .passed }.map(\.title))
      if cell.env == "debian-11", cell.values["cc"] == "gcc" {
        // Where the root filesystem is on disk, the load is predicted too, and the run agrees.
        let predicted: Set<String> = runner == .container ? [] : ["hello: loads"]
        #expect(failing == Set(["hello: glibc-floor", "greet: exit", "greet: stdout"]).union(predicted), "\(cell.id)")
        let floor = cell.findings.first { $0.title == "hello: glibc-floor" }?.message ?? ""
        #expect(floor.contains("__libc_start_main@GLIBC_2.34") && floor.contains("at most 2.31"), "\(floor)")
        let exit = cell.findings.first { $0.title == "greet: exit" }.map { $0.message + ($0.details ?? "") } ?? ""
        #expect(exit.contains("version `GLIBC_2.34' not found"), "the loader's refusal, captured: \(exit)")
      } else {
        #expect(failing.isEmpty, "\(cell.id): \(failing)")
      }
    }
    if runner == .rootfs, let rootfs = report.cells.first?.runner.sysroot {
      let left = try FileManager.default.contentsOfDirectory(atPath: rootfs + "/tmp")
      #expect(!left.contains { out.hasSuffix($0) }, "the cached root filesystem is left as it was: \(left)")
    }
    let valid = try await Command.run("xmllint", ["--noout", "--schema", Fixtures.junitSchema, out + "/junit.xml"])
    #expect(valid.status == 0, "\(valid.stderr)")
    let markdown = try String(contentsOfFile: out + "/summary.md", encoding: .utf8)
    #expect(markdown.contains("| gnu · debian-11 · cc=gcc |"), "suites and columns carry the env: \(markdown)")
  }

  /// A dynamically linked musl program runs where Debian's musl runtime is (debian-12-musl) and
  /// nowhere else: its loader is not in a glibc system.
  @Test func aMuslProgramRunsInTheMuslEnvironmentOnly() async throws {
    let out = RunCLITests.folder("musl-env")
    let matrix = out + ".yml"
    try """
    matrix:
      platform: [linux/amd64]
      libc: [musl]
      env: [debian-12-musl, debian-12]
    defaults:
      runner: rootfs
    build:
      argv: [musl-gcc, -O2, -o, "${cell.out}/hello", Examples/hello/hello.c, -lm]
      artifacts: {hello: "${cell.out}/hello"}
    run:
      - name: greet
        argv: ["${artifact:hello}", musl]
        expect: {stdout_matches: '\\Ahello, musl$'}
      # Inside the root filesystem a step starts in the cell's folder, or in its workdir.
      - name: start
        argv: [pwd]
        expect: {stdout: "${cell.out}\\n"}
      - name: where
        argv: [pwd]
        workdir: "${cell.out}/.."
        expect: {stdout_matches: '/archway-run-musl-env-[0-9]+\\n\\z'}
    """.write(toFile: matrix, atomically: true, encoding: .utf8)
    let result = try await Command.run(
      Fixtures.archway, ["run", matrix, "--out", out], environment: Self.environment, workingDirectory: Fixtures.root)
    #expect(result.status == 1, "\(result.stderr)")
    let report = try Reports.read(out + "/report.json")
    let musl = try #require(report.cells.first { $0.env == "debian-12-musl" })
    let glibc = try #require(report.cells.first { $0.env == "debian-12" })
    #expect(musl.verdict == .passed, "\(musl.findings.filter { $0.verdict != .passed })")
    #expect(musl.artifacts.first?.facts?.interpreter == "/lib/ld-musl-x86_64.so.1")
    #expect(musl.fingerprint?.machine == "x86_64")
    #expect(
      Set(glibc.findings.filter { $0.verdict != .passed }.map(\.title)) == [
        "hello: loads", "greet: exit", "greet: stdout",
      ])
    let loads = glibc.findings.first { $0.title == "hello: loads" }?.message ?? ""
    #expect(loads.contains("its interpreter /lib/ld-musl-x86_64.so.1 is not there"), "\(loads)")
  }

  @Test func envListShowsRecipesAndBuildReusesTheCache() async throws {
    let arguments = Fixtures.engineArguments.map { "--engine-arg=\($0)" }
    let built = try await Command.run(
      Fixtures.archway, ["env", "build", "debian-11", "--arch", "linux/arm64", "--engine", "podman"] + arguments,
      environment: Self.environment, workingDirectory: Fixtures.root)
    #expect(built.status == 0, "\(built.stderr)")
    #expect(built.stdout.hasPrefix("debian-11/arm64: ") && built.stdout.contains("glibc 2.31"), "\(built.stdout)")
    #expect(built.stdout.contains("image archway/debian-11:arm64"))
    let again = try await Command.run(
      Fixtures.archway, ["env", "build", "debian-11", "--arch", "arm64"], environment: Self.environment,
      workingDirectory: Fixtures.root)
    #expect(again.stdout.hasPrefix("debian-11/arm64: reused, glibc 2.31"), "\(again.stdout)\(again.stderr)")
    let list = try await Command.run(
      Fixtures.archway, ["env", "list"], environment: Self.environment, workingDirectory: Fixtures.root)
    let row = list.stdout.split(separator: "\n").first { $0.hasPrefix("debian-11 ") } ?? ""
    #expect(row.contains("bullseye") && row.contains("glibc 2.31") && row.contains("arm64 "), "\(list.stdout)")
    let unknown = try await Command.run(
      Fixtures.archway, ["env", "build", "debian-11", "--arch", "riscv64"], workingDirectory: Fixtures.root)
    #expect(unknown.status == 2 && unknown.stderr.contains("debian-11 has no arch 'riscv64'"), "\(unknown.stderr)")
  }

  /// Without root, the rootfs runner is bwrap: `archway run` as the user nobody, with an environment
  /// cache it can read (hard links to this one's debian-11), runs both arches inside Debian 11 —
  /// its glibc, its files read-only, the cell's folder writable — with no engine and no privilege.
  @Test func withoutRootEnvCellsRunThroughBubblewrap() async throws {
    let scratch = RunCLITests.folder("bwrap")
    let cache = scratch + "/cache/archway/environments"
    let recipe = try EnvironmentRecipe.load("debian-11", root: Fixtures.root + "/Containers")
    let store = EnvironmentStore(
      root: EnvironmentStore.defaultRoot(environment: Self.environment), environment: Self.environment)
    for arch in ["amd64", "arm64"] {
      let built = try await Command.run(
        Fixtures.archway, ["env", "build", "debian-11", "--arch", arch], environment: Self.environment,
        workingDirectory: Fixtures.root)
      #expect(built.status == 0, "\(built.stderr)")
      let copy = EnvironmentStore(root: cache, environment: [:]).folder(recipe, arch: arch)
      try FileManager.default.createDirectory(
        atPath: (copy as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      #expect(try await Command.run("cp", ["-al", store.folder(recipe, arch: arch), copy]).status == 0)
    }
    // The program and the recipe where nobody can read them (a checkout may be in a private folder).
    try FileManager.default.createDirectory(atPath: scratch + "/Containers", withIntermediateDirectories: true)
    #expect(
      try await Command.run("cp", ["-r", Fixtures.root + "/Containers/debian-11", scratch + "/Containers/"]).status == 0
    )
    #expect(try await Command.run("cp", [Fixtures.archway, scratch + "/archway"]).status == 0)
    try FileManager.default.createDirectory(
      atPath: scratch + "/out", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o777])
    try """
    matrix:
      platform: [linux/amd64, linux/arm64]
      env: [debian-11]
    run:
      - name: inside
        argv: [sh, -c, 'id -u; cat /etc/debian_version; touch /etc/x 2>/dev/null || echo read-only; id -u > "${cell.out}/proof"']
        expect: {stdout_matches: '\\A65534\\n11\\.[0-9]+\\nread-only\\n\\z'}
      - name: where
        argv: [pwd]
        workdir: "${cell.out}"
        expect: {stdout: "${cell.out}\\n"}
    """.write(toFile: scratch + "/m.yml", atomically: true, encoding: .utf8)
    let nobody = ["--reuid=65534", "--regid=65534", "--clear-groups", "env", "-i", "PATH=/usr/bin:/bin", "NO_COLOR=1"]
    let result = try await Command.run(
      "setpriv",
      nobody + ["HOME=\(scratch)", "XDG_CACHE_HOME=\(scratch)/cache", "./archway", "run", "m.yml", "--out", "out"],
      workingDirectory: scratch)
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    let report = try Reports.read(scratch + "/out/report.json")
    #expect(report.cells.count == 2)
    for cell in report.cells {
      #expect(cell.runner.kind == .rootfs && cell.runner.launcher?.hasSuffix("/bwrap") == true, "\(cell.runner.reason)")
      #expect(cell.verdict == .passed, "\(cell.findings.filter { $0.verdict != .passed })")
      #expect(cell.fingerprint?.libc == "glibc 2.31", "measured inside: \(String(describing: cell.fingerprint))")
      #expect(cell.fingerprint?.machine == (cell.target.arch == "arm64" ? "aarch64" : "x86_64"))
      let proof = try String(contentsOfFile: scratch + "/out/\(cell.id)/proof", encoding: .utf8)
      #expect(proof == "65534\n", "the cell's folder is writable inside")
    }
  }

  /// The project Archway runs in is visible, read-only, at its own path in root filesystems and
  /// containers: a suite reads its sources there without copying them into every cell.
  @Test func theProjectIsReadOnlyAtItsOwnPathInRootFilesystemsAndContainers() async throws {
    let out = RunCLITests.folder("project-visible")
    let matrix = out + ".yml"
    let first = try String(contentsOfFile: Fixtures.root + "/Examples/hello/hello.c", encoding: .utf8).prefix(18)
    try """
    matrix:
      platform: [linux/amd64]
      env: [debian-12]
      runner: [rootfs, container]
    run:
      - name: read
        workdir: .
        argv: [sh, -c, 'head -c 18 Examples/hello/hello.c; echo; touch archway-was-here 2>/dev/null || echo read-only']
        expect: {stdout: "\(first)\\nread-only\\n"}
    """.write(toFile: matrix, atomically: true, encoding: .utf8)
    let result = try await Command.run(
      Fixtures.archway, ["run", matrix, "--out", out], environment: Self.environment, workingDirectory: Fixtures.root)
    #expect(result.status == 0, "\(result.stderr)")
    let report = try Reports.read(out + "/report.json")
    #expect(Set(report.cells.map(\.runner.kind)) == [.rootfs, .container])
    #expect(!FileManager.default.fileExists(atPath: Fixtures.root + "/archway-was-here"))
  }
}
