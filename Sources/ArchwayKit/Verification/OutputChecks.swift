import Foundation

/// The checks of how a step ended and of what it printed: its exit against the one it should end
/// with, each stream against its rule, its per-test results one finding per test.
enum OutputChecks {
  /// The findings of run step `step`, whose outcome is `outcome`, in a cell whose folder is `folder`
  /// and whose steps ran on the emulated CPU `cpu` (nil natively).
  static func findings(_ step: RunStep, _ outcome: StepOutcome, folder: String, cpu: String?) -> [Finding] {
    var findings = [ending(.exit, .step(step.id), outcome, expected: step.expect.exit, cpu: cpu)]
    guard let expectation = step.expect.outputs else { return findings }
    for (stream, rule) in [(StepStream.stdout, expectation.stdout), (.stderr, expectation.stderr)] {
      guard let rule else { continue }
      findings.append(output(stream, rule: rule, of: outcome, in: folder, normalize: expectation.normalize))
    }
    if let tests = expectation.tests { findings += testFindings(tests, of: outcome, in: folder) }
    return findings
  }

  /// What the console shows of a failed step's standard error (its first bytes `head`, its last
  /// `tail`): the first line that reads as an error, what a compiler, linker or toolchain says
  /// caused the failure (gcc's and clang's `FILE:LINE:COL: error:`, ld's `undefined reference`,
  /// rustc's `error[E…]:`, go's `FILE.go:LINE:COL:`, `CMake Error`), then the last lines: at
  /// most three, each at most 200 characters. Without such a line, the last three.
  static func lastWords(_ head: String, _ tail: String) -> [String] {
    let last = tail.split(separator: "\n").suffix(3).map { String($0.prefix(200)) }
    let cause = /(?:^|[\s:])(?:fatal )?error(?:\[E\d+\])?:|undefined reference to|^\S+\.go:\d+:\d+: |^CMake Error/
    let found = (head + "\n" + tail).split(separator: "\n").lazy.map { String($0.prefix(200)) }
      .first { (try? cause.firstMatch(in: $0)) != nil }
    guard let found, !last.contains(found) else { return last }
    return [found] + last.suffix(2)
  }

  /// The finding of how a step ended against the exit code it should end with; a step run on the
  /// emulated CPU `cpu` (a level, or a qemu model) that died of SIGILL is said to have used an
  /// instruction that CPU lacks. A failed step's last words (its standard error's last lines, or
  /// what ran when it said nothing) go with the finding for the console.
  static func ending(
    _ kind: CheckKind, _ subject: Finding.Subject, _ step: StepOutcome, expected: Int32, cpu: String? = nil
  ) -> Finding {
    let stderr = step.stderrTail.isEmpty ? step.stderrHead : step.stderrTail
    // A step that failed without a word (qemu refusing a host program, a missing loader) must at
    // least say what ran: otherwise "exit 1" is all anyone sees.
    let silent = step.stdoutBytes == 0 && step.stderrBytes == 0
    let ran = "nothing on stdout or stderr; what ran: " + step.argv.map(\.shellWord).joined(separator: " ")
    // What the runner found by running a silent failure again (wine's loader naming a missing DLL).
    let cause = step.diagnosis.map { "; \($0)" } ?? ""
    let tail = String(stderr.suffix(1500))
    let details = silent ? ran : stderr.isEmpty ? nil : "stderr (end):\n" + tail
    let lastWords = silent ? [String(ran.prefix(300))] : Self.lastWords(step.stderrHead, tail)
    func finding(_ verdict: Verdict, _ message: String, details: String? = nil) -> Finding {
      Finding(kind, subject, verdict, message, details: details, lastWords: details == nil ? [] : lastWords)
    }
    switch step.status {
    case .exited(expected) where step.failedAttempts != nil:
      let before = (step.failedAttempts ?? []).map(\.description).joined(separator: ", ")
      let attempt = (step.failedAttempts?.count ?? 0) + 1
      return finding(.flaky, "exit \(expected) on attempt \(attempt), after \(before)", details: silent ? nil : details)
    case .exited(expected):
      return finding(.passed, "exit \(expected) in \(String(format: "%.2f", step.duration))s")
    case .exited(let code):
      let tries = step.failedAttempts.map { " on each of \($0.count + 1) attempts" } ?? ""
      return finding(.failed, "exit \(code), expected \(expected)\(tries)\(cause)", details: details)
    case .signaled(let signal):
      let why = signal == "SIGILL" ? cpu.map { " (an instruction the \($0) CPU lacks)" } ?? "" : ""
      return finding(.failed, "killed by \(signal)\(why)", details: details)
    case .timedOut:
      return finding(.failed, step.status.description + "; its process tree was ended")
    case .interrupted:
      return finding(.error, "interrupted")
    case .infrastructure(let reason):
      return finding(.error, "could not run: \(reason)")
    case .skipped(let reason):
      return finding(.skipped, reason)
    }
  }

