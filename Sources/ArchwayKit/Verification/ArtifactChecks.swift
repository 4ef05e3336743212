import Foundation

/// The checks of a cell's artifacts: each one's checksum and facts, the static checks of
/// ``ArtifactVerifier`` against the cell's policy, and (in an environment's root filesystem) whether
/// it would load there, beside what its run showed.
enum ArtifactChecks {
  /// `artifact` with its size, checksum and facts filled in (the report keeps the symbols of each
  /// floor's version only), its findings, and every fact as read (for the load prediction). What its
  /// loader looks for beside it must lie in `root`, the cell's folder.
  static func verify(
    _ artifact: ArtifactRecord, policy: VerifyPolicy, target: CellTarget, root: String
  ) -> (artifact: ArtifactRecord, facts: BinaryFacts?, findings: [Finding]) {
    var artifact = artifact
    (artifact.size, artifact.sha256) = FileDigest.measure(artifact.path)
    let subject = Finding.Subject.artifact(artifact.name)
    guard let sha256 = artifact.sha256 else {
      return (artifact, nil, [Finding(.sha256, subject, .error, "cannot read \(artifact.path)")])
    }
    var findings = [
      Finding(.sha256, subject, .passed, "sha256 \(sha256.prefix(16))…, \(artifact.size ?? 0) bytes", details: sha256)
    ]
    let facts = (try? BinaryInspector.inspectFile(atPath: artifact.path)) ?? BinaryFacts(path: artifact.path)
    guard facts.format != .unknown || facts.error != nil else {
      findings.append(Finding(.arch, subject, .skipped, "not a binary; only its checksum is checked"))
      return (artifact, facts, findings)
    }
    // The report keeps the symbols of each family's floor version only (what `diff` names as the
    // culprits of a floor that rose), not every versioned import.
    var recorded = facts
    recorded.versionedSymbols = facts.versionedSymbols.filter { name, _ in
      facts.floors.contains { "\($0.key)_\($0.value)" == name }
    }
    artifact.facts = recorded
    let place = ArtifactPlace(artifact: artifact.path, root: root)
    return (
      artifact, facts, findings + staticFindings(facts, subject: subject, policy: policy, target: target, place: place)
    )
  }

  /// The static checks of `facts` against the cell's policy and target, in a fixed order: `intact`
  /// (a damaged file), `arch`, `libc`, `glibc-floor`, `musl-floor`, `needed`, `cpu`, `minos`, `dlls`, `os-version`,
  /// `signature`, `dyld`, `page-size`, each where it applies.
  private static func staticFindings(
    _ facts: BinaryFacts, subject: Finding.Subject, policy: VerifyPolicy, target: CellTarget, place: ArtifactPlace
  ) -> [Finding] {
    let level = target.cpu
    // The policy `verify` checks against, whose derived values (the OS release, the minos ceiling,
    // the glibc ceiling, the page size) the passed messages below say too.
    let checked = ArtifactPolicy(
      platform: target.platform, libc: target.libc, glibcMax: policy.glibcMax, allowedNeeded: policy.allowNeeded,
      minosMax: policy.minosMax, cpu: level, pageSize: policy.pageSize, osVersion: target.osVersion,
      signed: policy.signed ?? false, allowArm64e: policy.allowArm64e ?? false)
    let violations = ArtifactVerifier.check(facts, against: checked, place: place)
    var findings: [Finding] = []
    if let damage = violations.first(where: { $0.check == .intact }) {
      findings.append(Finding(.intact, subject, .failed, damage.message, details: damage.found))
    }
    func check(_ kind: CheckKind, on: Bool, passed: @autoclosure () -> String) {
      guard on else { return }
      if let part = facts.damagedPart(for: kind) {
        findings.append(Finding(kind, subject, .error, "cannot be checked: the file's \(part) is damaged"))
        return
      }
      let found = violations.filter { $0.check != .intact && $0.check.checkKind == kind }
      findings.append(
        found.isEmpty
          ? Finding(kind, subject, .passed, passed())
          : Finding(
            kind, subject, .failed, found.map(\.message).joined(separator: "; "),
            details: found.map { "expected \($0.expected), found \($0.found)" }.joined(separator: "\n")))
    }
    let isELF = facts.format == .elf
    check(
      .arch, on: policy.arch,
      passed: "\(facts.format.displayName) \(facts.arch ?? facts.slices?.map(\.arch).joined(separator: ",") ?? "?")"
        + (facts.bits.map { ", \($0)-bit" } ?? "") + (facts.endian.map { " \($0.rawValue)-endian" } ?? "")
        + " fits \(target.platform)")
    check(
      .libc, on: policy.libc && isELF,
      passed: "\(facts.linkage?.rawValue ?? "no linkage"), libc \(facts.libc.rawValue)"
        + (facts.interpreter.map { ", interpreter \($0)" } ?? "") + " fits \(target.libc)")
    check(
      .glibcFloor, on: isELF && policy.glibcMax != nil,
      passed: facts.glibcFloor.map { "needs GLIBC_\($0), at most \(policy.glibcMax!)" } ?? "needs no versioned glibc")
    check(
      .muslFloor, on: isELF && policy.libc && target.libc.muslCeiling != nil,
      passed: facts.muslFloor.map { "needs musl \($0), at most \(target.libc.muslCeiling!)" }
        ?? "imports nothing newer than musl 1.1.19 that Archway knows of")
    check(
      .needed, on: policy.allowNeeded != nil,
      passed: "needs only allowed libraries (\(facts.needed.joined(separator: ", ")))")
    let macSlices = target.os == "darwin" ? facts.slices ?? [] : []
    let cpuCeiling = checked.cpuCeiling
    check(
      .cpu, on: policy.arch && (cpuCeiling?.rank != nil || macSlices.contains { $0.arch == "amd64" }),
      passed: cpuCeiling.map { level in
        (facts.cpuLevel.map { "says it needs \($0), at most \(level.name)" } ?? "says nothing of its CPU level")
          + "; only a run on \(level.name) proves what its code uses"
      } ?? "every amd64 slice runs under Rosetta 2 and on the Intel Macs of its macOS")
    let slices = facts.slices ?? []
    let release = checked.osRelease
    let ceiling = checked.minosCeiling
    check(
      .minos, on: policy.arch && ceiling != nil && facts.slices != nil,
      passed: "minos \(facts.slices?.compactMap(\.minos).joined(separator: ", ") ?? "?"), at most \(ceiling!)")
    let isPE = facts.format == .pe
    let delayed = facts.delayDLLs ?? []
    check(
      .dlls, on: policy.arch && isPE && release != nil,
      passed: "every DLL it imports is part of \(release?.displayName ?? "") or beside it"
        + (delayed.isEmpty ? "" : "; delay-loaded, checked only when called: \(delayed.joined(separator: ", "))"))
    let builtByGo = facts.goBuild != nil || slices.contains { $0.goBuild != nil }
    let kernelTag = target.os == "linux" ? facts.kernelFloor : nil
    check(
      .osVersion, on: policy.arch && release != nil && (isPE || builtByGo || kernelTag != nil),
      passed: "asks for no release newer than \(release?.displayName ?? "")"
        + (isPE ? " (subsystem \(facts.subsystemVersion ?? "?"), OS \(facts.peOSVersion ?? "?"))" : "")
        + (kernelTag.map { " (ABI tag \($0))" } ?? ""))
    let perSlice = { (fact: (MachOSlice) -> String) in
      slices.count == 1 ? fact(slices[0]) : slices.map { "\($0.cpu): \(fact($0))" }.joined(separator: "; ")
    }
    let authenticode = isPE && policy.signed == true
    check(
      .signature, on: policy.arch && (!slices.isEmpty || authenticode),
      passed: authenticode
        ? "carries an Authenticode signature (its certificate is not judged)"
        : perSlice { $0.signature?.summary ?? "not read" })
    check(.dyld, on: policy.arch && !slices.isEmpty, passed: "LC_UUID " + perSlice { $0.uuid ?? "none" })
    let refused = ArtifactVerifier.execStackRefused
    check(
      .execStack, on: policy.libc && isELF && facts.type == "shared-library" && target.libc.isGNU,
      passed: facts.execStackReason.map { why in
        "asks for an executable stack (\(why)); the target's glibc \(checked.glibcMax?.description ?? "?") is older"
          + " than \(refused), which refuses to dlopen it"
      } ?? "its stack is not executable")
    check(
      .pageSize, on: policy.arch && isELF && facts.maxPageSize != nil,
      passed: "PT_LOAD segments fit pages up to \(PageSize.name(facts.maxPageSize ?? 0));"
        + " \(target.platform) kernels use up to \(PageSize.name(checked.pageSize))")
    return findings
  }

