/// How a step ended: a value, never a thrown error.
package enum StepStatus: Sendable, Hashable, Codable, CustomStringConvertible {
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
  package var succeeded: Bool { self == .exited(0) }

  /// Whether another attempt could end otherwise: the program ran and ended wrongly (an exit code,
  /// a signal, its time limit), not a host that cannot run it or a run being interrupted.
  package var retryable: Bool {
    switch self {
    case .exited, .signaled, .timedOut: true
    default: false
    }
  }

  /// `exit 0`, `SIGSEGV`, `timed out after 5s`, …
  package var description: String {
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
  package init(from decoder: any Decoder) throws {
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
  package func encode(to encoder: any Encoder) throws {
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
