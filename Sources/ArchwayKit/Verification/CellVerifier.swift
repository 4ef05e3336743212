import Foundation

/// Verifies one cell after it ran: what stopped it, its build, every artifact (checksum, facts, the
/// static checks of ``ArtifactVerifier``, whether it loads, reproducibility), every run step (exit,
/// outputs, per-test results). Checks against other cells are ``CrossCellChecks``'.
public enum CellVerifier {
  /// The most bytes of a stream read back from its log to be compared.
  package static let comparisonLimit = 16 << 20

  /// The kinds of finding a reused cell takes from the run its steps come from: what its run steps
  /// and rebuilds showed. Its build, artifacts and static checks are this run's own.
  package static let carriedKinds: Set<CheckKind> = [.exit, .stdout, .stderr, .tests, .test, .reproducible]

  /// `execution` verified against its plan, `cell`; for a cell whose steps were taken from an earlier
  /// run (`run --reuse`), `earlier` is that run's findings, of which it keeps ``carriedKinds``.
  public static func verify(_ execution: ExecutionRecord, cell: Cell, earlier: [Finding] = []) -> VerifiedCell {
    var findings = problemFindings(execution)
    if let build = execution.step(.build) {
      findings.append(OutputChecks.ending(.build, .step(.build), build, expected: 0))
    }
    var artifacts: [ArtifactRecord] = []
    var read: [String: BinaryFacts] = [:]  // Path → every fact, before the report keeps fewer.
    for artifact in execution.artifacts {
      let verified = ArtifactChecks.verify(artifact, policy: cell.verify, target: cell.target, root: cell.out)
      artifacts.append(verified.artifact)
      read[artifact.path] = verified.facts
      findings += verified.findings
    }
    findings += ArtifactChecks.loads(execution, cell: cell, facts: read)
    if let from = execution.reuse?.from {
      findings += carried(earlier, of: cell, from: from)
    } else {
      findings += ReproducibilityChecks.findings(execution, artifacts: artifacts, cell: cell)
      let cpu = execution.runner.cpuModel.map {
        cell.target.cpu?.name ?? cell.target.variant.flatMap(CPULevel.arm)?.name ?? $0
      }
      for step in cell.steps.run {
        guard let outcome = execution.step(step.id) else {
          findings.append(Finding(.exit, .step(step.id), .error, "the step has no outcome in the record"))
          continue
        }
        findings += OutputChecks.findings(step, outcome, folder: cell.out, cpu: cpu)
      }
    }
    findings += floor(execution, findings)
    return VerifiedCell(execution: execution, artifacts: artifacts, findings: findings)
  }

  /// The `earlier` findings of ``carriedKinds``; a run step the earlier report has no `exit` finding
  /// for is an error, so a report cut or edited down never passes a step that was not checked.
  static func carried(_ earlier: [Finding], of cell: Cell, from: ReusedFrom) -> [Finding] {
    var findings = earlier.filter { carriedKinds.contains($0.kind) }
    for step in cell.steps.run where !findings.contains(where: { $0.kind == .exit && $0.subject == .step(step.id) }) {
      findings.append(
        Finding(.exit, .step(step.id), .error, "reused from \(from.report), whose cell has no exit check of this step"))
    }
    return findings
  }

  /// Findings for what stopped the cell outside its steps: problems, `--fail-fast`, interruption.
  static func problemFindings(_ execution: ExecutionRecord) -> [Finding] {
    let first = execution.problems.first?.description
    switch execution.outcome {
    case .notRun: return [Finding(.cell, .cell, .skipped, first ?? "not started")]
    case .interrupted where execution.steps.isEmpty:
      return [Finding(.cell, .cell, .error, first ?? "interrupted before it started")]
    case .infrastructure where execution.steps.isEmpty:
      return execution.problems.map { Finding(.cell, .cell, .error, $0.description) }
    default: return execution.problems.map { Finding(.cell, .cell, .failed, $0.description) }
    }
  }

  /// The verdict can never be kinder than the outcome: a cell that failed must have a finding saying
  /// so, one that the host could not run an error.
  static func floor(_ execution: ExecutionRecord, _ findings: [Finding]) -> [Finding] {
    let verdict = Verdict.overall(findings.map(\.verdict))
    let first = execution.problems.first?.description
    switch execution.outcome {
    case .failed where verdict != .failed:
      return [Finding(.cell, .cell, .failed, "the cell failed (\(first ?? "a step did not end as expected"))")]
    case .infrastructure where verdict == .passed || verdict == .skipped:
      return [Finding(.cell, .cell, .error, first ?? "the host could not run the cell")]
    default: return []
    }
  }
}
