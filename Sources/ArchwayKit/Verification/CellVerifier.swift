import Foundation

/// Verifies one cell after it ran: the build, every artifact (checksum, facts, the static checks of
/// ``ArtifactVerifier``, reproducibility), every run step (exit, outputs). Checks against other
/// cells (`expect.reference`) are ``ReferenceChecks``'.
public enum CellVerifier {
  /// The most bytes of a stream read back from its log to be compared.
  public static let comparisonLimit = 16 << 20

  /// `record` with its artifacts' checksums and facts filled in, its checks and its verdict.
  public static func verify(_ record: CellRecord, cell: Cell) -> CellRecord {
    var record = record
    let spec = cell.verify
    var checks = cellChecks(record)
    if let build = record.steps.first(where: { $0.id.role == .build }) {
      checks.append(stepCheck("build", subject: nil, build, expected: 0))
    }
    var read: [String: BinaryFacts] = [:]  // Path → every fact, before the report keeps fewer.
    for index in record.artifacts.indices {
      let path = record.artifacts[index].path
      let attributes = try? FileManager.default.attributesOfItem(atPath: path)
      record.artifacts[index].size = (attributes?[.size] as? NSNumber)?.intValue
      record.artifacts[index].sha256 = Checksums.sha256(ofFile: path)
      checks += artifactChecks(&record.artifacts[index], spec: spec, target: cell.target, read: &read)
    }
    checks += loadChecks(record, cell: cell, facts: read)
    checks += ReproducibilityCheck.checks(record, cell: cell, spec: spec)
    let runs = Dictionary(record.steps.filter { $0.id.role == .run }.map { ($0.name, $0) }) { first, _ in first }
    for step in cell.steps.run {
      guard let outcome = runs[step.name] else {
        checks.append(Check("exit", subject: step.name, .error, "the step has no outcome in the record"))
        continue
      }
      checks.append(
        stepCheck(
          "exit", subject: step.name, outcome, expected: step.expect.exit,
          cpu: record.runner.cpuModel.map {
            cell.target.cpu?.name ?? cell.target.variant.flatMap(CPULevel.arm)?.name ?? $0
          }))
      guard let expectation = step.expect.outputs else { continue }
      for (stream, rule) in [(StepStream.stdout, expectation.stdout), (.stderr, expectation.stderr)] {
        guard let rule else { continue }
        checks.append(outputCheck(stream, rule: rule, of: outcome, in: cell.out, normalize: expectation.normalize))
      }
      if let tests = expectation.tests { checks += testChecks(tests, of: outcome, in: cell.out) }
    }
    // The verdict can never be kinder than the outcome: a cell that failed must have a check saying so.
    let verdict = Verdict.overall(checks.map(\.verdict))
    switch record.outcome {
    case .failed where verdict != .failed:
      checks.append(
        Check("cell", .failed, "the cell failed (\(record.problems.first ?? "a step did not end as expected"))"))
    case .infrastructure where verdict == .passed || verdict == .skipped:
      checks.append(Check("cell", .error, record.problems.first ?? "the host could not run the cell"))
    default: break
    }
    record.checks = checks
    return record
  }

  /// Checks for what stopped the cell outside its steps: problems, `--fail-fast`, interruption.
  static func cellChecks(_ record: CellRecord) -> [Check] {
    switch record.outcome {
    case .notRun: return [Check("cell", .skipped, record.problems.first ?? "not started")]
    case .interrupted where record.steps.isEmpty:
      return [Check("cell", .error, record.problems.first ?? "interrupted before it started")]
    case .infrastructure where record.steps.isEmpty:
      return record.problems.map { Check("cell", .error, $0) }
    default: return record.problems.map { Check("cell", .failed, $0) }
    }
  }

