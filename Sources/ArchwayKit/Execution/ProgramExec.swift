import Foundation

/// `archway exec`: one program run on a target exactly as a cell's run step is — the same planner
/// (target names, libc, environment recipe), the same runner choice, sysroot, limits and clean
/// environment — for test runners that take an emulator (`go test -exec`, CMake's
/// `CMAKE_CROSSCOMPILING_EMULATOR`, Cargo's `runner`, Meson's `exe_wrapper`). The result is a
/// command for the caller to `exec`, so the program's streams, signals and exit status are its own.
package struct ProgramExec: Sendable {
  /// `linux/arm64`, `armhf`, …
  package var target: String
  /// `gnu`, `musl`, `gnu-2.31`…; the target's default when nil.
  package var libc: String?
  /// An environment (`debian-12`) whose root filesystem is the sysroot.
  package var env: String?
  /// `native` or `qemu`; the cheapest that runs the target when nil.
  package var runner: String?
  /// A qemu CPU model (`cortex-a53`, `z14`, `rv64,v=true`), which needs the qemu runner.
  package var cpu: String?
  /// The target's OS release (`os_version:`): for linux the kernel uname reports under qemu.
  package var osVersion: String?
  /// Seconds; no limit when nil (the test runner has its own).
  package var timeout: Double?
  /// `ulimit` values (`nofile`, `stack` in KiB…).
  package var limits: [String: Int] = [:]
  /// Folders of environment recipes, as `run --containers`.
  package var recipeFolders: [String] = []

  /// A request for `target`.
  package init(target: String) { self.target = target }

  /// What to `exec`: the resolved program, its whole argv and its whole environment.
  package struct Command: Sendable, Equatable {
    /// The program's path, resolved on the clean environment's `PATH`.
    package var executable: String
    /// Its whole argv: the runner's wrapping (qemu, `timeout`, `prlimit`), then the program's.
    package var arguments: [String]
    /// Its whole environment: a run step's clean one.
    package var environment: [String: String]
  }

  /// The command that runs `argv` on the target from `directory`, with `environment` Archway's own.
  /// Throws an ``ExecError``: a bad target or option (exit 2), or a host that cannot run it (3).
  package func command(
    _ argv: [String], host: Platform, environment: [String: String], directory: String
  ) throws(ExecError) -> Command {
    guard let program = argv.first, !program.isEmpty else { throw ExecError("name the program to run after --") }
    let (wrapped, passThrough) = try wrapping(argv, host: host, environment: environment, directory: directory)
    guard let executable = ProcessSupervisor.locate(wrapped[0], path: passThrough["PATH"]) else {
      throw ExecError("no program '\(wrapped[0])' on PATH", exitCode: wrapped[0] == program ? 127 : 3)
    }
    return Command(executable: executable, arguments: wrapped, environment: passThrough)
  }

  /// How `--shim` wrote its file.
  package enum ShimForm: String, Sendable {
    /// A static C program built with the host's `cc`: one `execve` per call, nothing else.
    case launcher = "a static launcher built with cc"
    /// A POSIX shell script (no C compiler here): one `sh` and one `env` per call.
    case script = "a shell script"
  }

  /// Writes to `path` a program that runs its arguments as ``command(_:host:environment:directory:)``
  /// runs a target binary, decided once here: for a test runner that starts thousands of test
  /// programs, a call then costs an `execve` (a static launcher, when `cc` is on the caller's PATH) or
  /// an `sh` and an `env` (a script), instead of Archway's start and planning. For the target's
  /// binaries only: a host program that starts them needs `archway exec` itself.
  package func writeShim(
    to path: String, host: Platform, environment: [String: String], directory: String
  ) throws(ExecError) -> ShimForm {
    let (prefix, clean) = try shimCommand(host: host, environment: environment, directory: directory)
    let variables = clean.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
    // Said in a comment: a line break in a path must not end it.
    let runs = prefix.isEmpty ? "the program itself" : prefix.map(\.shellWord).joined(separator: " ")
    let summary =
      "archway exec --shim for \(target)\(libc.map { " (\($0))" } ?? ""): runs a program of that target (its"
      + " arguments) as archway exec does, decided once, with: "
      + runs.split(whereSeparator: \.isNewline).joined(separator: "\\n")
    if let compiler = ProcessSupervisor.locate("cc", path: environment["PATH"]),
      Self.compileLauncher(Self.launcherSource(summary, prefix: prefix, variables: variables), with: compiler, to: path)
    {
      return .launcher
    }
    guard let env = ProcessSupervisor.locate("env", path: clean["PATH"]) else {
      throw ExecError("no program 'env' on PATH", exitCode: 3)
    }
    let line = ([env, "-i"] + variables + prefix).map(\.shellQuoted).joined(separator: " ")
    let script = "#!/bin/sh\n# \(summary)\nexec \(line) \"$@\"\n"
    do {
      try AtomicFile.write(Data(script.utf8), to: path, mode: 0o755)
    } catch {
      throw ExecError("cannot write \(path): \(error)", exitCode: 1)
    }
    return .script
  }

  /// What a shim puts before its arguments (the first word a path), and the environment it runs
  /// them in: `command`'s for a target binary.
  private func shimCommand(
    host: Platform, environment: [String: String], directory: String
  ) throws(ExecError) -> ([String], [String: String]) {
    // A program that is not there is taken for a target binary: qemu runs it by name.
    let marker = "/nonexistent/archway-shim-program"
    let (command, clean) = try wrapping([marker], host: host, environment: environment, directory: directory)
    guard command.last == marker else { throw ExecError("this target's command has no place for the program") }
    var prefix = Array(command.dropLast())
    // The first word is found now; the rest (qemu after `timeout`, `prlimit`) on the clean PATH.
    if let first = prefix.first {
      guard let found = ProcessSupervisor.locate(first, path: clean["PATH"]) else {
        throw ExecError("no program '\(first)' on PATH", exitCode: 3)
      }
      prefix[0] = found
    }
    return (prefix, clean)
  }

  /// A C program that executes `prefix` and then its own arguments in exactly `variables`.
  static func launcherSource(_ summary: String, prefix: [String], variables: [String]) -> String {
    func literal(_ text: String) -> String {
      var out = "\""
      for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "\\"), UInt8(ascii: "\""): out += "\\" + String(UnicodeScalar(byte))
        case 0x20..<0x7F where byte != UInt8(ascii: "?"): out.append(Character(UnicodeScalar(byte)))
        default: out += String(format: "\\%03o", byte)
        }
      }
      return out + "\""
    }
    let list = { (words: [String]) in (words.map(literal) + ["NULL"]).joined(separator: ", ") }
    return """
      /* \(summary.replacingOccurrences(of: "*/", with: "* /")) */
      #define _GNU_SOURCE
      #include <stdio.h>
      #include <string.h>
      #include <unistd.h>
      static char *prefix[] = {\(list(prefix))};
      static char *environment[] = {\(list(variables))};
      int main(int argc, char **argv) {
        enum { count = sizeof prefix / sizeof *prefix - 1 };
        char *args[count + argc];
        memcpy(args, prefix, count * sizeof *args);
        memcpy(args + count, argv + 1, argc * sizeof *args);
        if (!args[0]) {
          fputs("usage: shim PROGRAM [ARGS...]\\n", stderr);
          return 2;
        }
        execvpe(args[0], args, environment);
        perror(args[0]);
        return 127;
      }

      """
  }

  /// Builds `source` into an executable at `path` (static when the C library allows, so a call costs
  /// one `execve`), replacing what is there only when the build succeeds.
  static func compileLauncher(_ source: String, with compiler: String, to path: String) -> Bool {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("archway-shim-\(getpid())").path
    defer { try? FileManager.default.removeItem(atPath: folder) }
    guard (try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)) != nil,
      (try? source.write(toFile: folder + "/shim.c", atomically: false, encoding: .utf8)) != nil
    else { return false }
    for flags in [["-static"], []] {
      let process = Process()
      process.executableURL = URL(fileURLWithPath: compiler)
      process.arguments = ["-O2"] + flags + ["-o", folder + "/shim", folder + "/shim.c"]
      process.standardOutput = FileHandle.nullDevice
      process.standardError = FileHandle.nullDevice
      guard (try? process.run()) != nil else { return false }
      process.waitUntilExit()
      guard process.terminationStatus == 0, let built = FileManager.default.contents(atPath: folder + "/shim") else {
        continue
      }
      return (try? AtomicFile.write(built, to: path, mode: 0o755)) != nil
    }
    return false
  }

  /// The whole argv that runs `argv` on the target (runner, limits, timeout wrapped around it), and
  /// the clean environment it runs in.
  private func wrapping(
    _ argv: [String], host: Platform, environment: [String: String], directory: String
  ) throws(ExecError) -> ([String], [String: String]) {
    let cell = try plannedCell(argv, host: host, directory: directory)
    let executor = CellExecutor(host: host, defaultTimeout: .seconds(600), environment: environment)
    let runner = executor.runner(for: cell, choice: executor.choice(for: cell))
    var wrapped = try runner.programCommand(argv, directory: directory)
    if let problem = ResourceLimit.hostProblem(limits) { throw ExecError(problem, exitCode: 3) }
    wrapped = ResourceLimit.wrap(wrapped, options: ResourceLimit.prlimitOptions(limits))
    if let timeout {
      // coreutils' timeout: SIGTERM at the limit, SIGKILL 2 s later, exit 124 as it documents.
      wrapped = ["timeout", "-k", "2", String(timeout)] + wrapped
    }
    return (wrapped, executor.passThrough)
  }

  /// The one cell a matrix of this target and a run step of `argv` plans to, through the planner,
  /// so that names, suggestions and runner settings are exactly a matrix's.
  private func plannedCell(_ argv: [String], host: Platform, directory: String) throws(ExecError) -> Cell {
    let here = SourceLocation(file: "archway exec", line: 1, column: 1)
    func text(_ word: String) -> MatrixValue { MatrixValue(.string(word), at: here) }
    func axis(_ key: String, _ value: String?) -> [MatrixEntry] {
      value.map { [MatrixEntry(key: key, value: MatrixValue(.list([text($0)]), at: here))] } ?? []
    }
    let axes =
      axis("platform", target) + axis("libc", libc) + axis("env", env) + axis("cpu", cpu)
      + axis("os_version", osVersion)
    // `${` is literal in a program's arguments: the planner would read it as a placeholder.
    var step = [
      MatrixEntry(key: "name", value: text("exec")),
      MatrixEntry(
        key: "argv",
        value: MatrixValue(.list(argv.map { text($0.replacingOccurrences(of: "${", with: "$${")) }), at: here)),
    ]
    if !limits.isEmpty {
      let entries = limits.sorted { $0.key < $1.key }.map {
        MatrixEntry(
          key: $0.key,
          value: MatrixValue($0.value == ResourceLimit.unlimited ? .string("unlimited") : .int($0.value), at: here))
      }
      step.append(MatrixEntry(key: "ulimit", value: MatrixValue(.map(entries), at: here)))
    }
    let file = MatrixFile(
      path: "archway exec", axes: axes, include: [], exclude: [],
      defaults: runner.map { [MatrixEntry(key: "runner", value: text($0))] } ?? [], build: nil,
      run: MatrixValue(.list([MatrixValue(.map(step), at: here)]), at: here), verify: nil, matrixLocation: here)
    var planner = Planner(host: host, outputRoot: directory, directory: directory)
    planner.recipeFolders = recipeFolders
    do {
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
package struct ExecError: ArchwayError {
  /// What is wrong, naming the value.
  package let description: String
  /// 2 for a bad option or target, 3 for a host that cannot run it, 127 for a missing program.
  package let exitCode: Int32

  init(_ description: String, exitCode: Int32 = 2) {
    self.description = description
    self.exitCode = exitCode
  }
}
