import ArchwayKit
import ArgumentParser
import Foundation

struct SetupCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "setup",
    abstract: "Install what a matrix needs on this Debian or Ubuntu host (or, with --check, say what is missing).",
    discussion: """
      Reads the matrix's cells and lists what they need of the host: qemu-user-static and the cross \
      sysroots for the arches they emulate, binfmt_misc (mounted and registered) where a host program \
      or a root filesystem starts the target's programs, debootstrap and bubblewrap (or podman) for \
      env: cells, wine for windows cells, and the compilers and build tools their steps name (the \
      cross gccs with their libc headers, Go, zig from PyPI, Cargo, CMake, Meson, make, ninja). \
      What is there is left alone, so a second run changes nothing. Each command is printed before \
      it runs; without root the commands are printed (with sudo) and nothing runs.

      Exit codes: 0 everything the matrix needs is here (after installing it); 2 a bad matrix; \
      3 something is still missing (--check, --dry-run, not root, or an install that failed).

      Examples:
        sudo archway setup                   # for Matrix/archway.yml (or archway.yml)
        archway setup --check archway.yml    # in CI: is this runner ready?
        archway setup --dry-run --json ci/*.yml | jq -r '.commands[] | join(" ")'
      """
  )

  @Argument(help: "The matrix files (default: Matrix/archway.yml, then archway.yml).")
  var matrices: [String] = []

  @Flag(help: "Only say what is missing; install nothing.")
  var check = false

  @Flag(help: "Print the commands that would install what is missing; run none.")
  var dryRun = false

  @Flag(help: "Print the needs and the commands as JSON.")
  var json = false

  @Option(
    name: .customLong("containers"),
    help: ArgumentHelp("A folder of environment recipes, as for plan and run.", valueName: "DIR"))
  var containers: [String] = []

  func run() async throws {
    let host = HostProbe.platform()
    let environment = ProcessInfo.processInfo.environment
    let paths = matrices.isEmpty ? MatrixFile.defaultPath().map { [$0] } ?? [] : matrices
    guard !paths.isEmpty else {
      throw CommandFailure(message: "no matrix file: name one, or create one with archway init")
    }
    var cells: [Cell] = []
    for path in paths {
      var planner = Planner(host: host)
      planner.recipeFolders = containers
      cells += try PlanSelection(path: path, filter: nil, shard: nil, durationsReport: nil, planner: planner).all
    }
    let facts = HostFacts.probe(platform: host, path: environment["PATH"], environment: environment)
    let wanted = HostSetup.needs(for: cells, host: host, hostCPULevel: facts.cpuLevel)
    var state = await HostSetup.probe(path: environment["PATH"], needs: wanted)
    var needs = HostSetup.check(wanted, on: state)
    let commands = HostSetup.commands(for: needs, on: state)
    let installs = !check && !dryRun && state.isRoot && !commands.isEmpty && state.installedPackages != nil
    if !json { describe(needs, cells: cells.count, matrices: paths) }
    if installs {
      fflush(nil)  // the list first, then each command's own output (on standard error)
      for command in commands {
        Output.error(Output.bold("+ " + HostSetup.shellLine(command)))
        let status = await HostSetup.run(command)
        // Only an install that fails stops the rest: one index may fail while a mirror syncs, a
        // container cannot mount binfmt_misc; the check afterwards says whether that mattered.
        if status != 0, command.contains("install") {
          Output.error("archway setup: \(command[0] == "env" ? "apt-get install" : command[0]) exited \(status)")
          break
        }
      }
      state = await HostSetup.probe(path: environment["PATH"], needs: wanted)
      needs = HostSetup.check(wanted, on: state)
    }
    let missing = needs.filter { !$0.present }
    if json {
      try Output.printJSON(SetupOutput(needs: needs, commands: installs ? [] : commands, ran: installs ? commands : []))
    } else if !missing.isEmpty {
      if state.installedPackages == nil {
        print("This host has no dpkg: install the packages above with its own package manager.")
      } else if !installs {
        print(Output.bold(check ? "\nMissing; archway setup runs:" : "\nTo install what is missing:"))
        for command in commands { print("  " + HostSetup.shellLine(command)) }
      } else {
        print(Output.red("\nStill missing after the install: \(missing.map(\.name).joined(separator: ", "))"))
      }
    } else {
      print(installs ? "Installed; everything the matrix needs is here." : "Everything the matrix needs is here.")
    }
    if !missing.isEmpty { throw ExitCode(3) }
  }

  /// One line per need: whether it is here, what it is and which cells want it.
  private func describe(_ needs: [HostNeed], cells: Int, matrices: [String]) {
    print(Output.bold("\(cells) cells of \(matrices.joined(separator: ", ")) need \(needs.count) things of this host"))
    for need in needs {
      let mark = need.present ? Output.green("ok     ") : Output.red("missing")
      let what =
        switch need.kind {
        case .package: need.name
        case .pip: "\(need.name) (PyPI)"
        case .binfmtMount: "binfmt_misc mounted"
        case .binfmtRegister: "binfmt_misc: \(need.name)"
        }
      let more = need.cells.count > 1 ? " (\(need.cells.count) cells)" : " (\(need.cells[0]))"
      print("\(mark) \(what)" + Output.dim(": \(need.reason)\(more)"))
    }
  }
}

/// `archway setup --json`: every need, and the commands run (or, when none ran, those that would).
struct SetupOutput: Encodable {
  var needs: [HostNeed]
  var commands: [[String]]
  var ran: [[String]]
}
