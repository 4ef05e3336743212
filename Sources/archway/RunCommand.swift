import ArchwayKit
import ArgumentParser
import Foundation

struct RunCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Build every cell of a matrix, run what it built on its target, verify it, and report.",
    discussion: """
      Cells run --jobs at a time: the build step natively, then the run steps on the target \
      (natively, under qemu-user, in a container, or under wine; targets nothing here can run are \
      built and verified statically, their runs reported skipped with the reason). Every step runs \
      in its own process group with a clean environment and a time limit that ends its whole \
      process tree; its output goes to OUT/CELL/logs/.

      Cells with `env: NAME` run inside that environment: its root filesystem (chroot as root, else \
      bwrap), under qemu with it as the sysroot, or in a container of archway/NAME:ARCH, the cheapest \
      the host allows. The recipe NAME/environment.yml is looked up in the matrix file's \
      Containers/, then each --containers DIR, then Archway's own; environments not built yet are \
      built first (see `archway env`), unless --no-provision. $ARCHWAY_ENGINE_ARGS gives engine \
      arguments for cells that name none.

      Then every artifact is checked (architecture, libc, glibc floor, needed libraries, SHA-256, \
      reproducibility when the matrix asks) and every run step (exit code, outputs against text, \
      golden files, patterns or a reference cell). OUT/ receives report.json (the canonical \
      report, docs/report.md), junit.xml, summary.md, report.html and SHA256SUMS; --json, --junit, \
      --markdown and --html write further copies. With GITHUB_ACTIONS=true, failures become \
      ::error annotations and the Markdown goes to $GITHUB_STEP_SUMMARY.

      A cell whose runs were all skipped passes on its static checks alone and is shown as \
      `static` (☑️ in the grids). A cell compared with others (`expect.reference`, `same_as`) is \
      printed once they have ended too, with its final verdict.

      With --baseline REPORT.json, the changes since that run (new failures, floors that rose \
      with their symbols, libraries, sizes, outputs; see `archway diff`) are printed, lead the \
      Markdown summary and are in report.json as `changes`; the matrix's `regressions:` says which \
      fail the run (default: new-failure, floor-rose).

      With --reuse DIR (an earlier run's output folder) or its report.json, a cell whose key \
      equals a passed cell's there (every artifact's SHA-256, its steps and expectations, the \
      files they name, the runner and what it runs under, the verify policy, Archway itself; \
      docs/reuse.md) is built and checked statically, but its run steps and rebuilds are not run \
      again: their outcomes and checks are taken from that run, and the report says so (♻️, \
      "reused from"). A cell that failed, errored or was flaky there, or with a step that says \
      `reuse: false`, always runs; the report says why a cell was not reused. A build that names \
      what it reads (`inputs:`) is not run either when those files, its compilers' versions, its \
      plan and the host are unchanged: the files it left are copied from that run and checked.

      Exit codes: 0 every check passed; 1 a check failed; 2 bad usage or matrix; 3 nothing could \
      be checked (the host lacks what the cells need); 130 interrupted (the reports of what ran \
      are still written).

      Examples:
        archway run
        archway run --filter 'arch=arm64' --jobs 4 --timeout 120
        archway run --shard 2/8 --json shard-2.json
        archway run --baseline release-1.2/SHA256SUMS --junit results.xml
        archway run --baseline last-good/report.json     # what changed since (docs/nightly.md)
        archway run --reuse last-good                    # run only the cells whose inputs changed
      """
  )

  @OptionGroup var cellSelection: SelectionOptions

  @Option(help: "How many cells run at once (default: the number of cores).")
  var jobs = ProcessInfo.processInfo.activeProcessorCount

  @Option(help: "The output folder: a folder per cell, and the reports.")
  var out = "archway-out"

  @Option(name: .customLong("json"), help: "Also write the JSON report to FILE.")
  var jsonFile: String?

  @Option(help: "Also write the JUnit XML report to FILE.")
  var junit: String?

  @Option(help: "Also write the Markdown summary to FILE.")
  var markdown: String?

  @Option(help: "Also write the HTML report to FILE.")
  var html: String?

  @Option(
    help: ArgumentHelp(
      "An earlier run's report.json (what changed since), or its SHA256SUMS (which artifacts changed).",
      valueName: "FILE"))
  var baseline: String?

  @Option(
    help: ArgumentHelp(
      "An earlier run's folder or report.json: cells whose inputs are unchanged since it take its run steps' outcomes.",
      valueName: "DIR|REPORT"))
  var reuse: String?

  @Flag(help: "Start no more cells after the first one that does not pass.")
  var failFast = false

  @Option(help: "The time limit, in seconds, of a step that names none.")
  var timeout: Double = 600

  @Flag(help: "Do not build missing environments (Containers/) first; their cells report the missing image.")
  var noProvision = false

  func validate() throws {
    try Validation.jobs(jobs)
    try Validation.timeLimit(timeout)
  }

  func run() async throws {
    Interruption.install()  // Before the folder is locked: a signal from then on gets a report.
    let host = HostProbe.platform()
    let selection = try cellSelection.select(host: host, out: out)
    let lock = try OutputLock(folder: out)
    var pipeline = RunPipeline(
      executor: CellExecutor(
        host: host, defaultTimeout: .milliseconds(Int(timeout * 1000)),
        environment: ProcessInfo.processInfo.environment),
      jobs: jobs)
    pipeline.failFast = failFast
    let guardian = GuardCommand.start(
      out: out, engines: pipeline.containerEngines(for: selection.cells))
    defer { guardian?.dismiss() }
    pipeline.provision = !noProvision
    if let baseline {
      switch try ReportFiles.readBaseline(baseline) {
      case .report(let report): pipeline.baselineReport = report
      case .checksums(let sums): pipeline.baseline = sums
      }
    }
    if let reuse {
      let path = ReportFiles.reportPath(reuse)
      pipeline.reuse = ReuseOffers(try ReportFiles.read(path), at: path)
    }
    let progress = Progress(total: selection.cells.count)
    let work = Task { [pipeline] in
      await pipeline.run(selection) { event in
        switch event {
        case .provisioning(let message): Output.error("env: \(message)")
        case .provisionFailed(let problem): Output.error("env: cannot provision \(problem)")
        case .sweptLeftovers(let what): Output.error("archway: \(what)")
        case .cellStarted(let id): progress.started(id)
        case .cellFinished(let cell): progress.finished(cell)
        }
      }
    }
    let watcher = Task {
      while !Task.isCancelled {
        if Interruption.requested {
          work.cancel()
          return
        }
        try? await Task.sleep(for: .milliseconds(50))
      }
    }
    let report = await work.value
    watcher.cancel()
    progress.finish()
    let written = ReportFiles.write(
      report, out: out, extra: [(.json, jsonFile), (.junit, junit), (.markdown, markdown), (.html, html)])
    if let changes = report.changes { Output.error(String(changes.text.dropLast())) }
    Output.error("\(report.summaryLine); \(written.line(out: out))")
    let status = ReportFiles.exitStatus(report, written: written)
    withExtendedLifetime(lock) {}
    if status != 0 { throw ExitCode(status) }
  }
}

/// SIGINT, SIGTERM and SIGHUP set a flag that the run polls; the run then cancels its cells.
enum Interruption {
  // nonisolated(unsafe): written only by the signal handler (a single aligned store) and read by
  // the polling task; a torn or late read only delays noticing the signal by one poll.
  nonisolated(unsafe) static var flag: sig_atomic_t = 0

  static var requested: Bool { flag != 0 }

  static func install() {
    signal(SIGINT) { _ in Interruption.flag = 1 }
    signal(SIGTERM) { _ in Interruption.flag = 1 }
    signal(SIGHUP) { _ in Interruption.flag = 1 }  // A closed terminal or SSH session: a partial report too.
  }
}
