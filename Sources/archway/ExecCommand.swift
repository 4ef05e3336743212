import ArchwayKit
import ArgumentParser
import Foundation

struct ExecCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "exec",
    abstract: "Run one program on a target as a cell's run step would: for test runners that take an emulator.",
    discussion: """
      Chooses the runner, sysroot, limits and clean environment exactly as `archway run` does for \
      a run step of a cell with this target, then replaces itself with the program (under qemu \
      when the target is foreign), so its input, output, signals and exit status are the \
      program's own. Exits with the program's status; 124 when --timeout ends it; 2 for bad \
      usage; 3 when this host cannot run the target (archway doctor says what to install). \
      Runs natively or under qemu; cells of other runners are for `archway run`. \
      docs/test-runners.md shows Go, CMake, Cargo and Meson set up with it. With --shim FILE and no \
      program, writes a program that runs a target binary as exec would, decided once (a static \
      launcher built with cc, else a shell script): a test runner's call then costs one execve.

      Examples:
        archway exec --target linux/arm64 -- ./hello-arm64 world
        archway exec --target linux/arm64 ./hello-arm64 --help      (the program's --help)
        go test -exec 'archway exec --target linux/s390x --' ./...
        cmake -DCMAKE_CROSSCOMPILING_EMULATOR='archway;exec;--target;linux/riscv64;--' ..
        archway exec --target linux/arm64 --env debian-12 --runner qemu -- ./hello
        archway exec --target linux/s390x --shim ./s390x-run && go test -exec ./s390x-run ./...
        archway exec --target linux/amd64 --cpu x86-64-v2 -- ./server --self-test
      """
  )

  @Option(help: "The platform to run on (linux/arm64, armhf, linux/s390x, …).")
  var target: String

  @Option(help: "The libc: gnu, gnu-X.Y, musl, musl-X.Y, static (default: the target's).")
  var libc: String?

  @Option(help: "An environment (Containers/NAME) whose root filesystem is the sysroot.")
  var env: String?

  @Option(help: "native or qemu (default: what `archway run` would choose).")
  var runner: String?

  @Option(
    help:
      "The CPU: a level (x86-64, x86-64-v2, x86-64-v3, armv5, armv6, armv7, armv8.0, armv8.2; `archway targets` lists them) or a qemu model (cortex-a53, power9, z14; `qemu-ARCH -cpu help`). A level below the host's runs under qemu."
  )
  var cpu: String?

  @Option(
    name: .customLong("os-version"),
    help: ArgumentHelp(
      "The target's OS release: for linux the kernel (3.10, 5.10), which uname reports to the program under qemu.",
      valueName: "V"))
  var osVersion: String?

  @Option(help: "End the program after this many seconds (exit 124).")
  var timeout: Double?

  @Option(
    help: ArgumentHelp(
      "A resource limit as `ulimit:` takes it, e.g. nofile=1024, stack=8192 (KiB) or core=unlimited.",
      valueName: "K=V"))
  var ulimit: [String] = []

  @Option(
    name: .customLong("containers"),
    help: ArgumentHelp("A folder of environment recipes, looked in before Archway's own.", valueName: "DIR"))
  var containers: [String] = []

  @Option(
    help: ArgumentHelp(
      "Write a program that runs a target binary (its arguments) as exec would, instead of running one.",
      valueName: "FILE"))
  var shim: String?

  /// Everything from the program on is the program's (`--help` too); a `--` before it is optional.
  @Argument(
    parsing: .captureForPassthrough,
    help: ArgumentHelp(
      "The program and its arguments: every word from the program on is its own (--help too).",
      valueName: "program"))
  var words: [String] = []

  /// The program and its arguments: ``words`` without the `--` that may stand before them.
  var command: [String] { words.first == "--" ? Array(words.dropFirst()) : words }

  func validate() throws {
    // Before the program, a word that looks like an option is one of Archway's (or a mistake).
    if let first = words.first, first != "--", first.hasPrefix("-") {
      if ["-h", "--help", "-help"].contains(first) { throw CleanExit.helpRequest(self) }
      throw ValidationError("unknown option '\(first)'; a program whose name starts with '-' goes after --")
    }
    if shim != nil, !command.isEmpty {
      throw ValidationError("--shim writes a script for any program: name none after --")
    }
    guard !command.isEmpty || shim != nil else {
      throw ValidationError("name the program after --: archway exec --target T -- PROGRAM")
    }
    if let timeout { try Validation.timeLimit(timeout) }
    _ = try limits()
  }

  /// `--ulimit K=V` values by key, checked as a matrix's `ulimit:`; a usage error names the first
  /// that is none.
  func limits() throws -> [String: Int] {
    do {
      return try ResourceLimit.parse(words: ulimit)
    } catch {
      throw ValidationError(error.description)
    }
  }

  func run() throws {
    var request = ProgramExec(target: target)
    request.libc = libc
    request.env = env
    request.runner = runner
    request.cpu = cpu
    request.osVersion = osVersion
    request.timeout = timeout
    request.recipeFolders = containers
    request.limits = try limits()
    if let shim {
      let form = try request.writeShim(
        to: shim, host: HostProbe.platform(), environment: ProcessInfo.processInfo.environment,
        directory: FileManager.default.currentDirectoryPath)
      print("wrote \(shim), \(form.rawValue): runs a \(target) binary as `archway exec` does (\(shim) PROGRAM ARGS…)")
      return
    }
    let command = try request.command(
      self.command, host: HostProbe.platform(), environment: ProcessInfo.processInfo.environment,
      directory: FileManager.default.currentDirectoryPath)
    let argv = command.arguments.map { strdup($0) } + [nil]
    let environment = command.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    // The program starts as a run step's does: every signal at its default, none blocked, whatever
    // the caller ignored (an ignored SIGTERM would survive exec and outlast a --timeout).
    for number in 1..<Int32(32) where number != SIGKILL && number != SIGSTOP { signal(number, SIG_DFL) }
    var none = sigset_t()
    sigemptyset(&none)
    sigprocmask(SIG_SETMASK, &none, nil)
    execve(command.executable, argv, environment)
    throw CommandFailure(message: "cannot run \(command.executable): \(String(cString: strerror(errno)))", code: 3)
  }
}
