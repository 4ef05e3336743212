import ArchwayTestSupport
import Foundation
import Testing

@testable import ArchwayKit

/// The runner choice, cheapest first, on made-up hosts: what each host lacks moves a cell to the next
/// runner, and a runner a cell insists on is `none` with the reason when the host cannot give it.
@Suite struct RunnerChoiceTests {
  static let amd64 = Platform(os: "linux", arch: "amd64")

  /// A host with `programs` on its PATH, the environments in `built` (`debian-11/arm64`) built in a
  /// made-up cache, and the given privileges.
  static func host(
    programs: Set<String> = ["unshare", "bwrap", "qemu-aarch64-static", "podman"], root: Bool = true,
    binfmt: Set<String> = ["qemu-aarch64"], built: Set<String> = ["debian-11/arm64", "debian-11/amd64"]
  ) throws -> HostFacts {
    let recipe = try EnvironmentRecipe.load("debian-11", root: Fixtures.root + "/Containers")
    let store = EnvironmentStore(root: "/cache/environments", environment: [:])
    let builtFolders = Set(
      built.map { store.folder(recipe, arch: String($0.split(separator: "/")[1])) + "/rootfs/usr/bin" })
    let facts = HostFacts(
      platform: amd64, locate: { programs.contains($0) ? "/usr/bin/\($0)" : nil },
      exists: { builtFolders.contains($0) || $0 == "/usr/lib/wine/wine64" }, isRoot: root, binfmtFixed: binfmt,
      environments: "/cache/environments")
    return facts
  }

  /// The first cell of a one-line matrix.
  static func cell(_ axes: String, defaults: String = "") throws -> Cell {
    let yaml = "matrix:\n  \(axes)\n" + (defaults.isEmpty ? "" : "defaults:\n  \(defaults)\n")
    return try #require(try Planner(host: amd64).plan(try MatrixFile.parse(yaml: yaml, file: "m.yml")).first)
  }

