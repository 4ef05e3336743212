import ArchwayKit
import ArchwayTestSupport
import Foundation
import Testing

/// The container runner with podman on the image `archway env build debian-11 --arch arm64
/// --engine podman` makes from a debootstrapped Debian 11 arm64 rootfs (built here when the cache
/// lacks it): the glibc-floor proof, the fingerprint inside, limits, cleanup.
@Suite struct ContainerRunnerTests {
  /// The flags this host's podman needs, as a setting of the matrix, not code.
  static let engineArgs = "[" + Fixtures.engineArguments.map { "\"\($0)\"" }.joined(separator: ", ") + "]"

  /// Builds (or finds in the cache) the environment and its image.
  static func provision(_ name: String = "debian-11", arch: String = "arm64") async throws {
    let environment = ProcessInfo.processInfo.environment
    let store = EnvironmentStore(root: EnvironmentStore.defaultRoot(environment: environment), environment: environment)
    let recipe = try EnvironmentRecipe.load(name, root: Fixtures.root + "/Containers")
    _ = try await store.build(recipe, arch: arch, engine: "podman", engineArguments: Fixtures.engineArguments)
  }

  static func run(_ body: String, name: String, keep: Bool = false) async throws -> [ExecutionRecord] {
    try await provision()
    let folder =
      keep
      ? FileManager.default.temporaryDirectory.path + "/archway-ctr-\(name)-\(getpid())"
      : Fixtures.scratch("ctr-" + name)
    let yaml = "defaults:\n  runner: container\n  engine: podman\n  engine_args: \(engineArgs)\n" + body
    let file = try MatrixFile.parse(yaml: yaml, file: "\(folder)/m.yml")
    let host = Platform(os: "linux", arch: "amd64")
    let cells = try Planner(host: host, outputRoot: folder + "/out").plan(file)
    let executor = CellExecutor(
      host: host, defaultTimeout: .seconds(120), environment: ProcessInfo.processInfo.environment)
    return await executor.execute(cells, jobs: 2)
  }

  static func containers() async throws -> [String] {
    try await Command.run(
      "podman", ["ps", "-a", "--filter", "ancestor=archway/debian-11:arm64", "--format", "{{.ID}}"]
    )
    .stdout.split(separator: "\n").map(String.init)
  }

