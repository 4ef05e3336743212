import ArchwayKit
import ArchwayTestSupport
import Foundation
import Testing

/// Projects' own test suites as per-test results on the seven linux targets (Examples/gomod,
/// Examples/clib, Examples/cmake), read back by independent JUnit consumers; then the same suites
/// inside a Debian root filesystem (the rootfs runner).
@Suite struct TestSuiteCLITests {
  /// An example's matrix, its tests and the planted failures each arch must show (an arch it does
  /// not name passes every test).
  struct Example: CustomTestStringConvertible, Sendable {
    let folder: String
    let tests: [String]
    let failures: [String: Set<String>]
    var testDescription: String { folder }
  }

  static let arches = ["amd64", "386", "arm64", "arm-v7", "riscv64", "ppc64le", "s390x"]
  static let examples = [
    Example(
      folder: "gomod", tests: ["unit › TestRoundTrip", "unit › TestPutIsLittleEndian", "unit › TestHeaderMatchesPut"],
      failures: ["s390x": ["unit › TestHeaderMatchesPut", "unit: exit"]]),
    Example(
      folder: "clib",
      tests: ["check › roundtrip", "check › words", "check › stack", "check › pipeline", "check › known-text"],
      failures: ["s390x": ["check › words", "check: exit"], "riscv64": ["check › stack", "check: exit"]]),
    Example(
      folder: "cmake", tests: ["ctest › known", "ctest › words", "ctest › sum"],
      failures: ["s390x": ["ctest › words", "ctest: exit"]]),
  ]

  @Test(arguments: examples)
  func eachTestIsATestcaseAndThePlantedFailuresAreNamedOnTheirArchAlone(example: Example) async throws {
    let out = Fixtures.scratch("suite-\(example.folder)")
    let result = try await Command.run(
      Fixtures.archway, ["run", "Examples/\(example.folder)/archway.yml", "--out", out],
      environment: Fixtures.childEnvironment, workingDirectory: Fixtures.root)
    #expect(result.status == 1, "\(result.stderr)")
    for failed in example.failures.values.flatMap({ $0 }) where failed.contains(" › ") {
      #expect(result.stderr.contains("\(failed)"), "the console names it: \(result.stderr)")
    }
    let suites = try await Reports.junit(out + "/junit.xml")
    #expect(Set(suites.keys) == Set(Self.arches.map { "linux-\($0)-gnu" }))
    for arch in Self.arches {
      let cases = try #require(suites["linux-\(arch)-gnu"]?["cases"] as? [String: [String]], "\(arch)")
      let failed = Set(cases["failure"] ?? [])
      let passed = Set(cases["passed"] ?? [])
      let planted = example.failures[arch] ?? []
      #expect(failed == planted, "\(arch): \(cases)")
      #expect(passed.isSuperset(of: Set(example.tests).subtracting(planted)), "\(arch): \(cases)")
    }
    let html = out + "/junit.html"
    let rendered = try await Command.run("junit2html", [out + "/junit.xml", html])
    #expect(rendered.status == 0, "\(rendered.stderr)")
    let page = try String(contentsOfFile: html, encoding: .utf8)
    let markdown = try String(contentsOfFile: out + "/summary.md", encoding: .utf8)
    for (arch, tests) in example.failures {
      for test in tests where test.contains(" › ") {
        #expect(page.contains(test.replacingOccurrences(of: "›", with: "&#8250;")) || page.contains(test))
        #expect(markdown.contains("**linux-\(arch)-gnu** `\(test)`: failed"), "failed tests are named: \(markdown)")
      }
    }
  }

  /// The same three suites inside Debian 12's own userland for amd64 and arm64 (binfmt_misc): the
  /// programs built on the host, the suite's runner (check.sh, ctest, test2json) inside the root
  /// filesystem, the project visible there read-only. cmake comes from Examples/cmake's own recipe.
  @Test func theSuitesPassInsideADebianRootFilesystem() async throws {
    let folder = Fixtures.scratch("suite-env")
    let matrix = folder + "/suites.yml"
    try """
    matrix:
      platform: [linux/amd64, linux/arm64]
      suite: [clib, cmake, gomod]
      include:
        - {suite: clib, env: debian-12}
        - {suite: cmake, env: debian-12-cmake}
        - {suite: gomod, env: debian-12}
    build:
      shell: bash
      script: |
        case ${suite} in
          clib) make -s -f Examples/clib/Makefile "O=${cell.out}" CC=${target.gcc_prefix}gcc ;;
          cmake) cmake -S Examples/cmake -B "${cell.out}/build" -DCMAKE_C_COMPILER=${target.gcc_prefix}gcc \\
                   -DCMAKE_SYSTEM_NAME=Linux -DCMAKE_SYSTEM_PROCESSOR=${target.arch} >/dev/null
                 cmake --build "${cell.out}/build" >/dev/null ;;
          gomod) export GOARCH=${target.goarch} CGO_ENABLED=0
                 (cd Examples/gomod && go test -c -o "${cell.out}/runner" .)
                 mv "${cell.out}/runner" "${cell.out}/wire.test"
                 go build -o "${cell.out}/runner" cmd/test2json ;;
        esac
    run:
      - name: suite
        shell: sh
        workdir: .
        script: |
          case ${suite} in
            clib) sh Examples/clib/check.sh "${cell.out}" ;;
            cmake) ctest --test-dir "${cell.out}/build" --output-junit "${cell.out}/tests.xml" >/dev/null ;;
            gomod) "${cell.out}/runner" -t "${cell.out}/wire.test" -test.v >"${cell.out}/tests.json" ;;
          esac
    """.write(toFile: matrix, atomically: true, encoding: .utf8)
    let result = try await Command.run(
      Fixtures.archway,
      ["run", matrix, "--out", folder + "/out", "--containers", Fixtures.root + "/Examples/cmake/Containers"],
      environment: Fixtures.childEnvironment, workingDirectory: Fixtures.root)
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    let report = try Reports.read(folder + "/out/report.json")
    #expect(report.cells.count == 6)
    for cell in report.cells {
      #expect(cell.runner.kind == .rootfs && cell.verdict == .passed, "\(cell.id): \(cell.runner), \(cell.verdict)")
    }
    // What each suite's runner wrote inside the root filesystem: every test ran, and passed.
    for arch in ["amd64", "arm64"] {
      let cell = { (env: String, suite: String) in folder + "/out/linux-\(arch)-gnu-\(env)-suite=\(suite)" }
      let tap = try String(contentsOfFile: cell("debian-12", "clib") + "/logs/suite.stdout.log", encoding: .utf8)
      #expect(tap.components(separatedBy: "\nok ").count == 6 && !tap.contains("not ok"), "\(arch): \(tap)")
      let ctest = try String(contentsOfFile: cell("debian-12-cmake", "cmake") + "/tests.xml", encoding: .utf8)
      #expect(ctest.contains("tests=\"3\"") && ctest.contains("failures=\"0\""), "\(arch): \(ctest)")
      let go = try String(contentsOfFile: cell("debian-12", "gomod") + "/tests.json", encoding: .utf8)
      #expect(go.components(separatedBy: "\"Action\":\"pass\"").count == 5, "three tests and the package: \(go)")
    }
  }
}
