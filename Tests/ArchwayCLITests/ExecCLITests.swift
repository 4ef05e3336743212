import ArchwayKit
import ArchwayTestSupport
import Foundation
import Testing

/// `archway exec` as test runners call it: the program's own streams and exit status, and Go's
/// `go test -exec` running a module's tests on every linux target (Examples/gomod).
@Suite struct ExecCLITests {
  static func exec(_ arguments: [String], stdin: String? = nil) async throws -> CommandResult {
    guard let stdin else { return try await Command.run(Fixtures.archway, ["exec"] + arguments) }
    let script = "input=$1; shift; printf %s \"$input\" | \"$0\" exec \"$@\""
    return try await Command.run("sh", ["-c", script, Fixtures.archway, stdin] + arguments)
  }

  /// `--ulimit` takes what a matrix's `ulimit:` takes, checked the same way: an unknown key or a
  /// negative number was passed on and ignored (`foo=1`, `nofile=-5`), and `core=unlimited` refused.
  @Test func ulimitTakesWhatAMatrixTakes() async throws {
    let unlimited = try await Self.exec([
      "--target", "linux/amd64", "--ulimit", "core=unlimited", "--", "sh", "-c", "ulimit -c",
    ])
    #expect(unlimited.status == 0 && unlimited.stdout == "unlimited\n", "\(unlimited.stderr)")
    let cases = [
      ("nofiel=64", "unknown ulimit 'nofiel'; did you mean 'nofile'?"),
      ("nofile=-5", "ulimit 'nofile' must be a whole number or 'unlimited', not '-5'"),
      (
        "nofile=unlimited",
        "ulimit 'nofile' cannot be unlimited: Linux allows at most fs.nr_open open files; give a number"
      ),
      ("nofile", "--ulimit 'nofile' is not K=V (nofile=1024, core=unlimited)"),
    ]
    for (word, message) in cases {
      let refused = try await Self.exec(["--target", "linux/amd64", "--ulimit", word, "--", "true"])
      #expect(refused.status == 2 && refused.stderr.contains(message), "\(word): \(refused.stderr)")
    }
  }