  /// The finding of one output stream against its rule.
  static func output(
    _ stream: StepStream, rule: OutputExpectation.Rule, of step: StepOutcome, in folder: String,
    normalize: Normalization
  ) -> Finding {
    let kind: CheckKind = stream == .stdout ? .stdout : .stderr
    let subject = Finding.Subject.step(step.id)
    switch step.status {
    case .exited: break
    case .skipped(let reason): return Finding(kind, subject, .skipped, reason)
    default: return Finding(kind, subject, .skipped, "the step did not run to its end (\(step.status))")
    }
    guard let raw = bytes(of: step, stream, in: folder) else {
      return Finding(kind, subject, .error, unreadable(step, stream, in: folder))
    }
    switch rule {
    case .equals(let text):
      return compare(
        kind, subject, expected: Data(text.utf8), actual: raw, normalize: normalize, what: "the expected text")
    case .golden(let path):
      let data: Data
      do {
        data = try RegularFile.contents(atPath: path, limit: 256 << 20)
      } catch {
        return Finding(kind, subject, .error, "the golden file \(path) \(error)")
      }
      return compare(kind, subject, expected: data, actual: raw, normalize: normalize, what: path)
    case .matches(let pattern):
      let actual = normalize.apply(String(decoding: raw, as: UTF8.self))
      let regex = try? NSRegularExpression(pattern: pattern, options: [.anchorsMatchLines])
      let found = regex?.firstMatch(in: actual, range: NSRange(actual.startIndex..., in: actual)) != nil
      return Finding(
        kind, subject, found ? .passed : .failed, found ? "matches /\(pattern)/" : "does not match /\(pattern)/",
        details: found ? nil : "\(stream.rawValue) (start):\n" + String(actual.prefix(1500)))
    }
  }

  /// A comparison's finding: passed when equal, else failed with a bounded unified diff of the
  /// normalized texts, or, when either side is not text (NUL bytes, invalid UTF-8), a hex dump
  /// around the first differing byte (binary output is compared as it is, unnormalized).
  static func compare(
    _ kind: CheckKind, _ subject: Finding.Subject, expected: Data, actual: Data, normalize: Normalization,
    what: String, actualLabel: String? = nil
  ) -> Finding {
    let label = actualLabel ?? "\(subject.name)'s \(kind.rawValue)"
    guard HexDump.isText(expected), HexDump.isText(actual) else {
      if expected == actual { return Finding(kind, subject, .passed, "equals \(what), byte for byte") }
      return Finding(
        kind, subject, .failed, "differs from \(what) (binary output)",
        details: HexDump.render(old: expected, new: actual, oldLabel: what, newLabel: label))
    }
    let (old, new) = (
      normalize.apply(String(decoding: expected, as: UTF8.self)),
      normalize.apply(String(decoding: actual, as: UTF8.self))
    )
    if old == new { return Finding(kind, subject, .passed, "equals \(what)") }
    return Finding(
      kind, subject, .failed, "differs from \(what)",
      details: UnifiedDiff.render(old: old, new: new, oldLabel: what, newLabel: label))
  }

  /// A step's whole stream as bytes: its log (up to ``CellVerifier/comparisonLimit`` bytes) when it
  /// is a regular file inside the cell's `folder` (a report is data, never a path to follow: a
  /// shard's report naming `/etc/shadow` as a log gets nothing read), else the captured head when it
  /// holds everything; nil when neither has it.
  static func bytes(of step: StepOutcome, _ stream: StepStream, in folder: String) -> Data? {
    let (head, count, log) = step.process.captured(stream)
    if count <= CellVerifier.comparisonLimit, let log, case .file(let path) = ArtifactFile.check(log, folder: folder),
      let data = FileManager.default.contents(atPath: path), data.count == count
    {
      return data
    }
    return count <= ProcessSupervisor.captureLimit && head.utf8.count == count ? Data(head.utf8) : nil
  }

