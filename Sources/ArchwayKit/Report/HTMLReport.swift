/// The report as one self-contained HTML file: the grid first, a colour per verdict; a click on a
/// cell opens its checks, steps and log tails below. No external resources, so it works as a CI
/// artifact opened from disk.
package enum HTMLReport {
  /// The HTML document for `report`.
  package static func render(_ report: Report) -> String {
    let e = { (text: String) in XMLText.escape(text) }
    var html = """
      <!DOCTYPE html>
      <html lang="en"><head><meta charset="utf-8">
      <title>Archway: \(e(report.plan.matrix))</title>
      <style>
      body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
      table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}
      .grid td.v{text-align:center;min-width:4em}.grid a{text-decoration:none;color:inherit;display:block}
      .passed{background:#d7f5dd}.failed{background:#f9d0d0}.error{background:#fbe6b3}.skipped{background:#e6e6e6}.flaky{background:#e8dcf7}
      details{margin:.5em 0;border:1px solid #ddd;padding:.3em .6em}details[open]{background:#fafafa}
      summary{cursor:pointer;font-weight:600}pre{background:#f0f0f0;padding:.5em;overflow:auto;max-height:24em}
      </style></head><body>
      <h1>Archway: \(e(report.plan.matrix))</h1>
      <p><b>\(e(report.summaryLine))</b> · started \(e(report.started)) on \(e(report.hosts.map(\.platform).joined(separator: ", ")))</p>

      """
    if let diff = report.changes { html += changes(diff) }
    html += gridTable(ReportGrid(report))
    html += "</table>\n<p>\(e(ReportGrid.legend))</p>\n<h2>Cells</h2>\n"
    for cell in report.cells {
      html += details(cell)
    }
    html += """
      <script>
      function openCell(){var d=document.getElementById(location.hash.slice(1));if(d&&d.tagName==='DETAILS'){d.open=true;d.scrollIntoView();}}
      window.addEventListener('hashchange',openCell);openCell();
      </script>
      </body></html>

      """
    return html
  }

  /// What got worse since the last good run, before the grid: what the policy fails on first.
  static func changes(_ diff: ReportDiff) -> String {
    let e = { (text: String) in XMLText.escape(text) }
    var html = "<h2>Changes since the baseline</h2>\n"
    html +=
      diff.changes.isEmpty
      ? "<p>No changes.</p>\n"
      : "<table><tr><th></th><th>change</th><th>cell</th><th>subject</th><th>what</th></tr>\n"
    for change in diff.ordered {
      let columns = [ReportDiff.words(change.category), change.cell, change.subject ?? "", change.message]
      html += "<tr class=\"\(change.fails ? "failed" : "skipped")\"><td>\(change.fails ? "❌" : "ℹ️")</td>"
      html += columns.map { "<td>\(e($0))</td>" }.joined() + "</tr>\n"
    }
    if !diff.changes.isEmpty { html += "</table>\n" }
    return html
  }

  /// The grid of platforms by the other values, each cell a mark that opens its details.
  static func gridTable(_ grid: ReportGrid) -> String {
    let e = { (text: String) in XMLText.escape(text) }
    var html = "<table class=\"grid\"><tr><th>platform</th>"
    html += grid.columns.map { "<th>\(e($0))</th>" }.joined() + "</tr>\n"
    for row in grid.rows {
      html += "<tr><th>\(e(row))</th>"
      for column in grid.columns {
        let cells = grid.cells[ReportGrid.Key(row: row, column: column)] ?? []
        let verdict = Verdict.overall(cells.map(\.verdict))
        html += cells.isEmpty ? "<td></td>" : "<td class=\"v \(verdict.rawValue)\">"
        html += cells.map {
          "<a href=\"#\(anchor($0.id))\" title=\"\(XMLText.escape($0.id, attribute: true))\">\(ReportGrid.mark($0))</a>"
        }.joined()
        html += cells.isEmpty ? "" : "</td>"
      }
      html += "</tr>\n"
    }
    return html
  }

  static func details(_ cell: VerifiedCell) -> String {
    let e = { (text: String) in XMLText.escape(text) }
    // What went wrong is what a reader opens the page for: those cells start open.
    let open = [.failed, .error].contains(cell.verdict) ? " open" : ""
    var html = "<details id=\"\(anchor(cell.id))\" class=\"\(cell.verdict.rawValue)\"\(open)>"
    let verdict =
      cell.checkedStaticallyOnly
      ? "passed, checked statically only"
      : cell.verdict.rawValue
        + (cell.buildReusedFrom.map { ", its build reused from \($0.report) (run started \($0.started))" } ?? "")
        + (cell.reusedFrom.map { ", its runs reused from \($0.report) (run started \($0.started))" } ?? "")
    html += "<summary>\(ReportGrid.mark(cell)) \(e(cell.id)) — \(verdict)</summary>\n"
    html +=
      "<p>\(e(cell.target.platform.description)) · \(e(cell.target.libc.description))\(cell.env.map { " · env " + e($0) } ?? "") · "
    html += "runner \(e(cell.runner.kind.rawValue)): \(e(cell.runner.reason))</p>\n"
    if let why = cell.execution.reuse?.buildNotReused { html += "<p>build not reused: \(e(why))</p>\n" }
    if let why = cell.execution.reuse?.notReused { html += "<p>not reused: \(e(why))</p>\n" }
    if let fingerprint = cell.fingerprint {
      html += "<p>inside: " + e(fingerprint.properties.map { "\($0.0) \($0.1)" }.joined(separator: ", ")) + "</p>\n"
    }
    html += "<table><tr><th>check</th><th>verdict</th><th>message</th></tr>\n"
    for check in cell.findings {
      html += "<tr class=\"\(check.verdict.rawValue)\"><td>\(e(check.title))</td><td>\(check.verdict.rawValue)</td>"
      html += "<td>\(e(check.message))"
      if let details = check.details, !details.isEmpty { html += "<pre>\(e(String(details.prefix(8000))))</pre>" }
      html += "</td></tr>\n"
    }
    html += "</table>\n"
    for step in cell.steps {
      html += "<h4>\(e(step.name)): \(e(step.status.description)) (\(String(format: "%.2f", step.duration)) s)</h4>"
      html += "<pre>$ \(e(step.argv.joined(separator: " ")))</pre>\n"
      for (label, head, tail, bytes) in [
        ("stdout", step.stdoutHead, step.stdoutTail, step.stdoutBytes),
        ("stderr", step.stderrHead, step.stderrTail, step.stderrBytes),
      ] {
        guard let text = JUnitReport.captured(head, tail, bytes: bytes) else { continue }
        html += "<p>\(label) (\(bytes) bytes)</p><pre>\(e(text))</pre>\n"
      }
    }
    return html + "</details>\n"
  }

  /// An id attribute value for a cell: ASCII letters, digits and `-` kept, any other character
  /// written as `_HEX_`, so distinct cell ids get distinct anchors.
  static func anchor(_ id: String) -> String {
    "cell-"
      + id.unicodeScalars.map { scalar in
        scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "-")
          ? String(scalar) : "_" + String(scalar.value, radix: 16) + "_"
      }.joined()
  }
}
