import Foundation

/// Wine's prefix (its `C:` drive and registry) for a cell. Creating one takes about 10 s and ≈700 MB,
/// and wine announces it on standard error, which would fall into a step's output; so Archway creates
/// one template in its cache (`$XDG_CACHE_HOME/archway/wine-prefix`) and gives each cell a hard-linked
/// copy of it (wine replaces the registry files it saves, it does not write into them). A cell of its
/// own keeps one cell's `wineserver`, which the orphan sweep ends after each step (and waits for, so
/// the next step never meets it half-dead), from serving another.
enum WinePrefix {
  /// The template's folder for Archway's `environment`.
  static func template(environment: [String: String]) -> String {
    CacheFolder.archway(environment: environment) + "/wine-prefix"
  }

  /// Makes the cell's `prefix` from the template, creating the template first (with `wine`) when
  /// there is none. Returns the outcome of what failed, as an infrastructure problem, or nil.
  static func prepare(
    _ prefix: String, wine: String, environment: [String: String], logs: String
  ) async -> StepOutcome? {
    let template = template(environment: environment)
    if !FileManager.default.fileExists(atPath: template + "/system.reg") {
      // Built aside and renamed, so cells that start together never share a half-made template.
      let building = "\(template).tmp-\(getpid())-\(UUID().uuidString.prefix(8))"
      try? FileManager.default.createDirectory(atPath: building, withIntermediateDirectories: true)
      let script = "\"$0\" wineboot --init && wineserver -w"
      let outcome = await step(
        "wine-prefix", ["env", "WINEPREFIX=\(building)", "WINEDEBUG=-all", "sh", "-c", script, wine],
        environment: environment, timeout: .seconds(300), logs: logs)
      guard outcome.status.succeeded else {
        try? FileManager.default.removeItem(atPath: building)
        return outcome.failedSetup("cannot create the wine prefix \(template)")
      }
      if rename(building, template) != 0 {
        // Another cell's template came first, or a broken one (no registry) is in the way.
        if !FileManager.default.fileExists(atPath: template + "/system.reg") {
          try? FileManager.default.removeItem(atPath: template)
          _ = rename(building, template)
        }
        try? FileManager.default.removeItem(atPath: building)
      }
    }
    try? FileManager.default.removeItem(atPath: prefix)
    let copy = await step(
      "wine-prefix-copy", ["cp", "-al", template, prefix], environment: environment, timeout: .seconds(120), logs: logs)
    return copy.status.succeeded ? nil : copy.failedSetup("cannot copy the wine prefix \(template) to \(prefix)")
  }

  private static func step(
    _ name: String, _ argv: [String], environment: [String: String], timeout: Duration, logs: String
  ) async -> StepOutcome {
    StepOutcome(
      id: .setup(name),
      process: await ProcessSupervisor.run(
        ProcessLaunch(argv: argv, environment: environment, timeout: timeout, logs: "\(logs)/\(name)")))
  }
}
