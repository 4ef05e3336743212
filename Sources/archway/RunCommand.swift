import ArchwayKit
import ArgumentParser
import Foundation

struct RunCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Build every cell of a matrix and run what it built on its target.",
    discussion: """
      Cells run --jobs at a time: the build step natively, then the run steps on the target \
      (natively, under qemu-user, or under wine; targets nothing here can run are built and their \
      runs reported skipped, with the reason). Every step runs in its own process group with a \
      clean environment and a time limit that ends its whole process tree; its output goes to \
      OUT/CELL/logs/. The record of the run is written to OUT/record.json (and --json FILE).

      Exit codes: 0 every cell passed; 1 a cell failed; 3 no cell could run (the host lacks what \
      they need); 130 interrupted (the record of what ran is still written).

      Examples:
        archway run
        archway run --filter 'arch=arm64' --jobs 4 --timeout 120
        archway run --shard 2/8 --json shard-2.json
      """
  )

  @OptionGroup var cellSelection: SelectionOptions

  @Option(help: "How many cells run at once (default: the number of cores).")
  var jobs = ProcessInfo.processInfo.activeProcessorCount

  @Option(help: "The output folder: a folder per cell, and record.json.")
  var out = "archway-out"

  @Option(name: .customLong("json"), help: "Also write the run's record to FILE.")
  var jsonFile: String?

  @Flag(help: "Start no more cells after the first one that does not pass.")
  var failFast = false

  @Option(help: "The time limit, in seconds, of a step that names none.")
  var timeout: Double = 600

  func validate() throws {
    guard jobs > 0 else { throw ValidationError("--jobs must be at least 1, not \(jobs)") }
    guard timeout > 0 else { throw ValidationError("--timeout must be a positive number of seconds") }
  }

  func run() async throws {
    let host = HostProbe.platform()
    let selection = try cellSelection.select(host: host, out: out)
    let executor = CellExecutor(
      host: host, defaultTimeout: .milliseconds(Int(timeout * 1000)), environment: ProcessInfo.processInfo.environment)
    let scheduler = Scheduler(jobs: jobs, failFast: failFast, executor: executor)
    let progress = Progress(total: selection.cells.count)
    let started = ISO8601DateFormatter().string(from: Date())
    Interruption.install()
    let work = Task { await scheduler.run(selection.cells) { progress.handle($0) } }
    let watcher = Task {
      while !Task.isCancelled {
        if Interruption.requested {
          work.cancel()
          return
        }
        try? await Task.sleep(for: .milliseconds(50))
      }
    }
    let cells = await work.value
    watcher.cancel()
    progress.finish()
    let record = RunRecord(
      matrix: selection.path, host: host.description, started: started, cells: cells,
      interrupted: Interruption.requested)
    let data = try PrettyJSON.encoder().encode(record)
    for path in [out + "/record.json"] + (jsonFile.map { [$0] } ?? []) {
      do {
        try AtomicFile.write(data, to: path)
      } catch {
        Output.error("Error: cannot write \(path): \(error.localizedDescription)")
      }
    }
    Output.error(progress.summary(cells, record: out + "/record.json"))
    if record.exitStatus != 0 { throw ExitCode(record.exitStatus) }
  }
}

/// SIGINT and SIGTERM set a flag that the run polls; the run then cancels its cells.
enum Interruption {
  // nonisolated(unsafe): written only by the signal handler (a single aligned store) and read by
  // the polling task; a torn or late read only delays noticing the signal by one poll.
  nonisolated(unsafe) static var flag: sig_atomic_t = 0

  static var requested: Bool { flag != 0 }

  static func install() {
    signal(SIGINT) { _ in Interruption.flag = 1 }
    signal(SIGTERM) { _ in Interruption.flag = 1 }
  }
}