  /// In an `env:` cell whose runner uses the environment's root filesystem (its loader root): for each dynamic ELF
  /// artifact (its facts as ``artifactChecks`` read them, in `read`), whether it would load there (``LoadPredictor``), beside what happened when a run step
  /// started it. A prediction the run contradicts is an error of its own: either the run or the
  /// prediction is wrong, and the verdict must not rest on either.
  static func loadChecks(_ record: CellRecord, cell: Cell, facts read: [String: BinaryFacts]) -> [Check] {
    guard let env = cell.env, let root = record.loaderRoot else {
      return []
    }
    var checks: [Check] = []
    for artifact in record.artifacts {
      // The facts as read, not the report's: those keep only the floors' symbols, and a missing
      // version below the floor names its own.
      guard let facts = read[artifact.path] ?? artifact.facts, facts.format == .elf,
        facts.interpreter != nil || !facts.needed.isEmpty
      else { continue }
      let bound = [cell.out, record.runner.projectFolder].compactMap { $0 }
      let prediction = LoadPredictor.predict(artifact.path, facts: facts, root: root, bound: bound)
      let path = URL(fileURLWithPath: artifact.path).standardizedFileURL.path
      let started = cell.steps.run.compactMap { step -> (RunStep, StepOutcome)? in
        guard let first = step.command.argv.first, URL(fileURLWithPath: first).standardizedFileURL.path == path,
          let outcome = record.steps.first(where: { $0.id.role == .run && $0.name == step.name })
        else { return nil }
        return (step, outcome)
      }
      let ran = started.first { $0.1.status == .exited($0.0.expect.exit) }
      let loaderSaid = started.lazy.compactMap { Self.loaderRefusal($0.1, program: path) }.first
      if !prediction.loads, let (step, _) = ran {
        checks.append(
          Check(
            "loads", subject: artifact.name, .error,
            "predicted not to load in \(env) (\(prediction.summary)), but the step \(step.name) ran it: one of the two is wrong"
          ))
      } else if prediction.loads, let said = loaderSaid {
        checks.append(
          Check(
            "loads", subject: artifact.name, .error,
            "predicted to load in \(env), but its loader said: \(said); the prediction missed it"))
      } else if prediction.loads {
        checks.append(Check("loads", subject: artifact.name, .passed, "\(prediction.summary) in \(env)"))
      } else {
        let agreed = loaderSaid.map { "; the run agrees: \($0)" } ?? ""
        checks.append(
          Check(
            "loads", subject: artifact.name, .failed, "would not load in \(env): \(prediction.summary)\(agreed)",
            details: prediction.problems.joined(separator: "\n")))
      }
    }
    return checks
  }

  /// The loader's own line when a step ended because `program` could not be loaded: glibc's
  /// `error while loading shared libraries` or `version ... not found (required by`, musl's `Error
  /// loading shared library`, or no such file for the program itself (its interpreter is missing).
  static func loaderRefusal(_ step: StepOutcome, program: String) -> String? {
    guard case .exited(let code) = step.status, [1, 126, 127].contains(code) else { return nil }
    let markers = [
      "error while loading shared libraries", "not found (required by", "Error loading shared library",
      "Error relocating",
    ]
    return (step.stderrHead + "\n" + step.stderrTail).split(separator: "\n").first { line in
      markers.contains { line.contains($0) } || (line.contains(program) && line.contains("No such file or directory"))
    }.map(String.init)
  }

  /// The check of how a step ended against the exit code it should end with; a step run on the
  /// emulated CPU `cpu` (a level, or a qemu model) that died of SIGILL is said to have used an instruction that CPU lacks.
  static func stepCheck(
    _ name: String, subject: String?, _ step: StepOutcome, expected: Int32, cpu: String? = nil
  ) -> Check {
    let stderr = step.stderrTail.isEmpty ? step.stderrHead : step.stderrTail
    // A step that failed without a word (qemu refusing a host program, a missing loader) must at
    // least say what ran: otherwise "exit 1" is all anyone sees.
    let silent = step.stdoutBytes == 0 && step.stderrBytes == 0
    let details =
      silent
      ? "nothing on stdout or stderr; what ran: " + step.argv.map(\.shellWord).joined(separator: " ")
      : stderr.isEmpty ? nil : "stderr (end):\n" + String(stderr.suffix(1500))
    switch step.status {
    case .exited(expected) where step.failedAttempts != nil:
      let before = (step.failedAttempts ?? []).map(\.description).joined(separator: ", ")
      let attempt = (step.failedAttempts?.count ?? 0) + 1
      return Check(
        name, subject: subject, .flaky, "exit \(expected) on attempt \(attempt), after \(before)",
        details: silent ? nil : details)
    case .exited(expected):
      return Check(name, subject: subject, .passed, "exit \(expected) in \(String(format: "%.2f", step.duration))s")
    case .exited(let code):
      let tries = step.failedAttempts.map { " on each of \($0.count + 1) attempts" } ?? ""
      return Check(name, subject: subject, .failed, "exit \(code), expected \(expected)\(tries)", details: details)
    case .signaled(let signal):
      let why = signal == "SIGILL" ? cpu.map { " (an instruction the \($0) CPU lacks)" } ?? "" : ""
      return Check(name, subject: subject, .failed, "killed by \(signal)\(why)", details: details)
    case .timedOut:
      return Check(name, subject: subject, .failed, step.status.description + "; its process tree was ended")
    case .interrupted:
      return Check(name, subject: subject, .error, "interrupted")
    case .infrastructure(let reason):
      return Check(name, subject: subject, .error, "could not run: \(reason)")
    case .skipped(let reason):
      return Check(name, subject: subject, .skipped, reason)
    }
  }

