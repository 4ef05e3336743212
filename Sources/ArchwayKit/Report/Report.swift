import Foundation

/// The canonical record of a run (docs/report.md): the plan, the host, and per cell its target,
/// runner, fingerprint, steps, artifacts and checks. JUnit XML, Markdown, HTML and SHA256SUMS are
/// renderings of it; `archway report` re-renders one and `archway merge` combines shards' reports.
public struct Report: Sendable, Hashable, Codable {
  /// Always `archway-report`, so other tools can recognize the file.
  package var format = "archway-report"
  /// The report format's version; bumped when a key changes meaning or goes away.
  package var version = Report.currentVersion
  /// The plan the cells came from.
  package var plan: PlanInfo
  /// The machine (or machines, after a merge) that ran the cells.
  package var hosts: [HostInfo]
  /// When the run started and ended (ISO 8601).
  package var started: String
  /// See ``started``.
  package var finished: String
  /// Whether SIGINT or SIGTERM ended the run early.
  package var interrupted: Bool
  /// How the artifacts' checksums compare with a baseline `SHA256SUMS`, if one was given.
  package var baseline: BaselineComparison?
  /// What changed since a baseline report (`run --baseline OLD.json`), judged by the matrix's
  /// `regressions:` policy, if one was given.
  package var changes: ReportDiff?
  /// Every cell of the plan's selection, in plan order, as verified.
  public var cells: [VerifiedCell]

  /// The format version this build writes and reads.
  package static let currentVersion = 3
  /// The largest report (or `SHA256SUMS`) Archway reads back: 256 MiB.
  package static let largestFile = RegularFile.reportLimit

  /// What a report says of its plan: enough to refuse merging reports of different plans.
  package struct PlanInfo: Sendable, Hashable, Codable {
    /// The matrix file.
    package var matrix: String
    /// SHA-256 of the matrix file's bytes and all its cell ids: equal for every part of one run,
    /// whichever shard or filter (a fan-out job per cell) it ran.
    package var id: String
    /// The `--filter`, if any.
    package var filter: String?
    /// The values given on the command line (`--set version=1.2`), as `KEY=VALUE`; nil in a report
    /// of an Archway before them.
    package var set: [String]?
    /// The shards this report holds (`2/4`), none for an unsharded run.
    package var shards: [String]
    /// The ids of the cells this run set out to check: the matrix's after the filter, before sharding.
    package var cellIDs: [String]
    /// The definition of every cell of the matrix (before the filter).
    package var cells: [Cell]

    enum CodingKeys: String, CodingKey { case matrix, id, filter, set, shards, cellIDs = "cell_ids", cells }

    /// Describes a plan: `matrixBytes` is the matrix file's content, `planned` the cells after the
    /// filter, `all` every cell of the matrix.
    package init(
      matrix: String, matrixBytes: Data, filter: String?, set: [String] = [], shard: String?, planned: [Cell],
      all: [Cell]
    ) {
      var hasher = Digest.SHA256Stream()
      hasher.update(matrixBytes)
      // Values set on the command line change the cells but not their ids: a run with others is
      // another plan, whose shards do not merge with this one's.
      for value in set { hasher.update(Data((value + "\n").utf8)) }
      for cell in all { hasher.update(Data((cell.id + "\n").utf8)) }
      self.matrix = matrix
      self.id = hasher.finalize().hexString()
      self.filter = filter
      self.set = set
      self.shards = shard.map { [$0] } ?? []
      self.cellIDs = planned.map(\.id)
      self.cells = all
    }

    /// Encodes every key, absent ones as null.
    package func encode(to encoder: any Encoder) throws {
      var c = encoder.container(keyedBy: CodingKeys.self)
      try c.encode(matrix, forKey: .matrix)
      try c.encode(id, forKey: .id)
      try c.encode(filter, forKey: .filter)
      try c.encode(set ?? [], forKey: .set)
      try c.encode(shards, forKey: .shards)
      try c.encode(cellIDs, forKey: .cellIDs)
      try c.encode(cells, forKey: .cells)
    }
  }

  /// Creates a report.
  package init(
    plan: PlanInfo, hosts: [HostInfo], started: String, finished: String, interrupted: Bool, cells: [VerifiedCell]
  ) {
    self.plan = plan
    self.hosts = hosts
    self.started = started
    self.finished = finished
    self.interrupted = interrupted
    self.cells = cells
  }

  /// Reads a report, refusing another format or version with a message that says which.
  package static func decode(_ data: Data, named name: String) throws(ReportError) -> Report {
    struct Header: Decodable { var format: String?, version: Int? }
    guard let header = try? JSONDecoder().decode(Header.self, from: data), header.format == "archway-report" else {
      throw ReportError("\(name) is not an Archway report (no \"format\": \"archway-report\")")
    }
    guard header.version == currentVersion else {
      throw ReportError(
        "\(name) is a version \(header.version.map(String.init) ?? "?") report; this archway reads version \(currentVersion)"
      )
    }
    do {
      return try JSONDecoder().decode(Report.self, from: data)
    } catch let error as DecodingError {
      throw ReportError("\(name) cannot be read: \(error.sentence)")
    } catch {
      throw ReportError("\(name) cannot be read: \(error)")
    }
  }

  /// How many cells ended with each verdict.
  package var counts: [Verdict: Int] { Dictionary(grouping: cells, by: \.verdict).mapValues(\.count) }

  /// Archway's exit code for this report: 130 interrupted; 3 when no cell could be checked at all
  /// (every one an error: the host lacks what they need); 1 when a cell failed or had an error;
  /// else 0.
  package var exitStatus: Int32 {
    if interrupted { return 130 }
    if !cells.isEmpty, cells.allSatisfy({ $0.verdict == .error }) { return 3 }
    if changes?.failures.isEmpty == false { return 1 }
    return cells.contains { $0.verdict == .failed || $0.verdict == .error } ? 1 : 0
  }

  /// One line: `15 cells: 13 passed, 1 failed, 1 skipped`.
  package var summaryLine: String {
    let counts = self.counts
    let parts = [Verdict.passed, .flaky, .failed, .error, .skipped].compactMap { verdict in
      counts[verdict].map { "\($0) \(verdict == .error ? "errors" : verdict.rawValue)" }
    }
    let statically = cells.filter(\.checkedStaticallyOnly).count
    let reused = cells.filter { $0.reusedFrom != nil }.count
    return "\(cells.count) cell\(cells.count == 1 ? "" : "s"): " + parts.joined(separator: ", ")
      + (statically > 0 ? " (\(statically) of the passes checked statically only)" : "")
      + (reused > 0 ? " (\(reused) reused from an earlier run)" : "")
      + (interrupted ? " (interrupted)" : "")
  }

  /// `CELL/PATH` → SHA-256 for every artifact with a checksum: paths relative to the run's output
  /// folder (a cell's folder is named by its id), so `sha256sum -c` run there checks them, and equal
  /// across machines and shards.
  package var checksums: [String: String] {
    var sums: [String: String] = [:]
    for cell in cells {
      for artifact in cell.artifacts {
        guard let sha256 = artifact.sha256 else { continue }
        sums[Checksums.relativePath(artifact, cell: cell.id)] = sha256
      }
    }
    return sums
  }
}

/// A report that cannot be read, merged or written.
public struct ReportError: Error, Sendable, CustomStringConvertible {
  /// What is wrong.
  public var message: String
  /// Creates an error.
  package init(_ message: String) { self.message = message }
  /// See ``message``.
  public var description: String { message }
}

extension ReportError: ArchwayError {}
