import ArchwayKit
import Foundation

/// Writing a report's files and the GitHub Actions extras, shared by `run`, `report` and `merge`.
enum ReportFiles {
  /// Writes the report and every rendering into `out` (unless `out` is nil) and to the `extra`
  /// paths given; on GitHub Actions also prints `::error` annotations and appends the Markdown to
  /// `$GITHUB_STEP_SUMMARY`. A file that cannot be written is reported; the rest are still written.
  /// Returns the files written and those that could not be.
  @discardableResult
  static func write(_ report: Report, out: String?, extra: [(ReportWriter.Kind, String?)]) -> Written {
    var files = out.map { folder in ReportWriter.Kind.allCases.map { ($0, "\(folder)/\($0.defaultName)") } } ?? []
    files += extra.compactMap { kind, path in path.map { (kind, $0) } }
    var failures = ReportWriter.write(report, files)
    failures += githubExtras(report)
    for failure in failures {
      Output.error("Error: cannot write \(failure.path): \(failure.reason)")
    }
    let failed = failures.map(\.path)
    return Written(paths: files.map(\.1).filter { !failed.contains($0) }, failed: failed)
  }

  /// What ``write(_:out:extra:)`` wrote.
  struct Written {
    var paths: [String]
    var failed: [String]

    var all: Bool { failed.isEmpty }

    /// `reports: out/report.json, junit.xml`, naming only what was written (the folder once), and
    /// `not written: …` for the rest: a summary never points at a report that is not there.
    func line(out: String) -> String {
      let names = paths.map { path in
        path.hasPrefix(out + "/") && path != paths.first ? String(path.dropFirst(out.count + 1)) : path
      }
      var parts = names.isEmpty ? ["no report written"] : ["reports: " + names.joined(separator: ", ")]
      if !failed.isEmpty { parts.append("not written: " + failed.joined(separator: ", ")) }
      return parts.joined(separator: "; ")
    }
  }

  /// On GitHub Actions: `::error` annotations, and the Markdown appended to `$GITHUB_STEP_SUMMARY`;
  /// returns the summary's path and why when it could not be written.
  private static func githubExtras(_ report: Report) -> [(path: String, reason: String)] {
    let environment = ProcessInfo.processInfo.environment
    guard Output.github else { return [] }
    for line in MarkdownReport.githubAnnotations(report) { Output.write(line + "\n") }
    guard let summary = environment["GITHUB_STEP_SUMMARY"], !summary.isEmpty else { return [] }
    do {
      try AtomicFile.append(Data(MarkdownReport.render(report).utf8), to: summary)
      return []
    } catch {
      return [(summary, error.description)]
    }
  }

  /// The exit code of a command that checked `report`: its own, or 2 when it passed but a report
  /// file it was asked for could not be written (a green exit with no JUnit file is no pass).
  static func exitStatus(_ report: Report, written: Written) -> Int32 {
    report.exitStatus == 0 && !written.all ? 2 : report.exitStatus
  }

  /// What `--baseline` names: an earlier report, or its `SHA256SUMS`.
  enum Baseline {
    case report(Report)
    case checksums([String: String])
  }

  /// A report (a JSON file) or path → SHA-256 (a `SHA256SUMS` file); a usage error when it cannot
  /// be read.
  static func readBaseline(_ path: String) throws -> Baseline {
    let data: Data
    do {
      data = try RegularFile.contents(atPath: path, limit: Report.largestFile)
    } catch {
      throw CommandFailure(message: "the baseline '\(path)' \(error)")
    }
    if data.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) == UInt8(ascii: "{") {
      return .report(try Report.decode(data, named: path))
    }
    return .checksums(try Checksums.parse(String(decoding: data, as: UTF8.self), named: path))
  }

  /// `PATH/report.json` for a folder, else `PATH`: a run's output folder names its report.
  static func reportPath(_ path: String) -> String {
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else { return path }
    return (path.hasSuffix("/") ? path : path + "/") + "report.json"
  }

  /// Reads a report, or fails with the reason.
  static func read(_ path: String) throws -> Report {
    let data: Data
    do {
      data = try RegularFile.contents(atPath: path, limit: Report.largestFile)
    } catch {
      throw CommandFailure(message: "the report '\(path)' \(error)")
    }
    return try Report.decode(data, named: path)
  }
}