  /// Fills in `artifact`'s facts and returns its checksum and static checks.
  static func artifactChecks(
    _ artifact: inout ArtifactRecord, spec: VerifyPolicy, target: CellTarget, read: inout [String: BinaryFacts]
  ) -> [Check] {
    guard let sha256 = artifact.sha256 else {
      return [Check("sha256", subject: artifact.name, .error, "cannot read \(artifact.path)")]
    }
    var checks = [
      Check(
        "sha256", subject: artifact.name, .passed, "sha256 \(sha256.prefix(16))…, \(artifact.size ?? 0) bytes",
        details: sha256)
    ]
    let facts = (try? BinaryInspector.inspectFile(atPath: artifact.path)) ?? BinaryFacts(path: artifact.path)
    read[artifact.path] = facts
    guard facts.format != .unknown || facts.error != nil else {
      checks.append(Check("arch", subject: artifact.name, .skipped, "not a binary; only its checksum is checked"))
      return checks
    }
    // The report keeps the symbols of each family's floor version only (what `diff` names as the
    // culprits of a floor that rose), not every versioned import.
    var recorded = facts
    recorded.versionedSymbols = facts.versionedSymbols.filter { name, _ in
      facts.floors.contains { "\($0.key)_\($0.value)" == name }
    }
    artifact.facts = recorded
    let level = target.cpu
    let policy = ArtifactPolicy(
      platform: target.platform, libc: target.libc, glibcMax: spec.glibcMax, allowedNeeded: spec.allowNeeded,
      minosMax: spec.minosMax,
      cpu: level)
    let violations = ArtifactVerifier.check(facts, against: policy)
    if let damage = violations.first(where: { $0.check == "intact" }) {
      checks.append(Check("intact", subject: artifact.name, .failed, damage.message, details: damage.found))
    }
    func check(_ name: String, on: Bool, includes: Set<String>, passed: @autoclosure () -> String) {
      guard on else { return }
      if let part = facts.damagedPart(for: name) {
        checks.append(
          Check(name, subject: artifact.name, .error, "cannot be checked: the file's \(part) is damaged"))
        return
      }
      let found = violations.filter { includes.contains($0.check) }
      checks.append(
        found.isEmpty
          ? Check(name, subject: artifact.name, .passed, passed())
          : Check(
            name, subject: artifact.name, .failed, found.map(\.message).joined(separator: "; "),
            details: found.map { "expected \($0.expected), found \($0.found)" }.joined(separator: "\n")))
    }
    let isELF = facts.format == .elf
    check(
      "arch", on: spec.arch, includes: ["readable", "format", "arch", "os-abi"],
      passed: "\(facts.format.displayName) \(facts.arch ?? facts.slices?.map(\.arch).joined(separator: ",") ?? "?")"
        + (facts.bits.map { ", \($0)-bit" } ?? "") + (facts.endian.map { " \($0.rawValue)-endian" } ?? "")
        + " fits \(target.platform)")
    check(
      "libc", on: spec.libc && isELF, includes: ["libc"],
      passed: "\(facts.linkage?.rawValue ?? "no linkage"), libc \(facts.libc.rawValue)"
        + (facts.interpreter.map { ", interpreter \($0)" } ?? "") + " fits \(target.libc)")
    check(
      "glibc-floor", on: isELF && spec.glibcMax != nil, includes: ["glibc-floor"],
      passed: facts.glibcFloor.map { "needs GLIBC_\($0), at most \(spec.glibcMax!)" } ?? "needs no versioned glibc")
    check(
      "needed", on: spec.allowNeeded != nil, includes: ["needed"],
      passed: "needs only allowed libraries (\(facts.needed.joined(separator: ", ")))")
    check(
      "cpu", on: spec.arch && level?.rank != nil, includes: ["cpu"],
      passed: (facts.cpuLevel.map { "says it needs \($0), at most \(level!.name)" } ?? "says nothing of its CPU level")
        + "; only a run on \(level!.name) proves what its code uses")
    check(
      "minos", on: spec.minosMax != nil && facts.slices != nil, includes: ["minos"],
      passed: "minos \(facts.slices?.compactMap(\.minos).joined(separator: ", ") ?? "?"), at most \(spec.minosMax!)")
    return checks
  }

