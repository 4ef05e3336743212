import Foundation

/// The report as JUnit XML, in the form Jenkins (xUnit's junit-10.xsd), GitLab and GitHub read:
/// a `testsuite` per cell with its target, runner and artifacts as `properties`, a `testcase` per
/// check (each run step's is its `exit` check, carrying the step's log head and tail).
package enum JUnitReport {
  /// The XML document for `report`.
  package static func render(_ report: Report) -> String {
    let counts = report.cells.flatMap(\.findings).reduce(into: [Verdict: Int]()) { $0[$1.verdict, default: 0] += 1 }
    let changes = report.changes?.changes ?? []
    let total = report.cells.reduce(0) { $0 + max(1, $1.findings.count) } + changes.count
    let failures = (counts[.failed] ?? 0) + changes.filter(\.fails).count
    var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    xml += element(
      "testsuites",
      [
        ("name", "archway \(report.plan.matrix)"), ("tests", "\(total)"), ("failures", "\(failures)"),
        ("errors", "\(counts[.error] ?? 0)"), ("time", seconds(report.cells.reduce(0) { $0 + $1.duration })),
      ], close: false)
    if let diff = report.changes, !diff.changes.isEmpty { xml += changesSuite(diff) }
    for cell in report.cells {
      xml += suite(cell, report: report)
    }
    return xml + "</testsuites>\n"
  }

  /// The changes since a baseline report, first: a testcase each, failed when the policy fails on it.
  static func changesSuite(_ diff: ReportDiff) -> String {
    var xml =
      "  "
      + element(
        "testsuite",
        [
          ("name", "changes since the baseline"), ("tests", "\(diff.changes.count)"),
          ("failures", "\(diff.failures.count)"), ("errors", "0"), ("skipped", "0"), ("time", seconds(0)),
        ], close: false)
    for change in diff.ordered {
      let attributes = [("name", change.label), ("classname", "archway.changes"), ("time", seconds(0))]
      let text = XMLText.escape(change.message)
      let body =
        change.fails
        ? "<failure type=\"\(change.category.rawValue)\" message=\"\(XMLText.escape(change.message, attribute: true))\">\(text)</failure>"
        : "<system-out>\(text)</system-out>"
      xml += "    " + element("testcase", attributes, close: false) + "      \(body)\n    </testcase>\n"
    }
    return xml + "  </testsuite>\n"
  }

  static func suite(_ cell: VerifiedCell, report: Report) -> String {
    let checks =
      cell.findings.isEmpty
      ? [Finding(.cell, .cell, cell.verdict, "no checks ran (\(cell.outcome.rawValue))")] : cell.findings
    let count = { (verdict: Verdict) in checks.filter { $0.verdict == verdict }.count }
    var xml =
      "  "
      + element(
        "testsuite",
        [
          ("name", cell.id), ("tests", "\(checks.count)"), ("failures", "\(count(.failed))"),
          ("errors", "\(count(.error))"), ("skipped", "\(count(.skipped))"), ("time", seconds(cell.duration)),
          ("timestamp", String(report.started.prefix(19))), ("hostname", report.hosts.first?.platform ?? ""),
          ("package", "archway"),
        ], close: false)
    xml += "    <properties>\n"
    for (name, value) in properties(cell, report: report) {
      xml += "      " + element("property", [("name", name), ("value", value)])
    }
    xml += "    </properties>\n"
    for check in checks {
      xml += testcase(check, cell: cell)
    }
    return xml + "  </testsuite>\n"
  }

  static func testcase(_ check: Finding, cell: VerifiedCell) -> String {
    // The step whose ending the finding is: its output goes with the testcase.
    let step = [.build, .exit].contains(check.kind) ? check.step.flatMap(cell.execution.step) : nil
    let attributes = [
      ("name", check.title), ("classname", "archway.\(cell.id)"),
      ("time", seconds(step?.duration ?? check.duration ?? 0)),
    ]
    var body = ""
    switch check.verdict {
    case .passed: break
    case .flaky:
      // A pass to every consumer, said first in its output: JUnit has no outcome for it.
      body += "      <system-out>\(XMLText.escape("FLAKY: " + check.message))</system-out>\n"
    case .failed, .error, .skipped:
      let tag = check.verdict == .failed ? "failure" : check.verdict == .error ? "error" : "skipped"
      let text = [check.message, check.details].compactMap { $0 }.joined(separator: "\n\n")
      body +=
        "      <\(tag) type=\"\(XMLText.escape(check.kind.rawValue, attribute: true))\" message=\"\(XMLText.escape(check.message, attribute: true))\">"
      body += XMLText.escape(text) + "</\(tag)>\n"
    }
    if let step {
      if let out = captured(step.stdoutHead, step.stdoutTail, bytes: step.stdoutBytes) {
        body += "      <system-out>\(XMLText.escape(out))</system-out>\n"
      }
      if let err = captured(step.stderrHead, step.stderrTail, bytes: step.stderrBytes) {
        body += "      <system-err>\(XMLText.escape(err))</system-err>\n"
      }
    }
    guard !body.isEmpty else { return "    " + element("testcase", attributes) }
    return "    " + element("testcase", attributes, close: false) + body + "    </testcase>\n"
  }

  /// A stream's captured head and tail, with the bytes between them marked; nil when it was empty.
  static func captured(_ head: String, _ tail: String, bytes: Int) -> String? {
    guard bytes > 0 else { return nil }
    let between = bytes - head.utf8.count - tail.utf8.count
    return tail.isEmpty ? head : head + (between > 0 ? "\n[… \(between) bytes left out …]\n" : "") + tail
  }

  /// The suite's properties: target, environment, runner, fingerprint, emulator version, user
  /// values, and per artifact its sha256, glibc floor and interpreter.
  static func properties(_ cell: VerifiedCell, report: Report) -> [(String, String)] {
    var list: [(String, String)] = [
      ("platform", cell.target.platform.description), ("libc", cell.target.libc.description), ("env", cell.env ?? ""),
      ("runner", cell.runner.kind.rawValue), ("runner.reason", cell.runner.reason), ("outcome", cell.outcome.rawValue),
      ("verdict", cell.verdict.rawValue),
    ]
    if let from = cell.buildReusedFrom {
      list.append(("build_reused_from", "\(from.report), run started \(from.started)"))
    } else if let why = cell.execution.reuse?.buildNotReused {
      list.append(("build_not_reused", why))
    }
    if let from = cell.reusedFrom {
      list.append(("reused_from", "\(from.report), run started \(from.started)"))
    } else if let why = cell.execution.reuse?.notReused {
      list.append(("not_reused", why))
    }
    if let launcher = cell.runner.launcher, let version = report.hosts.lazy.compactMap({ $0.tools[launcher] }).first {
      list.append(("runner.version", version))
    }
    list += cell.values.sorted { $0.key < $1.key }.map { ("value.\($0.key)", $0.value) }
    if let fingerprint = cell.fingerprint {
      list += fingerprint.properties.map { ("fingerprint.\($0.0)", $0.1) }
    }
    for artifact in cell.artifacts {
      let prefix = "artifact.\(artifact.name)."
      list.append((prefix + "path", artifact.path))
      if let sha256 = artifact.sha256 { list.append((prefix + "sha256", sha256)) }
      if let facts = artifact.facts {
        list.append((prefix + "glibc_floor", facts.glibcFloor ?? ""))
        list.append((prefix + "interpreter", facts.interpreter ?? ""))
      }
    }
    return list
  }

  static func element(_ name: String, _ attributes: [(String, String)], close: Bool = true) -> String {
    let rendered = attributes.map { " \($0.0)=\"\(XMLText.escape($0.1, attribute: true))\"" }.joined()
    return "<\(name)\(rendered)\(close ? "/" : "")>\n"
  }

  static func seconds(_ value: Double) -> String { String(format: "%.3f", max(0, value)) }
}
