/// One of a process's two output streams.
package enum StepStream: String, Sendable, Hashable, Codable, CaseIterable {
  case stdout, stderr
}

/// What one supervised process did: its argv, how it ended, how long it took, and where its output
/// is, with a bounded head and tail of each stream.
package struct ProcessOutcome: Sendable, Hashable, Codable {
  /// The argv actually run, with a runner's wrapping (`qemu-aarch64-static -L …`).
  package var argv: [String]
  /// How it ended.
  package var status: StepStatus
  /// Wall-clock seconds.
  package var duration: Double
  /// The log files standard output and standard error were streamed to.
  package var stdoutLog: String?
  /// See ``stdoutLog``.
  package var stderrLog: String?
  /// The first and last bytes of each stream (at most ``ProcessSupervisor/captureLimit`` each), as text.
  package var stdoutHead = ""
  /// See ``stdoutHead``.
  package var stdoutTail = ""
  /// See ``stdoutHead``.
  package var stderrHead = ""
  /// See ``stdoutHead``.
  package var stderrTail = ""
  /// How many bytes each stream wrote in all.
  package var stdoutBytes = 0
  /// See ``stdoutBytes``.
  package var stderrBytes = 0

  enum CodingKeys: String, CodingKey {
    case argv, status, duration, stdoutLog = "stdout_log", stderrLog = "stderr_log"
    case stdoutHead = "stdout_head", stdoutTail = "stdout_tail", stderrHead = "stderr_head"
    case stderrTail = "stderr_tail", stdoutBytes = "stdout_bytes", stderrBytes = "stderr_bytes"
  }

  /// An outcome with nothing captured.
  package init(argv: [String], status: StepStatus, duration: Double = 0) {
    self.argv = argv
    self.status = status
    self.duration = duration
  }

  /// What is known of `stream`: its captured head, how many bytes it wrote in all, and its log.
  package func captured(_ stream: StepStream) -> (head: String, bytes: Int, log: String?) {
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
