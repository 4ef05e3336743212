/// What one step of a cell did: which step it was, and what its process did (read through this
/// value: `outcome.status`, `outcome.stdoutHead`).
@dynamicMemberLookup
package struct StepOutcome: Sendable, Hashable, Codable {
  /// Which step.
  package var id: StepID
  /// What its process did (the last attempt's, for a step that ran again).
  package var process: ProcessOutcome
  /// How the attempts before this one ended, for a step with `retries:` that ran more than once;
  /// nil when it ran once. The logs are the last attempt's.
  package var failedAttempts: [StepStatus]?

  /// The step's name.
  package var name: String { id.name }

  /// The outcome of step `id`, whose process did `process`.
  package init(id: StepID, process: ProcessOutcome) {
    self.id = id
    self.process = process
  }

  /// An outcome for a step that did not run.
  package static func notRun(_ id: StepID, argv: [String] = [], _ status: StepStatus) -> StepOutcome {
    StepOutcome(id: id, process: ProcessOutcome(argv: argv, status: status))
  }

  /// This outcome of a step Archway needed (starting a container, making a wine prefix) as the
  /// infrastructure problem it is: `message`, then what the program said last.
  func failedSetup(_ message: String) -> StepOutcome {
    StepOutcome(id: id, process: process.infrastructure(message))
  }

  /// What the process did: `outcome.status`, `outcome.stdoutHead`.
  package subscript<Value>(dynamicMember path: WritableKeyPath<ProcessOutcome, Value>) -> Value {
    get { process[keyPath: path] }
    set { process[keyPath: path] = newValue }
  }

  enum CodingKeys: String, CodingKey {
    case name, role, argv, status, duration, stdoutLog = "stdout_log", stderrLog = "stderr_log"
    case stdoutHead = "stdout_head", stdoutTail = "stdout_tail", stderrHead = "stderr_head"
    case stderrTail = "stderr_tail", stdoutBytes = "stdout_bytes", stderrBytes = "stderr_bytes"
    case failedAttempts = "failed_attempts"
  }

  /// Decodes what ``encode(to:)`` writes.
  package init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    id = StepID(role: try c.decode(StepID.Role.self, forKey: .role), name: try c.decode(String.self, forKey: .name))
    process = ProcessOutcome(
      argv: try c.decode([String].self, forKey: .argv), status: try c.decode(StepStatus.self, forKey: .status),
      duration: try c.decode(Double.self, forKey: .duration))
    process.stdoutLog = try c.decodeIfPresent(String.self, forKey: .stdoutLog)
    process.stderrLog = try c.decodeIfPresent(String.self, forKey: .stderrLog)
    process.stdoutHead = try c.decode(String.self, forKey: .stdoutHead)
    process.stdoutTail = try c.decode(String.self, forKey: .stdoutTail)
    process.stderrHead = try c.decode(String.self, forKey: .stderrHead)
    process.stderrTail = try c.decode(String.self, forKey: .stderrTail)
    process.stdoutBytes = try c.decode(Int.self, forKey: .stdoutBytes)
    process.stderrBytes = try c.decode(Int.self, forKey: .stderrBytes)
    failedAttempts = try c.decodeIfPresent([StepStatus].self, forKey: .failedAttempts)
  }

  /// The step's id as `name` and `role`, then its process's fields, flat.
  package func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(id.name, forKey: .name)
    try c.encode(id.role, forKey: .role)
    try c.encode(process.argv, forKey: .argv)
    try c.encode(process.status, forKey: .status)
    try c.encode(process.duration, forKey: .duration)
    try c.encodeIfPresent(process.stdoutLog, forKey: .stdoutLog)
    try c.encodeIfPresent(process.stderrLog, forKey: .stderrLog)
    try c.encode(process.stdoutHead, forKey: .stdoutHead)
    try c.encode(process.stdoutTail, forKey: .stdoutTail)
    try c.encode(process.stderrHead, forKey: .stderrHead)
    try c.encode(process.stderrTail, forKey: .stderrTail)
    try c.encode(process.stdoutBytes, forKey: .stdoutBytes)
    try c.encode(process.stderrBytes, forKey: .stderrBytes)
    try c.encodeIfPresent(failedAttempts, forKey: .failedAttempts)
  }
}
