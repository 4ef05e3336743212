import Foundation

/// One container per cell: started once with the cell's folder mounted at the same path, removed at
/// the end even when the run is interrupted. Its main process is a small shell that runs the cell's
/// steps on request, so a step costs a fork inside the container rather than an engine `exec` (about
/// 0.2 s with podman and runc here, against 0.3 s for a whole `podman run`: Benchmarks/run.sh), and
/// every step still starts from the container's init: its namespaces, cgroup, capabilities and
/// seccomp profile.
///
/// The requests go through the session folder (`CELL/.archway-session`, the same path inside): a
/// step's folder holds `run.sh` (its environment, directory, limits and argv), standard input, and
/// FIFOs for its output and exit status, which a client shell on the host — the process Archway
/// supervises — streams and waits for. Ending the client asks the server to end the step's process
/// group (TERM, then KILL after 2 s), and whatever is left in that group when the step ends is killed.
struct ContainerSession: Sendable {
  let engine: String
  let id: String
  /// The session folder, the same path on the host and in the container.
  let folder: String

  /// A started session, or the outcome of the start that failed.
  enum Start {
    case started(ContainerSession)
    case failed(StepOutcome)
  }

  /// The container's main process: reads step ids (or `kill:ID`) from the `requests` FIFO and runs
  /// each step in a session of its own, in the background, reporting its exit status. A kill marks
  /// the step before reading its pid and a step checks the mark after writing it, so a kill that
  /// arrives while the step is starting still ends it. What the shell itself says of a step
  /// ("Segmentation fault") goes nowhere: the status must not depend on the container's log pipe.
  static let server = """
    dir=$1
    end() { kill -TERM -"$1" 2>/dev/null || kill -TERM "$1" 2>/dev/null; (sleep 2; kill -KILL -"$1" 2>/dev/null) & }
    exec 3<>"$dir/requests" && : >"$dir/ready" || exit 1
    while read -r id <&3; do
      case $id in
        kill:*)
          step=$dir/${id#kill:}; : >"$step/kill"; read -r pid <"$step/pid" 2>/dev/null && end "$pid" ;;
        *)
          step=$dir/$id
          ( (. "$step/run.sh") <"$step/stdin" >"$step/stdout" 2>"$step/stderr" & pid=$!; echo "$pid" >"$step/pid"
            [ -e "$step/kill" ] && end "$pid"
            wait "$pid"; code=$?; kill -KILL -"$pid" 2>/dev/null; echo "$code" >"$step/status" ) >/dev/null 2>&1 & ;;
      esac
    done
    """

  /// The host side of one step: hands the step to the server, streams its output and ends as the
  /// step did — its exit code, or the signal that killed it (which the server's shell can only say
  /// as 128 + N, so an exit code of 129–159 reads as that signal too, as in any shell); on TERM or INT
  /// it asks the server to end the step. It waits for the status by opening its FIFO (which blocks
  /// until the server writes it), never by polling.
  static let client = """
    dir=$1 id=$2 step=$1/$2
    trap 'echo "kill:$id" >"$dir/requests"; exit 143' TERM INT
    if [ "$3" = stdin ]; then cat >"$step/stdin"; else : >"$step/stdin"; fi
    echo "$id" >"$dir/requests"
    cat "$step/stdout" & out=$!
    cat "$step/stderr" >&2 & err=$!
    if ! read -r code <"$step/status"; then
      echo "archway: the container session ended before the step reported how it ended" >&2; code=125
    fi
    (sleep 1; kill "$out" "$err" 2>/dev/null) & wait "$out" "$err"
    # shellcheck disable=SC3045 # dash, bash and busybox sh all have ulimit -c (no core of our own)
    if [ "${code:-0}" -gt 128 ] && [ "$code" -lt 160 ]; then
      trap - TERM INT; ulimit -c 0; kill -s "$(kill -l "$code")" $$
    fi
    exit "${code:-125}"
    """

