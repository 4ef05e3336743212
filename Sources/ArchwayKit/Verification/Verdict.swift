/// What a check concluded.
public enum Verdict: String, Sendable, Hashable, Codable {
  /// The check held.
  case passed
  /// The check held only on a later attempt (`retries:`): the release works, but not every time.
  /// Counted apart and shown in every report, never as a plain pass.
  case flaky
  /// The check did not run, and its message says why (no runner for the target, the build failed…).
  case skipped
  /// The artifact or run is wrong: the release would fail where this check looked.
  case failed
  /// The check could not be made: the host lacks something, the run was interrupted or a file is
  /// unreadable. Not a verdict on the release, and never a pass.
  case error

  /// The verdict of several checks: failed if any failed, else error if any could not be made,
  /// else flaky if any passed only on a retry, else passed if any passed; skipped only when every
  /// check was skipped (or there were none).
  public static func overall(_ verdicts: [Verdict]) -> Verdict {
    for verdict in [Verdict.failed, .error, .flaky, .passed] where verdicts.contains(verdict) { return verdict }
    return .skipped
  }
}
