/// Text for a GitHub Actions log, where the runner reads a line that starts with `::` (after
/// blanks) as a workflow command and `##[` anywhere in a line as an old-style one. Archway's own
/// groups and annotations are the only commands it means; what a project wrote (test and step
/// names, messages, output) passes through here first, so `::add-mask::`, `::stop-commands::` or a
/// forged `::error` in it stays text (GitHub, "Workflow commands for GitHub Actions").
package enum GitHubCommands {
  /// A command's data (after its last `::`): `%`, CR and LF escaped as the runner unescapes them,
  /// and `##[` broken, so the command is one line and nothing in it is a command of its own.
  package static func data(_ text: String) -> String {
    text.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D")
      .replacingOccurrences(of: "\n", with: "%0A").replacingOccurrences(of: "##[", with: "#%23[")
  }

  /// A command's property value (`title=`): its data with `:` and `,` escaped too.
  package static func property(_ text: String) -> String {
    data(text).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
  }

  /// Lines of plain log text: each line's leading `::` (after blanks) and every `##[` broken with
  /// the escape the runner uses, so that no line is a command; the lines stay lines.
  package static func inert(_ text: String) -> String {
    text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
      var line = String(line).replacingOccurrences(of: "\r", with: "%0D")
        .replacingOccurrences(of: "##[", with: "#%23[")
      let blanks = line.prefix { $0 == " " || $0 == "\t" }
      if line.dropFirst(blanks.count).hasPrefix("::") {
        line = blanks + "%3A" + line.dropFirst(blanks.count + 1)
      }
      return line
    }.joined(separator: "\n")
  }
}