  /// In an `env:` cell whose runner used the environment's root filesystem (its loader root): for
  /// each dynamic ELF artifact (its facts as read, in `facts`), whether it would load there
  /// (``LoadPredictor``), beside what happened when a run step started it. A prediction the run
  /// contradicts is an error of its own: either the run or the prediction is wrong, and the verdict
  /// must not rest on either.
  static func loads(_ execution: ExecutionRecord, cell: Cell, facts read: [String: BinaryFacts]) -> [Finding] {
    guard let env = cell.env, let root = execution.loaderRoot else { return [] }
    var findings: [Finding] = []
    for artifact in execution.artifacts {
      // The facts as read, not the report's: those keep only the floors' symbols, and a missing
      // version below the floor names its own.
      guard let facts = read[artifact.path], facts.format == .elf, facts.interpreter != nil || !facts.needed.isEmpty
      else { continue }
      let bound = [cell.out, execution.runner.projectFolder].compactMap { $0 }
      let prediction = LoadPredictor.predict(artifact.path, facts: facts, root: root, bound: bound)
      let path = URL(fileURLWithPath: artifact.path).standardizedFileURL.path
      let started = cell.steps.run.compactMap { step -> (RunStep, StepOutcome)? in
        guard let first = step.command.argv.first, URL(fileURLWithPath: first).standardizedFileURL.path == path,
          let outcome = execution.step(step.id)
        else { return nil }
        return (step, outcome)
      }
      let ran = started.first { $0.1.status == .exited($0.0.expect.exit) }
      let loaderSaid = started.lazy.compactMap { Self.loaderRefusal($0.1, program: path) }.first
      let subject = Finding.Subject.artifact(artifact.name)
      if !prediction.loads, let (step, _) = ran {
        findings.append(
          Finding(
            .loads, subject, .error,
            "predicted not to load in \(env) (\(prediction.summary)), but the step \(step.name) ran it: one of the two is wrong"
          ))
      } else if prediction.loads, let said = loaderSaid {
        findings.append(
          Finding(
            .loads, subject, .error,
            "predicted to load in \(env), but its loader said: \(said); the prediction missed it"))
      } else if prediction.loads {
        findings.append(Finding(.loads, subject, .passed, "\(prediction.summary) in \(env)"))
      } else {
        let agreed = loaderSaid.map { "; the run agrees: \($0)" } ?? ""
        findings.append(
          Finding(
            .loads, subject, .failed, "would not load in \(env): \(prediction.summary)\(agreed)",
            details: prediction.problems.joined(separator: "\n")))
      }
    }
    return findings
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
}
