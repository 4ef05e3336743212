import ArchwayTestSupport
import Foundation
import Testing

@testable import ArchwayKit

/// The report reader against damaged and hostile reports (issue 33): `report`, `diff`, `merge` and
/// `--baseline` read a report.json that anything may have written (a shard of another machine, a
/// cache, an attacker), so any bytes must give a report or a ReportError, never a trap. A real
/// report of `archway run` is mutated thousands of ways from a fixed seed (numbers made huge,
/// negative or fractional, strings long or empty, values of another type, the text cut or bytes
/// flipped), each read back and, when it reads, rendered as JUnit, Markdown and HTML and compared
/// with itself. A trap ends the test process, which fails the run. This is a mutation test with a
/// fixed seed, not a coverage-guided fuzzer: the readers of what the project under test writes are
/// fuzzed by `Scripts/fuzz.sh results`.
@Suite struct ReportReaderTests {
  /// A report of a real run: a native cell that builds, inspects and runs a program with an output
  /// rule, per-test results (TAP) and a failing check, so most of the report's types are in it.
  static func realReport() async throws -> Data {
    let folder = Fixtures.scratch("report-reader")
    let matrix = folder + "/m.yml"
    try """
    matrix:
      opt: [O1, O2]
    build:
      argv: [cc, "-${opt}", -o, "${cell.out}/hello", "\(Fixtures.root)/Examples/hello/hello.c"]
      artifacts: {hello: "${cell.out}/hello"}
    run:
      - name: greet
        argv: ["${artifact:hello}", "${cell.id}"]
        expect: {stdout_matches: "^hello"}
      - name: suite
        argv: [printf, "1..2\\nok 1 - a\\nnot ok 2 - b\\n"]
        tests: {format: tap}
    verify:
      glibc_max: 2.17
    """.write(toFile: matrix, atomically: true, encoding: .utf8)
    let run = try await Command.run(
      Fixtures.archway, ["run", "--out", folder + "/out", matrix], environment: Fixtures.childEnvironment)
    #expect(run.status == 1, "a failing check and a failing test: \(run.stderr)")
    return try Data(contentsOf: URL(fileURLWithPath: folder + "/out/report.json"))
  }

  /// Values that have broken readers: out of range for Int, negative sizes and counts, fractions
  /// where counts go, text where numbers go, and the reverse.
  static let hostileScalars: [String] = [
    "-1", "0", "1e308", "-1e308", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
    "18446744073709551616", "1.5", "-0.0", "1e-320", "\"\"", "\"-1\"", "\"\\u0000\"", "null", "true", "[]", "{}",
    "\"" + String(repeating: "A", count: 70_000) + "\"", "[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]",
  ]

  /// `text` with one scalar (a number, string, true/false/null) replaced by `replacement`.
  static func replacingScalar(in text: [UInt8], using generator: inout SplitMix64, with replacement: String) -> [UInt8]
  {
    // Scalars start after `:`, `[` or `,` (and any spaces); pick one of those places at random.
    let starts = text.indices.filter { [UInt8(ascii: ":"), UInt8(ascii: "["), UInt8(ascii: ",")].contains(text[$0]) }
    guard var start = starts.randomElement(using: &generator).map({ $0 + 1 }) else { return text }
    while start < text.count, text[start] == UInt8(ascii: " ") || text[start] == UInt8(ascii: "\n") { start += 1 }
    guard start < text.count, !["{", "["].contains(Character(UnicodeScalar(text[start]))) else { return text }
    var end = start
    if text[start] == UInt8(ascii: "\"") {
      end += 1
      while end < text.count, text[end] != UInt8(ascii: "\"") { end += text[end] == UInt8(ascii: "\\") ? 2 : 1 }
      end = min(end + 1, text.count)
    } else {
      while end < text.count, ![",", "}", "]", "\n", " "].contains(Character(UnicodeScalar(text[end]))) { end += 1 }
    }
    return Array(text[..<start]) + Array(replacement.utf8) + Array(text[end...])
  }

  @Test func anyDamagedReportReadsOrIsRefusedWithoutATrap() async throws {
    let original = [UInt8](try await Self.realReport())
    #expect(try Report.decode(Data(original), named: "report.json").cells.count == 2)
    var generator = SplitMix64(
      seed: UInt64(ProcessInfo.processInfo.environment["ARCHWAY_REPORT_SEED"] ?? "") ?? 0x4152_4348_5741_5933)
    var (read, refused) = (0, 0)
    for round in 0..<(Int(ProcessInfo.processInfo.environment["ARCHWAY_REPORT_MUTATIONS"] ?? "") ?? 2000) {
      var bytes = original
      switch round % 4 {
      case 0, 1:
        for _ in 0..<Int.random(in: 1...3, using: &generator) {
          bytes = Self.replacingScalar(
            in: bytes, using: &generator, with: Self.hostileScalars.randomElement(using: &generator)!)
        }
      case 2:
        bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &generator)))
      default:
        for _ in 0..<Int.random(in: 1...8, using: &generator) {
          bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
        }
      }
      guard let report = try? Report.decode(Data(bytes), named: "report.json") else {
        refused += 1
        continue
      }
      read += 1
      // What `archway report` and `diff` do with what they read.
      _ = JUnitReport.render(report)
      _ = MarkdownReport.render(report)
      _ = HTMLReport.render(report)
      _ = ReportDiff(from: report, to: report)
    }
    // Both kinds happened: the mutations reach past the header into the cells.
    #expect(read > 100 && refused > 100, "\(read) read, \(refused) refused")
  }
}
