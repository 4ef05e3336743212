import Foundation

/// `archway exec`: one program run on a target exactly as a cell's run step is — the same planner
/// (target names, libc, environment recipe), the same runner choice, sysroot, limits and clean
/// environment — for test runners that take an emulator (`go test -exec`, CMake's
/// `CMAKE_CROSSCOMPILING_EMULATOR`, Cargo's `runner`, Meson's `exe_wrapper`). The result is a
/// command for the caller to `exec`, so the program's streams, signals and exit status are its own.
public struct ProgramExec: Sendable {
  /// `linux/arm64`, `armhf`, …
  public var target: String
  /// `gnu`, `musl`, `gnu-2.31`…; the target's default when nil.
  public var libc: String?
  /// An environment (`debian-12`) whose root filesystem is the sysroot.
  public var env: String?
  /// `native` or `qemu`; the cheapest that runs the target when nil.
  public var runner: String?
  /// A qemu CPU model (`cortex-a53`, `z14`, `rv64,v=true`), which needs the qemu runner.
  public var cpu: String?
  /// Seconds; no limit when nil (the test runner has its own).
  public var timeout: Double?
  /// `ulimit` values (`nofile`, `stack` in KiB…).
  public var limits: [String: Int] = [:]
  /// Folders of environment recipes, as `run --containers`.
  public var recipeFolders: [String] = []

  /// A request for `target`.
  public init(target: String) { self.target = target }

  /// What to `exec`: the resolved program, its whole argv and its whole environment.
  public struct Command: Sendable, Equatable {
    /// The program's path, resolved on the clean environment's `PATH`.
    public var executable: String
    /// Its whole argv: the runner's wrapping (qemu, `timeout`, `prlimit`), then the program's.
    public var arguments: [String]
    /// Its whole environment: a run step's clean one.
    public var environment: [String: String]
  }

  /// The command that runs `argv` on the target from `directory`, with `environment` Archway's own.
  /// Throws an ``ExecError``: a bad target or option (exit 2), or a host that cannot run it (3).
  public func command(
    _ argv: [String], host: Platform, environment: [String: String], directory: String
  ) throws(ExecError) -> Command {
    guard let program = argv.first, !program.isEmpty else { throw ExecError("name the program to run after --") }
    let cell = try plannedCell(argv, host: host, directory: directory)
    let executor = CellExecutor(host: host, defaultTimeout: .seconds(600), environment: environment)
    let runner = executor.runner(for: cell)
    var wrapped: [String]
    switch runner.kind {
    case .native:
      if let cpu {
        throw ExecError(
          "--cpu \(cpu) picks a qemu CPU model, but \(cell.target.platform) runs natively here (\(runner.reason))")
      }
      wrapped = argv
    case .qemu:
      switch runner.emulated(
        argv, target: cell.target, folder: directory, workdir: directory, path: executor.passThrough["PATH"],
        binfmt: executor.hostFacts.binfmtEnabled, host: host)
      {
      case .direct(let command):
        // qemu's own option for the program it runs; a static 386 program the kernel runs has none.
        wrapped =
          cpu.map { command.count > argv.count ? [command[0], "-cpu", $0] + command.dropFirst() : command } ?? command
      case .onTheHost(let command):
        // The programs binfmt_misc hands to qemu read the model from the environment.
        wrapped = cpu.map { ["env", "QEMU_CPU=\($0)"] + command } ?? command
      case .impossible(let reason): throw ExecError(reason, exitCode: 3)
      }
    case .none:
      throw ExecError(
        "nothing here runs \(cell.target.platform): \(runner.reason)", exitCode: runner.hostLacksIt ? 3 : 2)
    default:
      throw ExecError(
        "archway exec runs programs natively or under qemu, not with the \(runner.kind.rawValue) runner"
          + " (\(runner.reason)); give --runner qemu, or use archway run")
    }
    if let problem = ResourceLimit.hostProblem(limits) { throw ExecError(problem, exitCode: 3) }
    wrapped = ResourceLimit.wrap(wrapped, options: ResourceLimit.prlimitOptions(limits))
    if let timeout {
      // coreutils' timeout: SIGTERM at the limit, SIGKILL 2 s later, exit 124 as it documents.
      wrapped = ["timeout", "-k", "2", String(timeout)] + wrapped
    }
    guard let executable = ProcessSupervisor.locate(wrapped[0], path: executor.passThrough["PATH"]) else {
      throw ExecError("no program '\(wrapped[0])' on PATH", exitCode: wrapped[0] == program ? 127 : 3)
    }
    return Command(executable: executable, arguments: wrapped, environment: executor.passThrough)
  }

  /// The one cell a matrix of this target and a run step of `argv` plans to, through the planner,
  /// so that names, suggestions and runner settings are exactly a matrix's.
  private func plannedCell(_ argv: [String], host: Platform, directory: String) throws(ExecError) -> Cell {
    var axes: [String: Any] = ["platform": [target]]
    if let libc { axes["libc"] = [libc] }
    if let env { axes["env"] = [env] }
    // `${` is literal in a program's arguments: the planner would read it as a placeholder.
    var step: [String: Any] = ["name": "exec", "argv": argv.map { $0.replacingOccurrences(of: "${", with: "$${") }]
    if !limits.isEmpty { step["ulimit"] = limits }
    var matrix: [String: Any] = ["matrix": axes, "run": [step]]
    if let runner { matrix["defaults"] = ["runner": runner] }
    do {
      let json = try JSONSerialization.data(withJSONObject: matrix)
      let file = try MatrixFile.parse(yaml: String(decoding: json, as: UTF8.self), file: "archway exec")
      var planner = Planner(host: host, outputRoot: directory, directory: directory)
      planner.recipeFolders = recipeFolders
      guard let cell = try planner.plan(file).first else { throw ExecError("the target plans to no cell") }
      return cell
    } catch let error as MatrixError {
      throw ExecError(error.message)
    } catch let error as ExecError {
      throw error
    } catch {
      throw ExecError("\(error)")
    }
  }
}

/// Why `archway exec` cannot run a program: a bad option (2) or a host that lacks what it needs (3).
public struct ExecError: ArchwayError {
  /// What is wrong, naming the value.
  public let description: String
  /// 2 for a bad option or target, 3 for a host that cannot run it, 127 for a missing program.
  public let exitCode: Int32

  init(_ description: String, exitCode: Int32 = 2) {
    self.description = description
    self.exitCode = exitCode
  }
}