  /// Why ``bytes(of:_:in:)`` has nothing for `stream`: too large to compare (its size and the
  /// limit), or its log gone or changed since the step ended.
  static func unreadable(_ step: StepOutcome, _ stream: StepStream, in folder: String) -> String {
    let (_, count, log) = step.process.captured(stream)
    let name = stream.rawValue
    if count > CellVerifier.comparisonLimit {
      return "the step's \(name) is \(byteSize(count)), over the \(CellVerifier.comparisonLimit >> 20) MiB Archway"
        + " compares; have the step write it to a file and check that, or print less"
    }
    guard let log, case .file(let path) = ArtifactFile.check(log, folder: folder) else {
      return "the step's \(name) log \(log ?? "(none)") is not a regular file inside \(folder)"
    }
    let now = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
    return "the step's \(name) log \(path) has changed since the step ended (\(count) bytes then,"
      + " \(now.map(String.init) ?? "unreadable") now)"
  }

  /// `20,000,000 bytes (19.1 MiB)`.
  static func byteSize(_ count: Int) -> String {
    var digits = String(count)
    var grouped = ""
    while digits.count > 3 {
      grouped = "," + digits.suffix(3) + grouped
      digits.removeLast(3)
    }
    let mebibytes = (Double(count) / Double(1 << 20) * 10).rounded() / 10
    return "\(digits + grouped) bytes (\(mebibytes) MiB)"
  }

  /// The most tests one step's findings list one by one: a million results would make a report
  /// over what ``RegularFile/reportLimit`` lets `report`, `diff` and `merge` read back.
  package static let listedTestsLimit = TestResults.listedLimit

  /// A finding per test of a run step that said where its results are (`tests:`), titled
  /// `STEP › TEST`; an error when there are none to read, so a suite that printed nothing, or
  /// something else, never passes as zero failures.
  static func testFindings(_ spec: TestResultsSpec, of step: StepOutcome, in folder: String) -> [Finding] {
    switch step.status {
    case .skipped, .infrastructure: return []  // The exit check says why it did not run.
    default: break
    }
    let source = spec.file ?? "its stdout"
    let problem = { (message: String) in [Finding(.tests, .step(step.id), .error, message)] }
    let data: Data
    if let file = spec.file {
      guard case .file(let path) = ArtifactFile.check(file, folder: folder),
        let read = try? RegularFile.contents(atPath: path, limit: RegularFile.reportLimit)
      else {
        return problem("the step left no test results at \(file) (inside \(folder))")
      }
      data = read
    } else {
      guard let read = bytes(of: step, .stdout, in: folder) else {
        return problem(unreadable(step, .stdout, in: folder))
      }
      data = read
    }
    let results: TestResults.Results
    do {
      results = try TestResults.parse(data, format: spec.format)
    } catch {
      return problem("\(source) is \(error)")
    }
    let cases = results.cases
    guard results.count > 0 || !results.gaps.isEmpty else {
      return problem("no test results in \(source) (\(spec.format.rawValue))")
    }
    // An incomplete record is an error of its own, beside the tests it holds: never a pass.
    let gaps =
      results.gaps.isEmpty
      ? []
      : problem(
        "\(source) is incomplete (\(spec.format.rawValue), \(results.count) tests read): "
          + results.gaps.joined(separator: "; "))
    // The parser kept the failures before the passes; the rest are counted in one check.
    var rest: [Finding] = []
    let left = results.unlisted.values.reduce(0, +)
    if left > 0 {
      let count = { (verdict: Verdict) in results.unlisted[verdict] ?? 0 }
      let failed = left - count(.passed) - count(.skipped)
      rest = [
        Finding(
          .tests, .step(step.id), failed > 0 ? .failed : .passed,
          "\(left) more tests not listed one by one (\(count(.passed)) passed, \(failed) failed,"
            + " \(count(.skipped)) skipped): a step's checks list at most \(listedTestsLimit) tests, failures first")
      ]
    }
    return gaps
      + cases.map { test in
        let time = test.duration.map { String(format: " in %.2fs", $0) } ?? ""
        let message =
          switch test.verdict {
          case .passed: "passed\(time)"
          case .flaky: "passed on a retry\(time)"
          case .failed: "failed\(time)"
          case .skipped: "skipped"
          case .error: "did not finish (its step ended first)"
          }
        let output = test.output.trimmingCharacters(in: .whitespacesAndNewlines)
        return Finding(
          .test, .test(step.id, test.name), test.verdict, message,
          details: test.verdict == .passed || output.isEmpty ? nil : String(output.suffix(3000)),
          duration: test.duration)
      } + rest
  }
}

extension Finding.Subject {
  /// The subject's name in messages: an artifact's or a step's, `STEP › TEST`, or `the cell`.
  var name: String {
    switch self {
    case .cell: "the cell"
    case .artifact(let name): name
    case .step(let id): id.name
    case .test(let step, let name): "\(step.name) › \(name)"
    }
  }
}
