import ArchwayKit
import Foundation

/// Where and how the executable writes: colour only on a terminal without NO_COLOR, JSON in one form.
enum Output {
  static let colour: Bool = {
    let env = ProcessInfo.processInfo.environment
    return isatty(STDOUT_FILENO) == 1 && env["NO_COLOR"] == nil && env["TERM"] != "dumb"
  }()

  /// Whether Archway runs in GitHub Actions, whose runner reads some log lines as commands.
  static let github = ProcessInfo.processInfo.environment["GITHUB_ACTIONS"] == "true"

  static func paint(_ text: String, _ code: String) -> String { colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
  static func bold(_ text: String) -> String { paint(text, "1") }
  static func red(_ text: String) -> String { paint(text, "31") }
  static func green(_ text: String) -> String { paint(text, "32") }
  static func yellow(_ text: String) -> String { paint(text, "33") }
  static func dim(_ text: String) -> String { paint(text, "2") }

  /// Writes a line to standard error.
  static func error(_ line: String) {
    // On GitHub Actions a line of a project's words must not become a workflow command.
    let text = github ? GitHubCommands.inert(line) : line
    FileHandle.standardError.write(Data((text + "\n").utf8))
  }

  /// Writes `value` to standard output in Archway's JSON form, ending in a newline; the bytes go
  /// straight out, never through a String.
  static func printJSON(_ value: some Encodable, symbols: Bool = true, compact: Bool = false) throws {
    let encoder = PrettyJSON.encoder(omitVersionedSymbols: !symbols)
    if compact { encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes] }
    write(try encoder.encode(value))
  }

  /// Writes bytes to standard output at once, unbuffered.
  static func write(bytes: [UInt8]) {
    guard !bytes.isEmpty else { return }
    FileHandle.standardOutput.write(Data(bytes))
  }

  private static func write(_ json: Data) {
    var data = json
    data.append(0x0A)
    FileHandle.standardOutput.write(data)
  }

  /// Writes lines that hold what files and projects named (paths, messages) to standard output: on
  /// GitHub Actions none of them may become a workflow command.
  static func text(_ text: String) {
    write(github ? GitHubCommands.inert(text) : text)
  }

  /// Writes text to standard output at once, unbuffered.
  static func write(_ text: String) {
    guard !text.isEmpty else { return }
    FileHandle.standardOutput.write(Data(text.utf8))
  }
}