  /// Starts the cell's container, or returns why it could not (a missing image, an engine error).
  static func start(_ setup: ContainerSetup, context: RunnerContext) async -> Start {
    let runner = setup
    let environment = context.environment
    let engine = runner.engine
    let cellFolder = context.folder
    let folder = cellFolder + "/.archway-session"
    try? FileManager.default.removeItem(atPath: folder)
    try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    guard mkfifo(folder + "/requests", 0o600) == 0 else {
      return .failed(.notRun(.setup("container-start"), .infrastructure("cannot make the FIFO \(folder)/requests")))
    }
    var argv = [engine, "run", "-d", "--rm", "--platform", runner.platform] + runner.engineArguments
    if !runner.network { argv += ["--network", "none"] }
    if let seccomp = runner.seccomp { argv += ["--security-opt", "seccomp=\(seccomp)"] }
    // Labels say whose a container is (`podman ps --filter label=archway.cell=ID`).
    let out = URL(fileURLWithPath: cellFolder).deletingLastPathComponent().path
    argv += ["--label", "archway.cell=\(context.cellID)", "--label", "archway.out=\(out)"]
    // The project, read-only at its own path (a path with ':' cannot be said to -v), then the cell's folder.
    if let project = RootfsRunner.shown(runner.project), !project.contains(":") {
      argv += ["-v", "\(project):\(project):ro"]
    }
    argv += ["-v", "\(cellFolder):\(cellFolder)", "-w", cellFolder, runner.image, "sh", "-c", server, "server"]
    argv.append(folder)
    var launch = ProcessLaunch(
      argv: argv, environment: environment, timeout: .seconds(120), logs: context.logs + "/container-start")
    // conmon stays behind to hold the container's output: ended with the step, it left the
    // container writing to a pipe nobody read, and its shell died of SIGPIPE with a step's status.
    launch.leavesDaemon = true
    let outcome = await ProcessSupervisor.run(launch)
    let id = outcome.stdoutHead.trimmingCharacters(in: .whitespacesAndNewlines)
    guard outcome.status.succeeded, !id.isEmpty else {
      return .failed(
        StepOutcome(id: .setup("container-start"), process: outcome.infrastructure("cannot start \(runner.image)")))
    }
    let session = ContainerSession(engine: engine, id: id, folder: folder)
    // The server answers once it holds the requests FIFO (a foreign arch's shell starts under qemu).
    let deadline = ContinuousClock.now + .seconds(30)
    while !FileManager.default.fileExists(atPath: folder + "/ready") {
      guard ContinuousClock.now < deadline, (try? await Task.sleep(for: .milliseconds(10))) != nil else {
        await session.stop(environment: environment, logs: context.logs)
        var failed = StepOutcome(id: .setup("container-start"), process: outcome)
        failed.status = .infrastructure("the container of \(runner.image) did not start its step server")
        return .failed(failed)
      }
    }
    return .started(session)
  }

  /// The argv of the client that runs `argv` in the container with `environment` added, in `workdir`,
  /// with `limits` (prlimit options) applied inside, where they reach the program. Writes the step's
  /// `run.sh` into the session folder: the server's forked shell reads it, then becomes the step
  /// (`exec setsid`), so a step costs no more programs than it needs (under qemu each costs ≈20 ms).
  func exec(
    _ argv: [String], environment: [String: String], workdir: String?, limits: [String], stdin: Bool
  )
    -> [String]
  {
    let step = UUID().uuidString
    var script = environment.sorted { $0.key < $1.key }.map { "export \($0.key)=\(Self.quoted($0.value))\n" }.joined()
    if let workdir { script += "cd \(Self.quoted(workdir)) || exit 126\n" }
    script += "exec setsid " + ResourceLimit.wrap(argv, options: limits).map(Self.quoted).joined(separator: " ") + "\n"
    let folder = "\(self.folder)/\(step)"
    try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    _ = FileManager.default.createFile(atPath: folder + "/run.sh", contents: Data(script.utf8))
    for fifo in ["stdout", "stderr", "status"] { mkfifo("\(folder)/\(fifo)", 0o600) }
    return ["sh", "-c", Self.client, "client", self.folder, step, stdin ? "stdin" : "no-stdin"]
  }

  /// `text` as one word for `sh`.
  static func quoted(_ text: String) -> String {
    "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
  }

  /// Removes the container and the session folder, also when the calling task is cancelled (the
  /// removal itself must run).
  func stop(environment: [String: String], logs: String) async {
    let argv = [engine, "rm", "-f", "-t", "0", id]
    let folder = folder
    await Task {
      _ = await ProcessSupervisor.run(
        ProcessLaunch(
          argv: argv, environment: environment, timeout: .seconds(60),
          logs: logs + "/container-stop"))
      try? FileManager.default.removeItem(atPath: folder)
    }.value
  }
}
