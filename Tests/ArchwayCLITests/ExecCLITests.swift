import ArchwayKit
import ArchwayTestSupport
import Foundation
import Testing

/// `archway exec` as test runners call it: the program's own streams and exit status, and Go's
/// `go test -exec` running a module's tests on every linux target (Examples/gomod).
@Suite struct ExecCLITests {
  static func exec(_ arguments: [String], stdin: String? = nil) throws -> CommandResult {
    guard let stdin else { return try Command.run(Fixtures.archway, ["exec"] + arguments) }
    let script = "input=$1; shift; printf %s \"$input\" | \"$0\" exec \"$@\""
    return try Command.run("sh", ["-c", script, Fixtures.archway, stdin] + arguments)
  }

  @Test func theProgramsStatusSignalAndStreamsAreItsOwn() throws {
    let hello = Fixtures.named("c-gcc-linux-arm64").path
    let run = try Self.exec(["--target", "linux/arm64", "--", hello, "${literal}"])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stdout.hasPrefix("hello, ${literal}\n"), "arguments pass as they are, `${` too: \(run.stdout)")
    #expect(try Self.exec(["--target", "linux/arm64", "--", "sh", "-c", "exit 7"]).status == 7)
    // A signal comes back as the shell sees a signal: 128 + its number.
    let killed = try Command.run(
      "sh", ["-c", "\"$0\" exec --target linux/arm64 -- sh -c 'kill -SEGV $$'; echo $?", Fixtures.archway])
    #expect(killed.stdout.hasSuffix("139\n"), "\(killed.stdout)")
    let piped = try Self.exec(["--target", "linux/s390x", "--", "sh", "-c", "cat; echo done >&2"], stdin: "in")
    #expect(piped.stdout == "in" && piped.stderr == "done\n", "\(piped)")
    let late = try Self.exec(["--target", "linux/arm64", "--timeout", "0.5", "--", "sleep", "5"])
    #expect(late.status == 124)
  }

  /// `--cpu` reaches qemu both ways: as its option for a target binary, as `QEMU_CPU` for the
  /// programs a host shell starts through binfmt_misc.
  @Test func aCPUModelReachesQemu() throws {
    let hello = Fixtures.named("c-gcc-linux-arm64").path
    for argv in [[hello, "x"], ["sh", "-c", "\"$0\" x", hello]] {
      let known = try Self.exec(["--target", "linux/arm64", "--cpu", "cortex-a53", "--"] + argv)
      #expect(known.status == 0 && known.stdout.hasPrefix("hello, x\n"), "\(argv): \(known.stderr)")
      let unknown = try Self.exec(["--target", "linux/arm64", "--cpu", "no-such-cpu", "--"] + argv)
      #expect(unknown.status != 0 && unknown.stderr.contains("unable to find CPU model 'no-such-cpu'"), "\(argv)")
    }
    let native = try Self.exec(["--target", "linux/amd64", "--cpu", "max", "--", "true"])
    #expect(native.status == 2 && native.stderr.contains("runs natively here"), "\(native.stderr)")
  }

  @Test func badTargetsAndRunnersAreErrorsWithTheirReason() throws {
    let typo = try Self.exec(["--target", "linux/arm64x", "--", "true"])
    #expect(typo.status == 2 && typo.stderr.contains("did you mean 'linux/arm64'?"), "\(typo.stderr)")
    let container = try Self.exec(["--target", "linux/arm64", "--runner", "container", "--", "true"])
    #expect(
      container.status == 3 && container.stderr.contains("the runner 'container' cannot run"), "\(container.stderr)")
    let nothing = try Self.exec(["--target", "linux/arm64"])
    #expect(nothing.status == 2 && nothing.stderr.contains("name the program after --"), "\(nothing.stderr)")
  }

  /// `go test -exec 'archway exec --target …'` on the seven linux targets: every test passes but
  /// the one that depends on byte order, which fails on s390x alone and is named there.
  @Test(arguments: ["amd64", "386", "arm64", "arm", "riscv64", "ppc64le", "s390x"])
  func goTestRunsTheModulesTestsOnTheTarget(arch: String) throws {
    var environment = ProcessInfo.processInfo.environment
    environment["GOARCH"] = arch
    environment["GOARM"] = "7"
    environment["CGO_ENABLED"] = "0"
    environment["GOFLAGS"] = "-count=1"
    let target = arch == "arm" ? "linux/arm/v7" : "linux/\(arch)"
    let result = try Command.run(
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
}
