/// How a step ended: a value, never a thrown error.
public enum StepStatus: Sendable, Hashable, Codable, CustomStringConvertible {
  /// The program exited with this code.
  case exited(Int32)
  /// The program was killed by this signal (`SIGSEGV`, `SIGILL`, …).
  case signaled(String)
  /// The step ran past its time limit; its process tree was ended.
  case timedOut(seconds: Double)
  /// Archway was interrupted while the step ran; its process tree was ended.
  case interrupted
  /// The step could not start (a missing program, emulator or sysroot): an infrastructure problem.
  case infrastructure(String)
  /// The step did not run, and why (no runner for the target, the build failed, …).
  case skipped(String)

  /// Whether the step ran and exited 0.
  public var succeeded: Bool { self == .exited(0) }

  /// Whether another attempt could end otherwise: the program ran and ended wrongly (an exit code,
  /// a signal, its time limit), not a host that cannot run it or a run being interrupted.
  public var retryable: Bool {
    switch self {
    case .exited, .signaled, .timedOut: true
    default: false
    }
  }

  /// `exit 0`, `SIGSEGV`, `timed out after 5s`, …
  public var description: String {
    switch self {
    case .exited(let code): "exit \(code)"
    case .signaled(let name): "killed by \(name)"
    case .timedOut(let seconds): "timed out after \(seconds.formatted())s"
    case .interrupted: "interrupted"
    case .infrastructure(let reason): "could not run: \(reason)"
    case .skipped(let reason): "skipped: \(reason)"
    }
  }

  enum CodingKeys: String, CodingKey { case kind, exitCode = "exit_code", signal, seconds, reason }

  /// Decodes what ``encode(to:)`` writes.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    switch try c.decode(String.self, forKey: .kind) {
    case "exited": self = .exited(try c.decode(Int32.self, forKey: .exitCode))
    case "signaled": self = .signaled(try c.decode(String.self, forKey: .signal))
    case "timed-out": self = .timedOut(seconds: try c.decode(Double.self, forKey: .seconds))
    case "interrupted": self = .interrupted
    case "infrastructure": self = .infrastructure(try c.decode(String.self, forKey: .reason))
    default: self = .skipped(try c.decode(String.self, forKey: .reason))
    }
  }

  /// `{"kind": "exited", "exit_code": 0}`, `{"kind": "signaled", "signal": "SIGSEGV"}`, …
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    switch self {
    case .exited(let code):
      try c.encode("exited", forKey: .kind)
      try c.encode(code, forKey: .exitCode)
    case .signaled(let name):
      try c.encode("signaled", forKey: .kind)
      try c.encode(name, forKey: .signal)
    case .timedOut(let seconds):
      try c.encode("timed-out", forKey: .kind)
      try c.encode(seconds, forKey: .seconds)
    case .interrupted: try c.encode("interrupted", forKey: .kind)
    case .infrastructure(let reason):
      try c.encode("infrastructure", forKey: .kind)
      try c.encode(reason, forKey: .reason)
    case .skipped(let reason):
      try c.encode("skipped", forKey: .kind)
      try c.encode(reason, forKey: .reason)
    }
  }
}

/// One of a step's two output streams.
public enum StepStream: String, Sendable, Hashable, Codable, CaseIterable {
  case stdout, stderr
}

/// What one step did: its argv, how it ended, how long it took, and where its output is.
public struct StepOutcome: Sendable, Hashable, Codable {
  /// Which of a cell's steps an outcome is: with ``name``, its identity in the cell.
  public enum Role: String, Sendable, Hashable, Codable {
    /// The build step.
    case build
    /// A run step (its name is unique among the cell's run steps).
    case run
    /// A further build for the reproducibility check (`rebuild-N`).
    case rebuild
    /// Something Archway ran for the runner (starting a container, making a wine prefix).
    case setup
  }

  /// The step's name (`build`, a run step's name, `rebuild-N`, `container-start`…).
  public var name: String
  /// Which kind of step this is.
  public var role: Role = .setup
  /// The argv actually run, with the runner's wrapping (`qemu-aarch64-static -L …`).
  public var argv: [String]
  /// How it ended.
  public var status: StepStatus
  /// Wall-clock seconds.
  public var duration: Double
  /// The log files standard output and standard error were streamed to.
  public var stdoutLog: String?
  /// See ``stdoutLog``.
  public var stderrLog: String?
  /// The first and last bytes of each stream (at most ``ProcessSupervisor/captureLimit`` each), as text.
  public var stdoutHead = ""
  /// See ``stdoutHead``.
  public var stdoutTail = ""
  /// See ``stdoutHead``.
  public var stderrHead = ""
  /// See ``stdoutHead``.
  public var stderrTail = ""
  /// How many bytes each stream wrote in all.
  public var stdoutBytes = 0
  /// See ``stdoutBytes``.
  public var stderrBytes = 0
  /// How the attempts before this one ended, for a step with `retries:` that ran more than once;
  /// nil when it ran once. The logs are the last attempt's.
  public var failedAttempts: [StepStatus]?

  enum CodingKeys: String, CodingKey {
    case name, role, argv, status, duration, stdoutLog = "stdout_log", stderrLog = "stderr_log"
    case stdoutHead = "stdout_head", stdoutTail = "stdout_tail", stderrHead = "stderr_head"
    case stderrTail = "stderr_tail", stdoutBytes = "stdout_bytes", stderrBytes = "stderr_bytes"
    case failedAttempts = "failed_attempts"
  }

  /// An outcome for a step that did not run.
  public static func notRun(
    _ name: String, role: Role = .run, argv: [String] = [], _ status: StepStatus
  ) -> StepOutcome {
    var outcome = StepOutcome(name: name, argv: argv, status: status, duration: 0)
    outcome.role = role
    return outcome
  }

  /// Creates an outcome.
  public init(name: String, argv: [String], status: StepStatus, duration: Double) {
    self.name = name
    self.argv = argv
    self.status = status
    self.duration = duration
  }

  /// What is known of `stream`: its captured head, how many bytes it wrote in all, and its log.
  public func captured(_ stream: StepStream) -> (head: String, bytes: Int, log: String?) {
    switch stream {
    case .stdout: (stdoutHead, stdoutBytes, stdoutLog)
    case .stderr: (stderrHead, stderrBytes, stderrLog)
    }
  }

  /// The last line the step wrote to standard error, else its status: why it failed, in one line.
  var lastWords: String { stderrHead.split(separator: "\n").last.map(String.init) ?? status.description }

  /// This outcome of a step Archway needed (starting a container, making a wine prefix) as the
  /// infrastructure problem it is: `message`, then ``lastWords``.
  func infrastructure(_ message: String) -> StepOutcome {
    var failed = self
    failed.status = .infrastructure("\(message): \(lastWords)")
    return failed
  }
}
