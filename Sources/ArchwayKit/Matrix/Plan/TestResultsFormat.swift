/// How a run step's test tool writes its results.
package enum TestResultsFormat: String, Sendable, Hashable, Codable, CaseIterable {
  /// `go test -json`, or `go tool test2json` around a test binary.
  case goTestJSON = "go-test-json"
  /// The Test Anything Protocol (Perl's prove, many shell and C harnesses).
  case tap
  /// JUnit XML (`ctest --output-junit`, pytest's `--junitxml`).
  case junit
  /// What automake's parallel test harness prints in `make check` (`PASS: NAME` lines and a
  /// `Testsuite summary` per folder of tests), read from standard output.
  case automake
}
