import ArchwayKit
import ArchwayTestSupport
import Foundation
import Testing

/// A project's own test suite as per-test results on the seven linux targets: Examples/gomod's
/// matrix, read back by independent JUnit consumers.
@Suite struct TestSuiteCLITests {
  @Test func eachTestIsATestcaseAndTheByteOrderFailureIsNamedOnS390xAlone() throws {
    let out = Fixtures.scratch("gomod-suite")
    let result = try Command.run(
      Fixtures.archway, ["run", "Examples/gomod/archway.yml", "--out", out], environment: Fixtures.childEnvironment,
      workingDirectory: Fixtures.root)
    #expect(result.status == 1, "\(result.stderr)")
    #expect(result.stderr.contains("unit › TestHeaderMatchesPut: failed"), "the console names it: \(result.stderr)")
    let valid = try Command.run("xmllint", ["--noout", "--schema", Fixtures.junitSchema, out + "/junit.xml"])
    #expect(valid.status == 0, "\(valid.stderr)")
    let read = try Command.run("python3", [Fixtures.root + "/Tests/Oracles/junit_summary.py", out + "/junit.xml"])
    let suites = try #require(
      try JSONSerialization.jsonObject(with: Data(read.stdout.utf8)) as? [String: [String: Any]])
    let arches = ["amd64", "386", "arm64", "arm-v7", "riscv64", "ppc64le", "s390x"]
    #expect(Set(suites.keys) == Set(arches.map { "linux-\($0)-gnu" }))
    let tests = ["unit › TestRoundTrip", "unit › TestPutIsLittleEndian", "unit › TestHeaderMatchesPut"]
    for arch in arches {
      let cases = try #require(suites["linux-\(arch)-gnu"]?["cases"] as? [String: [String]], "\(arch)")
      let failed = Set(cases["failure"] ?? [])
      let passed = Set(cases["passed"] ?? [])
      if arch == "s390x" {
        #expect(failed == ["unit › TestHeaderMatchesPut", "unit: exit"], "\(cases)")
        #expect(passed.isSuperset(of: tests.prefix(2)), "\(cases)")
      } else {
        #expect(failed.isEmpty && passed.isSuperset(of: tests), "\(arch): \(cases)")
      }
    }
    let html = out + "/junit.html"
    let rendered = try Command.run("junit2html", [out + "/junit.xml", html])
    #expect(rendered.status == 0, "\(rendered.stderr)")
    #expect(try String(contentsOfFile: html, encoding: .utf8).contains("TestHeaderMatchesPut"))
    let markdown = try String(contentsOfFile: out + "/summary.md", encoding: .utf8)
    #expect(
      markdown.contains("**linux-s390x-gnu** `unit › TestHeaderMatchesPut`: failed"),
      "failed tests are named: \(markdown)")
  }
}
