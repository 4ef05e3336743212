import Foundation

extension CellVerifier {
  /// A check per test of a run step that said where its results are (`tests:`), named
  /// `STEP › TEST`; an error when there are none to read, so a suite that printed nothing, or
  /// something else, never passes as zero failures.
  static func testChecks(_ spec: TestResultsSpec, of step: StepOutcome, in folder: String) -> [Check] {
    switch step.status {
    case .skipped, .infrastructure: return []  // The exit check says why it did not run.
    default: break
    }
    let source = spec.file ?? "its stdout"
    let data: Data
    if let file = spec.file {
      guard case .file(let path) = ArtifactFile.check(file, folder: folder),
        let read = try? RegularFile.contents(atPath: path, limit: RegularFile.reportLimit)
      else {
        return [
          Check("tests", subject: step.name, .error, "the step left no test results at \(file) (inside \(folder))")
        ]
      }
      data = read
    } else {
      guard let read = bytes(of: step, .stdout, in: folder) else {
        return [Check("tests", subject: step.name, .error, "the step's stdout cannot be read back from its log")]
      }
      data = read
    }
    let cases: [TestResults.Case]
    do {
      cases = try TestResults.parse(data, format: spec.format)
    } catch {
      return [Check("tests", subject: step.name, .error, "\(source) is \(error)")]
    }
    guard !cases.isEmpty else {
      return [Check("tests", subject: step.name, .error, "no test results in \(source) (\(spec.format.rawValue))")]
    }
    return cases.map { test in
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
      return Check(
        "test", subject: "\(step.name) › \(test.name)", test.verdict, message,
        details: test.verdict == .passed || output.isEmpty ? nil : String(output.suffix(3000)), duration: test.duration)
    }
  }
}
