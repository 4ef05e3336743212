import Foundation

/// What changed between two reports of a matrix (`archway diff OLD NEW`, `archway run --baseline
/// OLD.json`): per cell, per artifact and per run step, each change in a category a policy can name,
/// so a nightly job fails on a release that silently got worse and notes the rest.
package struct ReportDiff: Sendable, Hashable, Codable {
  /// The kinds of change (``RegressionPolicy/Category``).
  package typealias Category = RegressionPolicy.Category
  /// What fails a comparison (``RegressionPolicy``).
  package typealias Policy = RegressionPolicy

  /// One change, of a cell and (for an artifact, step or test) a subject.
  package struct Change: Sendable, Hashable, Codable {
    /// Its kind.
    package var category: Category
    /// The cell's id.
    package var cell: String
    /// The artifact, step (`STEP`) or test (`STEP › TEST`) it is about; nil for the cell itself.
    package var subject: String?
    /// What changed, old → new.
    package var message: String
    /// What causes it, where known: the symbols that need a floor that rose (`fstat@GLIBC_2.33`).
    package var culprits: [String] = []
    /// Whether the policy fails on it.
    package var fails = false

    /// What it is about: the cell, then its subject (`linux-arm64-gnu hello`).
    package var title: String { subject.map { "\(cell) \($0)" } ?? cell }
    /// Its category in words, then ``title`` (`floor rose linux-arm64-gnu hello`).
    package var label: String { ReportDiff.words(category) + " " + title }
  }

  /// Every change, in the new report's cell order (cells only the old one has last).
  package var changes: [Change]
  /// The policy they were judged by.
  package var policy: Policy

  /// The changes the policy fails on.
  package var failures: [Change] { changes.filter(\.fails) }

  /// How `new` differs from `old`, judged by `policy`.
  package init(from old: Report, to new: Report, policy: Policy = Policy()) {
    self.policy = policy
    let before = Dictionary(old.cells.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    let folders = { (report: Report) in
      Dictionary(report.plan.cells.map { ($0.id, $0.out) }, uniquingKeysWith: { first, _ in first })
    }
    let (oldFolders, newFolders) = (folders(old), folders(new))
    var changes: [Change] = []
    for cell in new.cells {
      guard let was = before[cell.id] else {
        changes.append(Change(category: .newCell, cell: cell.id, message: "new cell, \(cell.verdict.rawValue)"))
        // A cell that never passed fails as new: no baseline may hide it.
        if Self.failing(cell.verdict) {
          changes.append(Change(category: .newFailure, cell: cell.id, message: "a new cell, \(cell.verdict.rawValue)"))
        }
        continue
      }
      changes += Self.verdictChanges(was, cell)
      changes += Self.artifactChanges(was, cell, policy: policy)
      changes += Self.stepChanges(
        was, cell, policy: policy, folders: (oldFolders[cell.id] ?? "", newFolders[cell.id] ?? ""))
      // What moved underneath: a compiler both builds name that answers with another version (one
      // only a build names is a change of its script, seen in what it built).
      let (before, after) = (was.toolchains ?? [:], cell.toolchains ?? [:])
      var compilers = before.keys.sorted().compactMap { name in
        after[name].flatMap { $0 == before[name] ? nil : "\(name) \(before[name] ?? "") → \($0)" }
      }
      // The emulator that ran the programs is a toolchain of the run: a new qemu can make a run pass
      // or crash as a new compiler can.
      if let old = was.fingerprint?.emulator, let now = cell.fingerprint?.emulator, old != now {
        compilers.append("emulator \(old) → \(now)")
      }
      if !compilers.isEmpty {
        changes.append(Change(category: .toolchainChanged, cell: cell.id, message: compilers.joined(separator: "; ")))
      }
      if let old = was.fingerprint, let now = cell.fingerprint, old != now {
        let moved = Self.fieldChanges(
          old.properties.filter { $0.0 != "emulator" }, now.properties.filter { $0.0 != "emulator" })
        if !moved.isEmpty {
          changes.append(Change(category: .environmentChanged, cell: cell.id, message: moved.joined(separator: "; ")))
        }
      }
    }
    let now = Set(new.cells.map(\.id))
    for cell in old.cells where !now.contains(cell.id) {
      changes.append(Change(category: .missingCell, cell: cell.id, message: "no longer in the report"))
    }
    self.changes = changes.map { change in
      var judged = change
      judged.fails = policy.failOn.contains(change.category)
      return judged
    }
  }

  /// `old → new` for each property whose value differs (a missing one as `none`).
  static func fieldChanges(_ old: [(String, String)], _ new: [(String, String)]) -> [String] {
    let was = Dictionary(old, uniquingKeysWith: { first, _ in first })
    let now = Dictionary(new, uniquingKeysWith: { first, _ in first })
    return Set(was.keys).union(now.keys).sorted().compactMap { key in
      was[key] == now[key] ? nil : "\(key) \(was[key] ?? "none") → \(now[key] ?? "none")"
    }
  }

  static func failing(_ verdict: Verdict) -> Bool { verdict == .failed || verdict == .error }

  /// The cell's verdict, and each per-test result's (findings of kind `test`).
  static func verdictChanges(_ old: VerifiedCell, _ new: VerifiedCell) -> [Change] {
    var changes: [Change] = []
    let problems = new.findings.filter { failing($0.verdict) }.map(\.title)
    let said = problems.isEmpty ? "" : ": " + problems.prefix(5).joined(separator: ", ")
    switch (failing(old.verdict), failing(new.verdict)) {
    case (false, true):
      changes.append(
        Change(
          category: .newFailure, cell: new.id, message: "\(old.verdict.rawValue) → \(new.verdict.rawValue)\(said)"))
    case (true, false):
      changes.append(
        Change(category: .fixed, cell: new.id, message: "\(old.verdict.rawValue) → \(new.verdict.rawValue)"))
    case (true, true):
      changes.append(Change(category: .stillFailing, cell: new.id, message: "\(new.verdict.rawValue)\(said)"))
    case (false, false): break
    }
    if new.verdict == .flaky {
      let steps = new.findings.filter { $0.verdict == .flaky }.map(\.title).joined(separator: ", ")
      let before = old.verdict == .flaky ? "flaky before too" : "not flaky before (\(old.verdict.rawValue))"
      changes.append(Change(category: .flaky, cell: new.id, message: "\(steps); \(before)"))
    }
    let tests = Dictionary(
      old.findings.filter { $0.kind == .test }.map { ($0.subject, $0.verdict) }, uniquingKeysWith: { first, _ in first }
    )
    for check in new.findings where check.kind == .test {
      guard let was = tests[check.subject] else { continue }
      if !failing(was), failing(check.verdict) {
        changes.append(
          Change(
            category: .newFailure, cell: new.id, subject: check.title, message: "passed → \(check.verdict.rawValue)"))
      } else if failing(was), check.verdict == .passed {
        changes.append(
          Change(category: .fixed, cell: new.id, subject: check.title, message: "\(was.rawValue) → passed"))
      }
    }
    let reproducible = { (cell: VerifiedCell) in cell.findings.first { $0.kind == .reproducible }?.verdict }
    if let was = reproducible(old), let now = reproducible(new), was != now, was == .passed || now == .passed {
      changes.append(
        Change(
          category: .reproducibilityFlipped, cell: new.id, message: "reproducible: \(was.rawValue) → \(now.rawValue)"))
    }
    return changes
  }

  /// Each artifact's facts, by name: floors, libraries, loader, libc, linkage, arch, size, bytes.
  static func artifactChanges(_ old: VerifiedCell, _ new: VerifiedCell, policy: Policy) -> [Change] {
    var changes: [Change] = []
    let before = Dictionary(old.artifacts.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    for artifact in new.artifacts {
      let name = artifact.name
      guard let was = before[name] else {
        changes.append(Change(category: .newArtifact, cell: new.id, subject: name, message: "new artifact"))
        continue
      }
      let change = { (category: Category, message: String) in
        changes.append(Change(category: category, cell: new.id, subject: name, message: message))
      }
      if let old = was.facts, let now = artifact.facts {
        changes += floorChanges(old, now, cell: new.id, artifact: name)
        let added = Set(now.needed).subtracting(old.needed).sorted()
        let removed = Set(old.needed).subtracting(now.needed).sorted()
        if !added.isEmpty { change(.neededAdded, "needs " + added.joined(separator: ", ") + " now") }
        if !removed.isEmpty { change(.neededRemoved, "no longer needs " + removed.joined(separator: ", ")) }
        if old.interpreter != now.interpreter {
          change(.interpreterChanged, "interpreter \(old.interpreter ?? "none") → \(now.interpreter ?? "none")")
        }
        if old.libc != now.libc { change(.libcChanged, "libc \(old.libc.rawValue) → \(now.libc.rawValue)") }
        if old.linkage != now.linkage {
          change(.linkageChanged, "linkage \(old.linkage?.rawValue ?? "none") → \(now.linkage?.rawValue ?? "none")")
        }
        let shape = { (facts: BinaryFacts) -> [(String, String)] in
          [
            ("arch", facts.arch), ("bits", facts.bits.map(String.init)), ("endian", facts.endian?.rawValue),
            ("float_abi", facts.floatABI),
          ].compactMap { key, value in value.map { (key, $0) } }
        }
        let moved = fieldChanges(shape(old), shape(now))
        if !moved.isEmpty { change(.archChanged, moved.joined(separator: "; ")) }
      }
      if let old = was.size, let now = artifact.size, old > 0 {
        let growth = (Double(now) - Double(old)) / Double(old)
        let percent = String(format: "%+.0f%%", growth * 100)
        if growth > policy.sizeGrowth { change(.sizeGrew, "\(old) → \(now) bytes (\(percent))") }
        if growth < -policy.sizeGrowth { change(.sizeShrank, "\(old) → \(now) bytes (\(percent))") }
      }
      if let old = was.sha256, let now = artifact.sha256, old != now {
        change(.artifactChanged, "sha256 \(old.prefix(16))… → \(now.prefix(16))…")
      }
    }
    let now = Set(new.artifacts.map(\.name))
    for artifact in old.artifacts where !now.contains(artifact.name) {
      changes.append(
        Change(category: .missingArtifact, cell: new.id, subject: artifact.name, message: "no longer built"))
    }
    return changes
  }

  /// Each floor family's rise or fall; a rising floor names the symbols bound to the new version (all
  /// new requirements, since the old floor was lower), as the report keeps them.
  static func floorChanges(_ old: BinaryFacts, _ new: BinaryFacts, cell: String, artifact: String) -> [Change] {
    let floors = { (facts: BinaryFacts) in
      facts.floors.merging(facts.glibcFloor.map { ["GLIBC": $0] } ?? [:], uniquingKeysWith: { first, _ in first })
    }
    let was = floors(old)
    let now = floors(new)
    var changes: [Change] = []
    for family in Set(was.keys).union(now.keys).sorted() {
      let before = was[family].flatMap { DottedVersion($0) }
      let after = now[family].flatMap { DottedVersion($0) }
      guard before != after else { continue }
      let message = "\(family) floor \(was[family] ?? "none") → \(now[family] ?? "none")"
      guard let after, before.map({ $0 < after }) ?? true else {
        changes.append(Change(category: .floorFell, cell: cell, subject: artifact, message: message))
        continue
      }
      let name = "\(family)_\(now[family] ?? "")"
      let symbols = new.versionedSymbols[name] ?? (family == "GLIBC" ? new.floorSymbols : [])
      let culprits = symbols.map { "\($0)@\(name)" }
      let named = culprits.isEmpty ? "" : " (" + culprits.prefix(8).joined(separator: ", ") + ")"
      changes.append(
        Change(category: .floorRose, cell: cell, subject: artifact, message: message + named, culprits: culprits))
    }
    return changes
  }

  /// Each run step's output and duration, matched by its id. Each report's own cell folder in an
  /// output reads as `${cell.out}`, so two runs into different `--out` folders print the same; a
  /// step with per-test results is compared by those instead.
  static func stepChanges(
    _ old: VerifiedCell, _ new: VerifiedCell, policy: Policy, folders: (old: String, new: String) = ("", "")
  ) -> [Change] {
    var changes: [Change] = []
    let before = Dictionary(
      old.steps.filter { $0.id.role == .run }.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    for step in new.steps where step.id.role == .run {
      guard let was = before[step.id] else { continue }
      let output = { (step: StepOutcome, folder: String) in
        [step.stdoutHead, step.stdoutTail].map {
          folder.isEmpty ? $0 : $0.replacingOccurrences(of: folder, with: "${cell.out}")
        }
      }
      let (before, after) = (output(was, folders.old), output(step, folders.new))
      // A step with per-test results is compared test by test: its runner's output holds timings.
      let tested = new.findings.contains { $0.kind == .test && $0.step == step.id }
      if before != after, !tested {
        changes.append(
          Change(
            category: .outputChanged, cell: new.id, subject: step.name,
            message: "stdout changed (\(was.stdoutBytes) → \(step.stdoutBytes) bytes)"
              + firstDifference(before[0], after[0])))
      }
      if step.duration >= Policy.shortestDuration, step.duration > was.duration * policy.durationGrowth {
        let message = String(format: "%.2fs → %.2fs (%.1f×)", was.duration, step.duration, step.duration / was.duration)
        changes.append(Change(category: .durationGrew, cell: new.id, subject: step.name, message: message))
      }
    }
    return changes
  }

  /// `: line N "old" → "new"` for the first line that differs, when one does.
  static func firstDifference(_ old: String, _ new: String) -> String {
    let was = old.split(separator: "\n", omittingEmptySubsequences: false)
    let now = new.split(separator: "\n", omittingEmptySubsequences: false)
    for index in 0..<max(was.count, now.count) {
      let a = index < was.count ? String(was[index]) : ""
      let b = index < now.count ? String(now[index]) : ""
      if a != b { return ": line \(index + 1) \"\(a.prefix(80))\" → \"\(b.prefix(80))\"" }
    }
    return ""
  }
}
