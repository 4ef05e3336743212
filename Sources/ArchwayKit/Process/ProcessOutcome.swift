/// One of a process's two output streams.
public enum StepStream: String, Sendable, Hashable, Codable, CaseIterable {
  case stdout, stderr
}

/// What one supervised process did: its argv, how it ended, how long it took, and where its output
/// is, with a bounded head and tail of each stream.
public struct ProcessOutcome: Sendable, Hashable {
  /// The argv actually run, with a runner's wrapping (`qemu-aarch64-static -L …`).
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

  /// An outcome with nothing captured.
  public init(argv: [String], status: StepStatus, duration: Double = 0) {
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

  /// The last line the process wrote to standard error, else its status: why it failed, in one line.
  var lastWords: String { stderrHead.split(separator: "\n").last.map(String.init) ?? status.description }

  /// This outcome of a program Archway needed (starting a container, making a wine prefix) as the
  /// infrastructure problem it is: `message`, then ``lastWords``.
  func infrastructure(_ message: String) -> ProcessOutcome {
    var failed = self
    failed.status = .infrastructure("\(message): \(lastWords)")
    return failed
  }
}
