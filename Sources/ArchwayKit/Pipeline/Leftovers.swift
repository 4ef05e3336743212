import Foundation

/// What an earlier Archway left running into an output folder — after `kill -9`, a lost session or
/// a crash, its steps and containers may still be writing there — found and ended before a new run
/// starts, so nothing of the old run corrupts the new one. The caller holds the folder's
/// ``OutputLock``: whatever else works in it is a leftover.
package enum Leftovers {
  /// The file in the output folder where a run's guardian says what it ended.
  package static let guardLog = ".archway-guard.log"

  /// Ends the leftovers of earlier runs into `out` (absolute): processes in abandoned step groups
  /// (``StepCgroup``), processes a step of `out`'s cells started (their environment names one of
  /// its cell folders and a step's marker), and, with `engines`, containers labelled
  /// `archway.out=OUT`. Returns what was ended, in words, or nil.
  ///
  /// Anyone can set a variable, so a variable alone never condemns a process: this Archway's
  /// ancestors (a shell, a CI job, an outer Archway's step that runs this one) and the processes of
  /// the step this Archway itself runs in are never ended, nor one that carries the cell folder
  /// without a step's marker.
  package static func sweep(out: String, engines: [String]) async -> String? {
    var processes = StepCgroup.sweepAbandoned()
    // Cells of this folder only: `OUT/sub/ID` is another run's (it holds its own lock on OUT/sub).
    let spared = OrphanSweep.ancestors()
    let ownStep = ProcessInfo.processInfo.environment[OrphanSweep.variable]
    let marked = OrphanSweep.processes(carrying: Array("ARCHWAY_CELL_OUT=\(out)/".utf8), child: true).filter { pid in
      guard !spared.contains(pid), let step = OrphanSweep.value(of: OrphanSweep.variable, in: pid) else { return false }
      return step != ownStep
    }
    for pid in marked { kill(pid, SIGKILL) }
    processes += marked.count
    var containers = 0
    for engine in engines {
      let listed = await HostReport.output(of: [engine, "ps", "-aq", "--filter", "label=archway.out=\(out)"]) ?? ""
      let ids = listed.split(whereSeparator: \.isNewline).map(String.init)
      guard !ids.isEmpty else { continue }
      _ = await HostReport.output(of: [engine, "rm", "-f", "-t", "0"] + ids, limit: .seconds(60))
      containers += ids.count
    }
    guard processes + containers > 0 else { return nil }
    let parts = [
      processes > 0 ? "\(processes) process\(processes == 1 ? "" : "es")" : nil,
      containers > 0 ? "\(containers) container\(containers == 1 ? "" : "s")" : nil,
    ].compactMap { $0 }
    return "ended \(parts.joined(separator: " and ")) that an earlier Archway, killed or lost, left running"
  }
}