  @Test func theProgramsStatusSignalAndStreamsAreItsOwn() async throws {
    let hello = Fixtures.named("c-gcc-linux-arm64").path
    let run = try await Self.exec(["--target", "linux/arm64", "--", hello, "${literal}"])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stdout.hasPrefix("hello, ${literal}\n"), "arguments pass as they are, `${` too: \(run.stdout)")
    #expect(try await Self.exec(["--target", "linux/arm64", "--", "sh", "-c", "exit 7"]).status == 7)
    // A signal comes back as the shell sees a signal: 128 + its number.
    let killed = try await Command.run(
      "sh", ["-c", "\"$0\" exec --target linux/arm64 -- sh -c 'kill -SEGV $$'; echo $?", Fixtures.archway])
    #expect(killed.stdout.hasSuffix("139\n"), "\(killed.stdout)")
    let piped = try await Self.exec(["--target", "linux/s390x", "--", "sh", "-c", "cat; echo done >&2"], stdin: "in")
    #expect(piped.stdout == "in" && piped.stderr == "done\n", "\(piped)")
    let late = try await Self.exec(["--target", "linux/arm64", "--timeout", "0.5", "--", "sleep", "5"])
    #expect(late.status == 124)
  }

  /// `--os-version` for linux is the kernel the target runs: under qemu, uname says that release
  /// (qemu's `-r`), as the program would see it there; a bad value is a usage error.
  @Test func theKernelReleaseReachesTheEmulatedProgram() async throws {
    let folder = Fixtures.scratch("exec-uname")
    try
      "#include <stdio.h>\n#include <sys/utsname.h>\nint main(void) { struct utsname u; uname(&u); puts(u.release); return 0; }\n"
      .write(toFile: folder + "/uname.c", atomically: true, encoding: .utf8)
    let built = try await Command.run(
      "aarch64-linux-gnu-gcc", ["-O2", "-o", folder + "/uname-arm64", folder + "/uname.c"])
    #expect(built.status == 0, "\(built.stderr)")
    let old = try await Self.exec(["--target", "linux/arm64", "--os-version", "3.10", "--", folder + "/uname-arm64"])
    #expect(old.status == 0 && old.stdout == "3.10.0\n", "\(old.stdout)\(old.stderr)")
    let host = try await Self.exec(["--target", "linux/arm64", "--", folder + "/uname-arm64"])
    #expect(host.status == 0 && host.stdout != "3.10.0\n", "without it, the host's kernel: \(host.stdout)")
    let bad = try await Self.exec(["--target", "linux/arm64", "--os-version", "ten", "--", folder + "/uname-arm64"])
    #expect(bad.status == 2 && bad.stderr.contains("'ten'"), "\(bad.stderr)")
  }

  /// After the program, every word is the program's, `--` or not: `--help` and Archway's own option
  /// names reach it as they are.
  @Test func everyWordAfterTheProgramIsItsOwn() async throws {
    let printf = ["/usr/bin/printf", "%s\\n", "--help", "--target", "--"]
    for words in [["--target", "linux/amd64"] + printf, ["--target", "linux/amd64", "--"] + printf] {
      let run = try await Self.exec(words)
      #expect(run.status == 0 && run.stdout == "--help\n--target\n--\n", "\(words): \(run.stdout)\(run.stderr)")
    }
  }

  /// `--cpu` reaches qemu both ways: as its option for a target binary, as `QEMU_CPU` for the
  /// programs a host shell starts through binfmt_misc.
  @Test func aCPUModelReachesQemu() async throws {
    let hello = Fixtures.named("c-gcc-linux-arm64").path
    for argv in [[hello, "x"], ["sh", "-c", "\"$0\" x", hello]] {
      let known = try await Self.exec(["--target", "linux/arm64", "--cpu", "cortex-a53", "--"] + argv)
      #expect(known.status == 0 && known.stdout.hasPrefix("hello, x\n"), "\(argv): \(known.stderr)")
      let unknown = try await Self.exec(["--target", "linux/arm64", "--cpu", "no-such-cpu", "--"] + argv)
      #expect(unknown.status != 0 && unknown.stderr.contains("unable to find CPU model 'no-such-cpu'"), "\(argv)")
    }
    // On the host's own arch a model means qemu too, for the target's program; a host program
    // (whose children would run natively) is refused.
    let own = try await Self.exec([
      "--target", "linux/amd64", "--cpu", "max", "--", Fixtures.named("c-gcc-linux-amd64").path,
    ])
    #expect(own.status == 0 && own.stdout.hasPrefix("hello"), "\(own.stderr)")
    let host = try await Self.exec(["--target", "linux/amd64", "--cpu", "max", "--", "true"])
    #expect(host.status == 3 && host.stderr.contains("is the host's program"), "\(host.stderr)")
  }

  @Test func badTargetsAndRunnersAreErrorsWithTheirReason() async throws {
    let typo = try await Self.exec(["--target", "linux/arm64x", "--", "true"])
    #expect(typo.status == 2 && typo.stderr.contains("did you mean 'linux/arm64'?"), "\(typo.stderr)")
    let container = try await Self.exec(["--target", "linux/arm64", "--runner", "container", "--", "true"])
    #expect(
      container.status == 3 && container.stderr.contains("the runner 'container' cannot run"), "\(container.stderr)")
    let nothing = try await Self.exec(["--target", "linux/arm64"])
    #expect(nothing.status == 2 && nothing.stderr.contains("name the program after --"), "\(nothing.stderr)")
  }

  /// `go test -exec 'archway exec --target …'` on the seven linux targets: every test passes but
  /// the one that depends on byte order, which fails on s390x alone and is named there.
  @Test(arguments: ["amd64", "386", "arm64", "arm", "riscv64", "ppc64le", "s390x"])
  func goTestRunsTheModulesTestsOnTheTarget(arch: String) async throws {
    var environment = ProcessInfo.processInfo.environment
    environment["GOARCH"] = arch
    environment["GOARM"] = "7"
    environment["CGO_ENABLED"] = "0"
    environment["GOFLAGS"] = "-count=1"
    let target = arch == "arm" ? "linux/arm/v7" : "linux/\(arch)"
    let result = try await Command.run(
      "go", ["test", "-v", "-exec", "\(Fixtures.archway) exec --target \(target) --", "./..."],
      environment: environment, workingDirectory: Fixtures.root + "/Examples/gomod")
    for test in ["TestRoundTrip", "TestPutIsLittleEndian"] {
      #expect(result.stdout.contains("--- PASS: \(test)"), "\(arch): \(result.stdout)\(result.stderr)")
    }
    if arch == "s390x" {
      #expect(result.status == 1)
      #expect(result.stdout.contains("--- FAIL: TestHeaderMatchesPut"), "\(result.stdout)")
      #expect(result.stdout.contains("Header depends on the machine's byte order"))
    } else {
      #expect(result.status == 0, "\(arch): \(result.stdout)\(result.stderr)")
      #expect(result.stdout.contains("--- PASS: TestHeaderMatchesPut"))
    }
  }

  /// `--shim` writes a program that runs a target binary as exec does, decided once (a static
  /// launcher; a shell script without cc): Go's tests run through it on s390x (the byte-order test
  /// fails there), with exec's clean environment and limits.
  @Test func aShimRunsTargetBinariesAsExecDoes() async throws {
    let folder = Fixtures.scratch("shim")
    let shim = folder + "/s390x-run"
    let wrote = try await Self.exec(["--target", "linux/s390x", "--ulimit", "nofile=64", "--shim", shim])
    #expect(wrote.status == 0 && wrote.stdout.contains("a static launcher built with cc"), "\(wrote)")
    let magic = try FileHandle(forReadingFrom: URL(fileURLWithPath: shim)).readData(ofLength: 4)
    #expect(magic == Data([0x7F, 0x45, 0x4C, 0x46]) && FileManager.default.isExecutableFile(atPath: shim))
    var environment = ProcessInfo.processInfo.environment
    environment["GOARCH"] = "s390x"
    environment["CGO_ENABLED"] = "0"
    environment["GOFLAGS"] = "-count=1"
    environment["ARCHWAY_SHIM_SECRET"] = "leaked"
    let result = try await Command.run(
      "go", ["test", "-v", "-exec", shim, "./..."], environment: environment,
      workingDirectory: Fixtures.root + "/Examples/gomod")
    #expect(result.status == 1 && result.stdout.contains("--- FAIL: TestHeaderMatchesPut"), "\(result.stdout)")
    #expect(result.stdout.contains("--- PASS: TestRoundTrip"), "\(result.stdout)")
    // What a shim starts sees exec's environment and limits, not the caller's (a native one, to ask sh).
    let native = folder + "/amd64-run"
    #expect(try await Self.exec(["--target", "linux/amd64", "--ulimit", "nofile=64", "--shim", native]).status == 0)
    let seen = try await Command.run(
      native, ["/usr/bin/sh", "-c", "env; grep 'open files' /proc/self/limits"], environment: environment)
    #expect(!seen.stdout.contains("ARCHWAY_SHIM_SECRET") && seen.stdout.contains("PATH="), "\(seen.stdout)")
    #expect(seen.stdout.contains("Max open files            64"), "\(seen.stdout)")
    // Without a C compiler on PATH, a shell script does the same.
    let tools = folder + "/tools"
    try FileManager.default.createDirectory(atPath: tools, withIntermediateDirectories: true)
    for tool in ["qemu-s390x-static", "env", "sh"] {
      let found = try await Command.run("sh", ["-c", "command -v \(tool)"]).stdout.trimmingCharacters(
        in: .whitespacesAndNewlines)
      try FileManager.default.createSymbolicLink(atPath: tools + "/" + tool, withDestinationPath: found)
    }
    let script = folder + "/s390x-script"
    var bare = ProcessInfo.processInfo.environment
    bare["PATH"] = tools
    let scripted = try await Command.run(
      Fixtures.archway, ["exec", "--target", "linux/s390x", "--shim", script], environment: bare)
    #expect(scripted.status == 0 && scripted.stdout.contains("a shell script"), "\(scripted)")
    #expect(try String(contentsOfFile: script, encoding: .utf8).hasPrefix("#!/bin/sh\n"))
    environment["PATH"] = ProcessInfo.processInfo.environment["PATH"]
    let viaScript = try await Command.run(
      "go", ["test", "-v", "-exec", script, "./..."], environment: environment,
      workingDirectory: Fixtures.root + "/Examples/gomod")
    #expect(viaScript.status == 1 && viaScript.stdout.contains("--- FAIL: TestHeaderMatchesPut"), "\(viaScript.stdout)")
    let both = try await Self.exec(["--target", "linux/s390x", "--shim", shim, "--", "true"])
    #expect(both.status == 2 && both.stderr.contains("name none after --"), "\(both.stderr)")
  }

  /// ctest from a shell, outside any matrix: CMake cross-compiles Examples/cmake and hands each test
  /// to `archway exec` (CMAKE_CROSSCOMPILING_EMULATOR); the byte-order test fails on s390x alone.
  @Test(arguments: ["arm64", "s390x"])
  func ctestRunsEachTestOnTheTarget(arch: String) async throws {
    let build = Fixtures.scratch("ctest-\(arch)")
    let gcc = arch == "arm64" ? "aarch64-linux-gnu-gcc" : "s390x-linux-gnu-gcc"
    let configure = try await Command.run(
      "cmake",
      [
        "-S", Fixtures.root + "/Examples/cmake", "-B", build, "-DCMAKE_C_COMPILER=\(gcc)", "-DCMAKE_SYSTEM_NAME=Linux",
        "-DCMAKE_SYSTEM_PROCESSOR=\(arch)",
        "-DCMAKE_CROSSCOMPILING_EMULATOR=\(Fixtures.archway);exec;--target;linux/\(arch);--",
      ])
    #expect(configure.status == 0, "\(configure.stderr)")
    #expect(try await Command.run("cmake", ["--build", build]).status == 0)
    let ctest = try await Command.run("ctest", ["--test-dir", build, "--output-junit", build + "/junit.xml"])
    let cases = try #require(
      try await Reports.junit(build + "/junit.xml").values.first?["cases"] as? [String: [String]])
    if arch == "s390x" {
      #expect(ctest.status != 0 && cases["failure"] == ["words"], "\(cases)")
      #expect(Set(cases["passed"] ?? []) == ["known", "sum"])
    } else {
      #expect(ctest.status == 0 && Set(cases["passed"] ?? []) == ["known", "words", "sum"], "\(ctest.stdout)")
    }
  }

  /// `meson test` with `archway exec` as the cross file's exe_wrapper: Meson's own JUnit log names
  /// the byte-order failure on s390x.
  @Test func mesonTestRunsEachTestThroughTheWrapper() async throws {
    let folder = Fixtures.scratch("meson")
    try """
    [binaries]
    c = 's390x-linux-gnu-gcc'
    exe_wrapper = ['\(Fixtures.archway)', 'exec', '--target', 'linux/s390x', '--']
    [host_machine]
    system = 'linux'
    cpu_family = 's390x'
    cpu = 's390x'
    endian = 'big'
    """.write(toFile: folder + "/s390x.ini", atomically: true, encoding: .utf8)
    let setup = try await Command.run(
      "meson", ["setup", "--cross-file", folder + "/s390x.ini", folder + "/build", Fixtures.root + "/Examples/cmake"])
    #expect(setup.status == 0, "\(setup.stdout)\(setup.stderr)")
    let test = try await Command.run("meson", ["test", "-C", folder + "/build"])
    #expect(test.status == 1, "\(test.stdout)")
    #expect(test.stdout.contains("archway exec --target linux/s390x --"), "Meson names the wrapper: \(test.stdout)")
    let log = folder + "/build/meson-logs/testlog.junit.xml"
    let cases = try #require(try await Reports.junit(log).values.first?["cases"] as? [String: [String]])
    #expect(cases["failure"] == ["words"] && Set(cases["passed"] ?? []) == ["known", "sum"], "\(cases)")
  }

  /// `cargo test` with `archway exec` as the target's runner (the host target: this machine has no
  /// Rust standard library for another). A limit given to `archway exec` is what each test sees,
  /// so the test binary ran through it; a test that fails is cargo's failure.
  @Test func cargoTestRunsEachTestBinaryThroughTheRunner() async throws {
    let crate = Fixtures.scratch("cargo")
    try FileManager.default.createDirectory(atPath: crate + "/src", withIntermediateDirectories: true)
    try "[package]\nname = \"limits\"\nversion = \"0.1.0\"\nedition = \"2021\"\n".write(
      toFile: crate + "/Cargo.toml", atomically: true, encoding: .utf8)
    try """
    #[test]
    fn open_files_are_limited_by_the_runner() {
        let limits = std::fs::read_to_string("/proc/self/limits").unwrap();
        let line = limits.lines().find(|l| l.starts_with("Max open files")).unwrap();
        assert_eq!(line.split_whitespace().nth(3), Some("77"), "{line}");
    }
    """.write(toFile: crate + "/src/lib.rs", atomically: true, encoding: .utf8)
    // rustup's cargo (~/.cargo/bin) when there is one, else Debian's (Scripts/setup-host.sh installs it).
    let found = try await Command.run("sh", ["-c", "command -v cargo || command -v \"$HOME/.cargo/bin/cargo\""])
    let program = found.stdout.split(separator: "\n").first.map(String.init) ?? "cargo"
    for limit in ["77", "78"] {
      var environment = ProcessInfo.processInfo.environment
      environment["CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUNNER"] =
        "\(Fixtures.archway) exec --target linux/amd64 --ulimit nofile=\(limit) --"
      environment["CARGO_TARGET_DIR"] = crate + "/target"
      let test = try await Command.run(
        program, ["test", "--offline"], environment: environment, workingDirectory: crate)
      if limit == "77" {
        #expect(test.status == 0, "\(test.stdout)\(test.stderr)")
        #expect(test.stdout.contains("test open_files_are_limited_by_the_runner ... ok"), "\(test.stdout)")
      } else {
        #expect(test.status == 101, "\(test.stdout)\(test.stderr)")
        #expect(test.stdout.contains("test open_files_are_limited_by_the_runner ... FAILED"), "\(test.stdout)")
      }
    }
  }
}
