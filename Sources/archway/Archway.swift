import ArchwayBuildInfo
import ArchwayKit
import ArgumentParser
import Foundation

@main
struct Archway: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "archway",
    abstract: "Cross-architecture build verification: does what we built run on every target?",
    discussion: """
      Exit codes (every subcommand): 0 everything checked passed; 1 a check failed; 2 bad usage or \
      a bad matrix/config file; 3 the host lacks something required; 130 interrupted.
      Colour is used only on a terminal, and never when NO_COLOR is set.
      """,
    version: versionText,
    subcommands: [
      PlanCommand.self, RunCommand.self, InspectCommand.self, VerifyCommand.self, TargetsCommand.self,
      ExecCommand.self, DiffCommand.self, ReportCommand.self, MergeCommand.self, EnvCommand.self, DoctorCommand.self,
      InitCommand.self, SetupCommand.self, GuardCommand.self,
    ]
  )

  /// This release's number.
  static let version = "0.1.0"

  /// `--version`: the release and, for a build by Scripts/install.sh, the commit it was built from.
  static var versionText: String {
    let commit = String(cString: archway_build_commit())
    return commit.isEmpty ? version : "\(version) (commit \(commit))"
  }

  /// Runs the command line, mapping ArgumentParser's usage errors (64) to Archway's 2.
  static func main() async {
    do {
      let (arguments, aside) = BulkOperands.split(
        Array(CommandLine.arguments.dropFirst()), bulk: [InspectCommand.self])
      var command = BulkOperands.handOver(aside, to: try parseAsRoot(arguments))
      if var asyncCommand = command as? AsyncParsableCommand {
        try await asyncCommand.run()
      } else {
        try command.run()
      }
    } catch let failure as CommandFailure {
      Output.error("Error: \(failure.message)")
      Foundation.exit(failure.code)
    } catch let failure as any ArchwayError {
      // The kit's errors carry their exit code; this is the one place it becomes the process's.
      Output.error("Error: \(failure)")
      Foundation.exit(failure.exitCode)
    } catch {
      let code = exitCode(for: error)
      let message = fullMessage(for: error)
      if code == .success {
        if !message.isEmpty { print(message) }
        Foundation.exit(0)
      }
      if !message.isEmpty { Output.error(message) }
      Foundation.exit(code == .validationFailure ? 2 : code.rawValue)
    }
  }
}

/// A failure found while a command ran (not while its arguments were parsed): printed without the
/// usage text, exiting with Archway's code for it (2: bad usage, a bad file or path).
struct CommandFailure: Error {
  var message: String
  var code: Int32 = 2
}