  /// The check of one output stream against its rule.
  static func outputCheck(
    _ stream: StepStream, rule: OutputExpectation.Rule, of step: StepOutcome, in folder: String,
    normalize: Normalization
  ) -> Check {
    let name = stream.rawValue
    switch step.status {
    case .exited: break
    case .skipped(let reason): return Check(name, subject: step.name, .skipped, reason)
    default: return Check(name, subject: step.name, .skipped, "the step did not run to its end (\(step.status))")
    }
    guard let raw = bytes(of: step, stream, in: folder) else {
      return Check(name, subject: step.name, .error, "the step's \(name) cannot be read back from its log")
    }
    switch rule {
    case .equals(let text):
      return compare(
        name, step.name, expected: Data(text.utf8), actual: raw, normalize: normalize, what: "the expected text")
    case .golden(let path):
      let data: Data
      do {
        data = try RegularFile.contents(atPath: path, limit: 256 << 20)
      } catch {
        return Check(name, subject: step.name, .error, "the golden file \(path) \(error)")
      }
      return compare(name, step.name, expected: data, actual: raw, normalize: normalize, what: path)
    case .matches(let pattern):
      let actual = normalize.apply(String(decoding: raw, as: UTF8.self))
      let regex = try? NSRegularExpression(pattern: pattern, options: [.anchorsMatchLines])
      let found = regex?.firstMatch(in: actual, range: NSRange(actual.startIndex..., in: actual)) != nil
      return Check(
        name, subject: step.name, found ? .passed : .failed,
        found ? "matches /\(pattern)/" : "does not match /\(pattern)/",
        details: found ? nil : "\(name) (start):\n" + String(actual.prefix(1500)))
    }
  }

  /// A comparison's check: passed when equal, else failed with a bounded unified diff of the
  /// normalized texts, or, when either side is not text (NUL bytes, invalid UTF-8), a hex dump
  /// around the first differing byte (binary output is compared as it is, unnormalized).
  static func compare(
    _ name: String, _ subject: String, expected: Data, actual: Data, normalize: Normalization, what: String,
    actualLabel: String? = nil
  ) -> Check {
    let label = actualLabel ?? "\(subject)'s \(name)"
    guard HexDump.isText(expected), HexDump.isText(actual) else {
      if expected == actual { return Check(name, subject: subject, .passed, "equals \(what), byte for byte") }
      return Check(
        name, subject: subject, .failed, "differs from \(what) (binary output)",
        details: HexDump.render(old: expected, new: actual, oldLabel: what, newLabel: label))
    }
    let (old, new) = (
      normalize.apply(String(decoding: expected, as: UTF8.self)),
      normalize.apply(String(decoding: actual, as: UTF8.self))
    )
    if old == new { return Check(name, subject: subject, .passed, "equals \(what)") }
    return Check(
      name, subject: subject, .failed, "differs from \(what)",
      details: UnifiedDiff.render(old: old, new: new, oldLabel: what, newLabel: label))
  }

  /// A step's whole stream as bytes: its log (up to ``comparisonLimit`` bytes) when it is a regular
  /// file inside the cell's `folder` (a report is data, never a path to follow: a shard's report
  /// naming `/etc/shadow` as a log gets nothing read), else the captured head when it holds
  /// everything; nil when neither has it.
  static func bytes(of step: StepOutcome, _ stream: StepStream, in folder: String) -> Data? {
    let (head, count, log) = step.process.captured(stream)
    if count <= comparisonLimit, let log, case .file(let path) = ArtifactFile.check(log, folder: folder),
      let data = FileManager.default.contents(atPath: path), data.count == count
    {
      return data
    }
    return count <= ProcessSupervisor.captureLimit && head.utf8.count == count ? Data(head.utf8) : nil
  }
}

extension Verdict {
  /// The verdict of several checks: failed if any failed, else error if any could not be made,
  /// else flaky if any passed only on a retry, else passed if any passed; skipped only when every
  /// check was skipped (or there were none).
  public static func overall(_ verdicts: [Verdict]) -> Verdict {
    for verdict in [Verdict.failed, .error, .flaky, .passed] where verdicts.contains(verdict) { return verdict }
    return .skipped
  }
}
