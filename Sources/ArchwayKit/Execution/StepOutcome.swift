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
  /// Why a step that failed without a word failed, as its runner found out by running it again
  /// (wine's loader naming a missing DLL); nil when it was not asked or said nothing.
  package var diagnosis: String?

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

  /// The step's own keys; its process's are ``ProcessOutcome``'s, in the same object.
  enum CodingKeys: String, CodingKey { case name, role, failedAttempts = "failed_attempts", diagnosis }

  /// Decodes what ``encode(to:)`` writes.
  package init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    id = StepID(role: try c.decode(StepID.Role.self, forKey: .role), name: try c.decode(String.self, forKey: .name))
    process = try ProcessOutcome(from: decoder)
    failedAttempts = try c.decodeIfPresent([StepStatus].self, forKey: .failedAttempts)
    diagnosis = try c.decodeIfPresent(String.self, forKey: .diagnosis)
  }

  /// One flat object: the step's id as `name` and `role`, its process's keys, `failed_attempts` and
  /// `diagnosis` when there are any.
  package func encode(to encoder: any Encoder) throws {
    try process.encode(to: encoder)
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(id.name, forKey: .name)
    try c.encode(id.role, forKey: .role)
    try c.encodeIfPresent(failedAttempts, forKey: .failedAttempts)
    try c.encodeIfPresent(diagnosis, forKey: .diagnosis)
  }
}
