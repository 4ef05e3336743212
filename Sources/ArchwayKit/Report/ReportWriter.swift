import Foundation

/// Writes a report and its renderings, each atomically: a file that cannot be written is reported
/// and the others are still written; an old file stays intact.
public enum ReportWriter {
  /// The renderings of a report.
  public enum Kind: String, Sendable, CaseIterable {
    /// The canonical JSON.
    case json
    /// JUnit XML.
    case junit
    /// Markdown for step summaries.
    case markdown
    /// A self-contained HTML page.
    case html
    /// `SHA256SUMS` of the artifacts.
    case sha256sums

    /// The file name of this rendering in a run's output folder.
    package var defaultName: String {
      switch self {
      case .json: "report.json"
      case .junit: "junit.xml"
      case .markdown: "summary.md"
      case .html: "report.html"
      case .sha256sums: "SHA256SUMS"
      }
    }
  }

  /// The bytes of `kind` for `report`.
  package static func render(_ kind: Kind, _ report: Report) throws -> Data {
    switch kind {
    case .json: try PrettyJSON.encoder().encode(report)  // versioned_symbols: each floor's only (CellVerifier)
    case .junit: Data(JUnitReport.render(report).utf8)
    case .markdown: Data(MarkdownReport.render(report).utf8)
    case .html: Data(HTMLReport.render(report).utf8)
    case .sha256sums: Data(Checksums.render(report.checksums).utf8)
    }
  }

  /// Writes each (kind, path); returns the paths that could not be written with the reason.
  public static func write(_ report: Report, _ files: [(Kind, String)]) -> [(path: String, reason: String)] {
    var failures: [(String, String)] = []
    var rendered: [Kind: Data] = [:]
    for (kind, path) in files {
      do {
        if rendered[kind] == nil { rendered[kind] = try render(kind, report) }
        try AtomicFile.write(rendered[kind]!, to: path)
      } catch {
        failures.append((path, systemReason(error)))
      }
    }
    return failures
  }
}