  @Test func anEnvCellGoesToTheCheapestRunnerTheHostHas() throws {
    let arm64 = try Self.cell("platform: [linux/arm64]\n  env: [debian-11]")
    let amd64 = try Self.cell("platform: [linux/amd64]\n  env: [debian-11]")

    let chroot = RunnerChoice.choose(for: arm64, on: try Self.host()).record
    #expect(chroot.kind == .rootfs)
    #expect(chroot.sysroot?.hasPrefix("/cache/environments/debian-11/arm64-") == true)
    #expect(chroot.sysroot?.hasSuffix("/rootfs") == true)

    let withoutF = RunnerChoice.choose(for: arm64, on: try Self.host(binfmt: [])).record
    #expect(withoutF.kind == .qemu, "no F flag: the emulator with the root filesystem as sysroot")
    #expect(withoutF.sysroot == chroot.sysroot)
    #expect(withoutF.launcher == "/usr/bin/qemu-aarch64-static")

    let bubblewrap = RunnerChoice.choose(for: arm64, on: try Self.host(programs: ["bwrap"], root: false)).record
    #expect(bubblewrap.kind == .rootfs && bubblewrap.launcher == "/usr/bin/bwrap", "\(bubblewrap.reason)")
    #expect(bubblewrap.reason.hasPrefix("bwrap into debian-11/arm64"))

    let noBwrap: Set<String> = ["unshare", "qemu-aarch64-static", "podman"]
    let unprivileged = RunnerChoice.choose(for: arm64, on: try Self.host(programs: noBwrap, root: false)).record
    #expect(unprivileged.kind == .qemu)
    #expect(
      RunnerChoice.choose(for: amd64, on: try Self.host(programs: noBwrap, root: false)).record.kind == .container,
      "qemu does not run amd64 here")
    #expect(
      RunnerChoice.choose(for: arm64, on: try Self.host(programs: noBwrap)).record.kind == .qemu, "root needs bwrap too"
    )

    let bare = RunnerChoice.choose(for: arm64, on: try Self.host(programs: ["podman"], root: false)).record
    #expect(bare.kind == .container)
    #expect(bare.image == "archway/debian-11:arm64")
    #expect(
      bare.reason.contains("the rootfs runner needs bwrap") && bare.reason.contains("no qemu-aarch64-static"),
      "\(bare.reason)")

    let nothing = RunnerChoice.choose(for: arm64, on: try Self.host(programs: [], root: false)).record
    #expect(nothing.kind == .none && nothing.hostLacksIt)
  }

  @Test func aRunnerTheCellInsistsOnIsNoneWhenTheHostCannotGiveIt() throws {
    let rootfs = try Self.cell("platform: [linux/arm64]\n  env: [debian-11]", defaults: "runner: rootfs")
    let refused = RunnerChoice.choose(for: rootfs, on: try Self.host(programs: ["unshare", "podman"], root: false))
      .record
    #expect(refused.kind == .none && refused.hostLacksIt)
    #expect(refused.reason == "the rootfs runner needs bwrap (and, as root, unshare)")

    let qemu = try Self.cell("platform: [linux/amd64]\n  env: [debian-11]", defaults: "runner: qemu")
    #expect(
      RunnerChoice.choose(for: qemu, on: try Self.host()).record.reason == "linux/amd64 runs natively, not under qemu")

    let container = try Self.cell("platform: [linux/arm64]\n  env: [debian-11]", defaults: "runner: container")
    #expect(RunnerChoice.choose(for: container, on: try Self.host()).record.kind == .container)

    let unknown = try Self.cell("platform: [linux/arm64]\n  env: [debian-11]", defaults: "runner: wine")
    #expect(RunnerChoice.choose(for: unknown, on: try Self.host()).record.kind == .none)
  }

  @Test func anUnbuiltEnvironmentSaysHowToBuildIt() throws {
    let cell = try Self.cell("platform: [linux/arm64]\n  env: [debian-11]")
    let runner = RunnerChoice.choose(for: cell, on: try Self.host(built: [])).record
    #expect(runner.kind == .none && runner.hostLacksIt)
    #expect(runner.reason == "the environment debian-11/arm64 is not built (archway env build debian-11 --arch arm64)")
  }

  /// An `env:` is a recipe the planner finds: a name it cannot find is the matrix's error at that
  /// value, not a container run that fails with the engine's words.
  @Test func anEnvWithoutARecipeIsAPlanError() throws {
    #expect {
      _ = try Self.cell("platform: [linux/arm64]\n  env: [debian-1]")
    } throws: { error in
      "\(error)".hasPrefix("m.yml:3:9: no environment 'debian-1' (looked in ") && "\(error)".contains("did you mean")
    }
    #expect {
      _ = try Self.cell("platform: [linux/s390x]\n  env: [debian-11]")
    } throws: { error in
      "\(error)".hasPrefix("m.yml:3:9: ") && "\(error)".contains("s390x")
    }
  }

  /// Recipes are looked up in the matrix file's own Containers/, then `--containers`, then Archway's
  /// shipped ones: a project elsewhere plans with its own recipe and with Archway's debian-11.
  @Test func recipesComeFromTheProjectThenTheOptionThenArchway() throws {
    let project = Fixtures.scratch("recipes-project")
    let extra = Fixtures.scratch("recipes-extra")
    let recipe = "distribution: debian\nsuite: bookworm\nmirror: http://deb.debian.org/debian\n"
    for (folder, name, version) in [(project, "mine", "2.36"), (extra, "theirs", "2.41"), (extra, "mine", "9.99")] {
      try FileManager.default.createDirectory(atPath: "\(folder)/Containers/\(name)", withIntermediateDirectories: true)
      try (recipe + "libc: {family: glibc, version: \"\(version)\"}\narches: [amd64]\n").write(
        toFile: "\(folder)/Containers/\(name)/environment.yml", atomically: true, encoding: .utf8)
    }
    let file = try MatrixFile.parse(
      yaml: "matrix:\n  env: [mine, theirs, debian-11]\n", file: project + "/archway.yml")
    var planner = Planner(host: Self.amd64, directory: "/")
    planner.recipeFolders = [extra + "/Containers"]
    let cells = try planner.plan(file)
    #expect(cells.map { $0.environment?.libcVersion.description } == ["2.36", "2.41", "2.31"])
    #expect(cells.map { $0.verify.glibcMax?.description } == ["2.36", "2.41", "2.31"], "the env's glibc is a ceiling")
  }

  @Test func windowsRunsUnderWineWhereWineCanRunIt() throws {
    let amd64 = try Self.cell("platform: [windows/amd64]")
    let wine = RunnerChoice.choose(for: amd64, on: try Self.host(programs: ["wine"])).record
    #expect(wine.kind == .wine && wine.launcher == "/usr/bin/wine")
    #expect(
      Self.argv(Self.backend(amd64, on: try Self.host(programs: ["wine"])).launch(StepCommand(argv: ["/c/hello.exe"])))?
        .contains("WINEPREFIX=\(URL(fileURLWithPath: amd64.out).standardizedFileURL.path)/wine-prefix") == true)
    let i386 = try Self.cell("platform: [windows/386]")
    let without32 = RunnerChoice.choose(for: i386, on: try Self.host(programs: ["wine"])).record
    #expect(without32.kind == .none && without32.reason.contains("wine32"), "\(without32.reason)")
    let noWine = RunnerChoice.choose(for: amd64, on: try Self.host(programs: [])).record
    #expect(noWine.kind == .none && noWine.reason.contains("install wine"))
  }

  /// Unprivileged, bwrap cannot make a mount point in the root-owned root filesystem: along the path to
  /// the cell's folder the directories are made afresh, and everything else is bound read-only.
  @Test func bubblewrapSplicesTheCellFolderIntoTheRootFilesystem() throws {
    let rootfs = Fixtures.scratch("splice")
    for folder in ["usr/bin", "etc", "var/lib/dpkg", "var/cache", "tmp", "proc", "home"] {
      try FileManager.default.createDirectory(atPath: "\(rootfs)/\(folder)", withIntermediateDirectories: true)
    }
    try FileManager.default.createSymbolicLink(atPath: rootfs + "/bin", withDestinationPath: "usr/bin")
    let arguments = RootfsRunner.bubblewrapArguments(rootfs: rootfs, folder: "/var/lib/ci/out/cell")
    let expected =
      ["--unshare-pid", "--die-with-parent", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
      + ["--symlink", "usr/bin", "/bin", "--ro-bind", rootfs + "/etc", "/etc", "--ro-bind", rootfs + "/home", "/home"]
      + ["--ro-bind", rootfs + "/usr", "/usr", "--dir", "/var", "--ro-bind", rootfs + "/var/cache", "/var/cache"]
      + ["--dir", "/var/lib", "--ro-bind", rootfs + "/var/lib/dpkg", "/var/lib/dpkg"]
      + ["--bind", "/var/lib/ci/out/cell", "/var/lib/ci/out/cell"]
    #expect(arguments == expected)
    let underTmp = RootfsRunner.bubblewrapArguments(rootfs: rootfs, folder: "/tmp/x")
    #expect(underTmp.suffix(3) == ["--bind", "/tmp/x", "/tmp/x"] && !underTmp.contains(rootfs + "/tmp"))
  }

  /// As root a root filesystem is entered through an overlay whose mount options are a
  /// comma-separated list, with `:` between lower layers: a cell folder (or cache) whose path held
  /// either broke the mount, and every step failed with mount's "exit 32" (seen in a benchmark's
  /// `out-2. cold, --jobs 2`). The host's own root stands in for an environment's here.
  @Test func aRootFilesystemStepRunsWhateverTheFoldersAreCalled() async throws {
    try #require(getuid() == 0, "the overlay needs root (CI)")
    let folder = Fixtures.scratch("rootfs, odd: names") + "/cell, one:two"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let runner = RootfsRunner(
      setup: RootfsSetup(basis: RunnerBasis(reason: "test"), rootfs: "/", bwrap: nil, folder: folder, project: nil))
    let argv = runner.enter(["/bin/sh", "-c", "pwd; echo made > made"], workdir: nil)
    let outcome = await ProcessSupervisor.run(
      ProcessLaunch(
        argv: argv, environment: ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin"], timeout: .seconds(120),
        logs: folder + "/../odd"))
    #expect(outcome.status == .exited(0), "\(outcome.status): \(outcome.stderrHead)")
    #expect(outcome.stdoutHead == folder + "\n")
    #expect((try? String(contentsOfFile: folder + "/made", encoding: .utf8)) == "made\n")
  }

  /// A `cpu:` below the host's runs under qemu's model of it even on the host's own arch; the host's
  /// level runs natively; a level qemu cannot emulate, on a host without it, is the host's shortfall;
  /// an arm cell runs on its variant's model, never qemu's `max`.
  @Test func aCPULevelIsEmulatedUnlessItIsTheHosts() throws {
    var host = try Self.host(programs: ["qemu-x86_64-static", "qemu-arm-static", "qemu-aarch64-static"])
    host.cpuLevel = "x86-64-v3"
    let v2 = RunnerChoice.choose(for: try Self.cell("platform: [linux/amd64]\n  cpu: [x86-64-v2]"), on: host).record
    #expect(v2.kind == .qemu && v2.cpuModel == "Nehalem" && v2.sysroot == nil, "\(v2)")
    let v2Runner = Self.backend(try Self.cell("platform: [linux/amd64]\n  cpu: [x86-64-v2]"), on: host)
    #expect(
      Self.argv(v2Runner.launch(StepCommand(argv: ["/out/dot"])))
        == ["/usr/bin/qemu-x86_64-static", "-cpu", "Nehalem", "/out/dot"])
    #expect(v2Runner.environment == ["QEMU_CPU": "Nehalem"])
    #expect(v2.timeoutScale == 5, "emulated, so scaled like any qemu cell")
    let own = RunnerChoice.choose(for: try Self.cell("platform: [linux/amd64]\n  cpu: [x86-64-v3]"), on: host).record
    #expect(own.kind == .native && own.cpuModel == nil, "\(own)")
    let v4 = RunnerChoice.choose(for: try Self.cell("platform: [linux/amd64]\n  cpu: [x86-64-v4]"), on: host).record
    #expect(v4.kind == .none && v4.hostLacksIt && v4.reason.contains("x86-64-v4"), "\(v4)")
    let named = Self.backend(try Self.cell("platform: [linux/arm64]\n  libc: [static]\n  cpu: [cortex-a53]"), on: host)
    #expect(
      named.record.kind == .qemu
        && Self.argv(named.launch(StepCommand(argv: ["/out/x"])))
          == ["/usr/bin/qemu-aarch64-static", "-cpu", "cortex-a53", "/out/x"]
    )
    let armel = RunnerChoice.choose(for: try Self.cell("platform: [linux/arm/v5]\n  libc: [static]"), on: host).record
    #expect(armel.cpuModel == "arm926", "\(armel)")
    let maximum = RunnerChoice.choose(
      for: try Self.cell("platform: [linux/arm/v7]\n  libc: [static]\n  cpu: [max]"), on: host
    ).record
    #expect(maximum.cpuModel == "max")
    let arm64 = RunnerChoice.choose(for: try Self.cell("platform: [linux/arm64]\n  libc: [static]"), on: host).record
    #expect(arm64.kind == .qemu && arm64.cpuModel == "cortex-a53", "no cpu: the ARMv8.0 baseline")
    #expect(CPULevel.defaultModel(arch: "ppc64le", variant: nil) == "power8", "the POWER8 baseline")
    #expect(CPULevel.defaultModel(arch: "riscv64", variant: nil) == "rv64,zba=false,zbb=false,zbc=false,zbs=false")
    #expect(CPULevel.defaultModel(arch: "s390x", variant: nil) == nil, "qemu's default")
  }

  /// On the host's own arch under a model, a host program (a shell) would start the cell's programs
  /// natively: such a step is refused, the cell's own program runs under the model.
  @Test func aHostProgramCannotRunUnderTheHostsOwnArchsModel() throws {
    var host = try Self.host(programs: ["qemu-x86_64-static"])
    host.cpuLevel = "x86-64-v4"
    let cell = try Self.cell("platform: [linux/amd64]\n  cpu: [x86-64-v2]")
    let runner = try #require(Self.backend(cell, on: host, path: "/usr/bin:/bin") as? QemuRunner)
    let folder = Fixtures.scratch("cpu-host-program")
    let own = folder + "/tool"
    try FileManager.default.copyItem(atPath: Fixtures.named("c-gcc-linux-amd64").path, toPath: own)
    let shell = runner.emulated(["sh", "-c", own], folder: folder, workdir: nil)
    guard case .impossible(let reason) = shell else {
      Issue.record("a host shell ran under the model: \(shell)")
      return
    }
    #expect(reason.contains("what it starts would run natively"), "\(reason)")
    #expect(
      runner.emulated([own], folder: folder, workdir: nil)
        == .direct(["/usr/bin/qemu-x86_64-static", "-cpu", "Nehalem", own]))
  }

  /// The backend chosen for `cell` on `host`, its steps finding their programs on `path`.
  static func backend(_ cell: Cell, on host: HostFacts, path: String = "/usr/bin:/bin") -> any StepRunner {
    RunnerChoice.choose(for: cell, on: host).runner(
      context: RunnerContext(
        cellID: cell.id, out: cell.out, target: cell.target, environment: ["PATH": path], host: host))
  }

  /// The argv a launch runs, or nil for one that cannot run.
  static func argv(_ launch: StepLaunch) -> [String]? {
    guard case .run(let argv, _) = launch else { return nil }
    return argv
  }
}
