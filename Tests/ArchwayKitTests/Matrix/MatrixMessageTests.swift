import Foundation
import Testing

@testable import ArchwayKit

/// The matrix messages of the second hostile round (issue 33, item 13): each bad value quoted, where
/// it came from, and what is accepted; values that mean the same are one cell, not several.
@Suite struct MatrixMessageTests {
  static func plan(_ yaml: String) throws -> [Cell] {
    try Planner(host: Platform(os: "linux", arch: "amd64")).plan(try MatrixFile.parse(yaml: yaml, file: "bad.yml"))
  }

  @Test(arguments: [
    // Three spellings of one target made three identical cells (`linux-amd64-gnu~2`, `~3`).
    (
      "matrix:\n  platform: [linux/amd64, amd64, x86_64]\nrun:\n  - argv: [\"true\"]\n",
      "bad.yml:2:27: duplicate cell 'linux-amd64-gnu': platform 'amd64' names the same cell as 'linux/amd64'"
        + " (line 2); write each cell once"
    ),
    // A boolean and a string of the same text are one value to every placeholder.
    (
      "matrix:\n  flag: [true, \"true\"]\nrun:\n  - argv: [\"${flag}\"]\n",
      "bad.yml:2:16: duplicate cell 'linux-amd64-gnu-flag=true': flag '\"true\"' (a string) names the same cell as"
        + " 'true' (a boolean, line 2); write each cell once"
    ),
    // A NUL ends a C string: the program would get "tr", silently.
    (
      "matrix:\n  v: [a]\nrun:\n  - argv: [\"tr\\0ue\"]\n",
      "bad.yml:4:12: the value \"tr\\0ue\" holds a NUL character, which no argument, variable or file name can carry"
    ),
    // A step name is a log file's name and a line of the console.
    (
      "matrix:\n  v: [a]\nrun:\n  - name: \"red\\e[31m\"\n    argv: [\"true\"]\n",
      "bad.yml:4:11: step name \"red\\u{1B}[31m\" holds a control character; a step name is a file name and a line"
        + " of the console: use letters, digits, spaces and punctuation"
    ),
    // Comparing a step with its own output always passes.
    (
      "matrix:\n  v: [a]\nrun:\n  - argv: [\"true\"]\n    expect: {reference: \"${cell.id}\"}\n",
      "bad.yml:5:25: 'reference' names the cell itself ('linux-amd64-gnu-v=a'): its output would be compared with"
        + " itself; name another cell"
    ),
    (
      "matrix:\n  v: [a, b]\n  include:\n    - {v: a, same_as: linux-amd64-gnu-v=a}\nbuild:\n  argv: [\"true\"]\n",
      "bad.yml:4:23: 'same_as' names the cell itself ('linux-amd64-gnu-v=a'): its artifacts would be compared with"
        + " themselves; name another cell"
    ),
    (
      "matrix:\n  v: [a]\nrun:\n  - argv: [\"true\"]\n    ulimit: {nofile: unlimited}\n",
      "bad.yml:5:22: ulimit 'nofile' cannot be unlimited: Linux allows at most fs.nr_open open files; give a number"
    ),
  ])
  func eachBadValueIsQuotedAtItsPlace(yaml: String, message: String) {
    #expect(throws: MatrixError.self) { try Self.plan(yaml) }
    do {
      _ = try Self.plan(yaml)
    } catch {
      #expect("\(error)" == message)
    }
  }

  /// The cell that every other compares with may name itself (a top-level `reference:`): only its
  /// own step goes uncompared.
  @Test func theReferenceCellMayNameItselfWhenOthersCompareWithIt() throws {
    let cells = try Self.plan(
      "matrix:\n  v: [a, b]\nrun:\n  - argv: [\"true\"]\n    expect: {reference: linux-amd64-gnu-v=a}\n")
    #expect(cells.count == 2)
  }

  /// `ulimit: {core: unlimited}` as `ulimit -c unlimited` says it: `prlimit --core=unlimited`.
  @Test func aLimitMayBeUnlimited() throws {
    let cells = try Self.plan(
      "matrix:\n  v: [a]\nrun:\n  - argv: [\"true\"]\n    ulimit: {core: unlimited, stack: 8192}\n")
    #expect(cells[0].steps.run[0].command.prlimitOptions == ["--core=unlimited:unlimited", "--stack=8388608:8388608"])
  }

  /// A 5,000-character value makes an id no file system takes as a folder name (255 bytes): the id is
  /// cut and given a hash of the whole, so the cell still runs, and two such values stay two cells.
  @Test func aLongValueMakesAnIdThatIsAFolderName() throws {
    let (a, b) = (String(repeating: "x", count: 5000), String(repeating: "x", count: 4999) + "y")
    let cells = try Self.plan("matrix:\n  v: [\(a), \(b)]\nrun:\n  - argv: [\"${v}\"]\n")
    #expect(cells.count == 2 && Set(cells.map(\.id)).count == 2)
    for cell in cells {
      #expect(cell.id.utf8.count <= 200 && cell.id.hasPrefix("linux-amd64-gnu-v=xxx"), "\(cell.id)")
      #expect(cell.steps.run[0].command.argv[0].count == 5000, "the value itself is whole")
    }
  }

  /// A file that is not UTF-8, or holds a raw control character, is named with line and column.
  @Test func aFileThatIsNotTextSaysWhere() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("archway-text-\(getpid())").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let cases: [(bytes: [UInt8], message: String)] = [
      (
        Array("matrix:\n  v: [a]\nrun:\n  - argv: [\"tr".utf8) + [0xFF] + Array("ue\"]\n".utf8),
        "bad.yml:4:15: is not UTF-8 text: byte 0xFF cannot start a UTF-8 character; save the file as UTF-8"
      ),
      (
        Array("matrix:\n  v: [a]\nrun:\n  - argv: [\"tr".utf8) + [0] + Array("ue\"]\n".utf8),
        "bad.yml:4:15: the file holds a control character (0x00) YAML does not allow; write it as an escape"
          + " inside double quotes (\"\\t\")"
      ),
    ]
    for (bytes, message) in cases {
      let path = folder + "/bad.yml"
      try Data(bytes).write(to: URL(fileURLWithPath: path))
      do {
        _ = try MatrixFile.load(path: path)
        Issue.record("\(message) was accepted")
      } catch {
        #expect("\(error)" == message.replacingOccurrences(of: "bad.yml", with: path))
      }
    }
  }
}