  @Test func theBookwormGccBuildFailsOnDebian11AndTheZigBuildPasses() async throws {
    let records = try await Self.run(
      """
      matrix:
        platform: [linux/arm64]
        env: [debian-11]
        cc: [gcc, zig]
        include:
          - cc: zig
            libc: gnu-2.17
      build:
        shell: bash
        script: |
          case "${cc}" in
            gcc) ${target.gcc_prefix}gcc -O2 -o "${cell.out}/hello" \(Fixtures.root)/Examples/hello/hello.c ;;
            zig) python3 -m ziglang cc -target ${target.zig} -O2 -o "${cell.out}/hello" \(Fixtures.root)/Examples/hello/hello.c ;;
          esac
        artifacts: {hello: "${cell.out}/hello"}
      run:
        - name: greet
          argv: ["${artifact:hello}", "debian"]
      """, name: "floor")
    #expect(
      records.map(\.id) == ["linux-arm64-gnu-debian-11-cc=gcc", "linux-arm64-gnu-2.17-debian-11-cc=zig"])
    let gcc = records[0]
    let zig = records[1]
    #expect(gcc.runner.kind == .container && gcc.runner.image == "archway/debian-11:arm64")
    #expect(gcc.outcome == .failed)
    #expect(gcc.steps.last?.status == .exited(1))
    #expect(
      gcc.steps.last?.stderrHead.contains("version `GLIBC_2.34' not found") == true,
      "\(gcc.steps.last?.stderrHead ?? "")")
    #expect(zig.outcome == .passed, "\(zig.steps.map(\.status))")
    #expect(zig.steps.last?.stdoutHead.hasPrefix("hello, debian\ntarget: 64-bit, little-endian, ") == true)
    for record in records {
      let fingerprint = try #require(record.fingerprint)
      #expect(fingerprint.machine == "aarch64" && fingerprint.libc == "glibc 2.31", "\(fingerprint)")
      // The container's arm64 programs run through the host's binfmt_misc qemu: named as it names itself.
      let entry = try String(contentsOfFile: "/proc/sys/fs/binfmt_misc/qemu-aarch64", encoding: .utf8)
      let interpreter = String(
        try #require(entry.split(separator: "\n").first { $0.hasPrefix("interpreter ") }).dropFirst(12))
      let emulator = URL(fileURLWithPath: interpreter).resolvingSymlinksInPath().path
      let named = try await Command.run(emulator, ["--version"]).stdout.split(separator: "\n").first ?? ""
      #expect(
        fingerprint.emulator == "\(named), static-pie"
          && fingerprint.binfmt?.hasPrefix(interpreter + ", flags ") == true, "\(fingerprint)")
    }
    await #expect(try Self.containers().isEmpty, "every container was removed")
  }

  @Test func limitsAndEnvironmentApplyInsideTheContainer() async throws {
    let records = try await Self.run(
      """
      matrix:
        platform: [linux/arm64]
        env: [debian-11]
        ulimit: [{nofile: 77}]
      run:
        - name: inside
          argv: [sh, -c, "ulimit -n; echo $GREETING; uname -m"]
          env: {GREETING: hi}
        - name: crash
          argv: [sh, -c, "kill -SEGV $$"]
      """, name: "limits")
    let record = try #require(records.first)
    #expect(record.steps.first { $0.name == "inside" }?.stdoutHead == "77\nhi\naarch64\n")
    #expect(record.steps.last?.status == .signaled("SIGSEGV"), "as natively and under qemu")
    #expect(record.outcome == .failed)
    #expect(record.fingerprint?.nofile == "77")
  }

  @Test func aStepThatTimesOutLeavesNothingRunningInTheContainer() async throws {
    // The pattern `[3]4…` finds the sleeps but not the command line that searches for them.
    let marker = "34\(Int.random(in: 100_000...999_999))"
    let records = try await Self.run(
      """
      matrix:
        platform: [linux/arm64]
        env: [debian-11]
        timeout_scale: [1]  # The limit as written, though arm64 runs emulated here.
      run:
        - name: hang
          argv: [sh, -c, "sleep \(marker) & sleep \(marker)"]
          timeout: 1
        - name: look
          argv: [sh, -c, "sleep 4; cat /proc/[0-9]*/cmdline | tr '\\\\0' ' ' | grep -c 'sleep [3]\(marker.dropFirst())' || true"]
          expect: {exit: 0}
      """, name: "timeout")
    let record = try #require(records.first)
    #expect(record.steps.first { $0.name == "hang" }?.status == .timedOut(seconds: 1))
    #expect(
      record.steps.last?.stdoutHead == "0\n",
      "\(record.steps.last?.stdoutHead ?? "") \(record.steps.last?.stderrHead ?? "")")
  }

  /// A seccomp profile that fails clone3 with EPERM, as older Docker defaults did: glibc 2.36's
  /// pthread_create fails under it (it falls back to clone only on ENOSYS) and works without it.
  @Test func aSeccompProfileAppliesToEveryStepInTheContainer() async throws {
    try await Self.provision("debian-12", arch: "amd64")
    let records = try await Self.run(
      """
      matrix:
        platform: [linux/amd64]
        env: [debian-12]
        profile: [default, clone3-eperm]
        include:
          - profile: clone3-eperm
            seccomp: \(Fixtures.root)/Containers/seccomp/clone3-eperm.json
      build:
        argv: [gcc, -O2, -pthread, -o, "${cell.out}/threads", "\(Fixtures.root)/Tests/Matrices/seccomp/threads.c"]
        artifacts: {threads: "${cell.out}/threads"}
      run:
        - name: start
          argv: ["${artifact:threads}"]
      """, name: "seccomp")
    let byProfile = Dictionary(uniqueKeysWithValues: records.map { ($0.values["profile"] ?? "", $0) })
    let allowed = try #require(byProfile["default"])
    #expect(allowed.outcome == .passed && allowed.steps.last?.stdoutHead == "thread joined\n", "\(allowed.steps)")
    let denied = try #require(byProfile["clone3-eperm"])
    #expect(denied.runner.seccomp?.hasSuffix("/Containers/seccomp/clone3-eperm.json") == true)
    #expect(denied.steps.last?.status == .exited(1))
    #expect(denied.steps.last?.stderrHead == "pthread_create: Operation not permitted\n")
  }

  /// A recipe whose image was never built (the executor provisions nothing by itself) is an
  /// infrastructure outcome naming the image.
  @Test func aMissingImageIsAnInfrastructureOutcome() async throws {
    let recipes = Fixtures.scratch("ctr-missing") + "/Containers/never-built"
    try FileManager.default.createDirectory(atPath: recipes, withIntermediateDirectories: true)
    try """
    distribution: debian
    suite: bookworm
    mirror: http://deb.debian.org/debian
    libc: {family: glibc, version: "2.36"}
    arches: [arm64]
    """.write(toFile: recipes + "/environment.yml", atomically: true, encoding: .utf8)
    let records = try await Self.run(
      """
      matrix:
        platform: [linux/arm64]
        env: [never-built]
      run:
        - argv: ["true"]
      """, name: "missing", keep: true)
    let record = try #require(records.first)
    #expect(record.outcome == .infrastructure)
    guard case .infrastructure(let reason) = record.steps.last?.status else {
      Issue.record("expected an infrastructure outcome, got \(record.steps.map(\.status))")
      return
    }
    #expect(reason.hasPrefix("cannot start archway/never-built:arm64"), "\(reason)")
  }
}
