import ArchwayTestSupport
import Foundation
import Testing

/// The kit's folders depend downwards only: Support ← Target ← Binary ← Process ← Matrix ← Host ←
/// Environment ← Execution ← Verification ← Report ← Pipeline. A file may use the names declared in
/// its own folder and those below it, never one declared only above. The names are read from the
/// sources themselves, so the check follows the code.
@Suite struct LayerTests {
  static let order = [
    "Support", "Target", "Binary", "Process", "Matrix", "Host", "Environment", "Execution", "Verification", "Report",
    "Pipeline",
  ]

  @Test func noKitFolderUsesANameDeclaredInAFolderAboveIt() throws {
    let root = Fixtures.root + "/Sources/ArchwayKit"
    let folders = try FileManager.default.contentsOfDirectory(atPath: root).filter { !$0.hasPrefix(".") }
    #expect(Set(folders) == Set(Self.order), "a kit folder outside the order: update the order and the docs")
    var files: [(folder: String, path: String, text: String)] = []
    for folder in folders {
      let enumerator = FileManager.default.enumerator(atPath: "\(root)/\(folder)")
      while let relative = enumerator?.nextObject() as? String {
        guard relative.hasSuffix(".swift") else { continue }
        let path = "\(root)/\(folder)/\(relative)"
        files.append((folder, "\(folder)/\(relative)", try String(contentsOfFile: path, encoding: .utf8)))
      }
    }
    #expect(files.count > 100, "the sources were found")
    let violations = Layering(order: Self.order).violations(files.map { ($0.folder, $0.path, $0.text) })
    #expect(violations.isEmpty, "\(violations.joined(separator: "\n"))")
  }

  /// What a library user may call is chosen, not everything: the rest is `package` (for the
  /// executable) or internal. Under 200 `public` declarations.
  @Test func thePublicSurfaceStaysSmall() throws {
    let root = Fixtures.root + "/Sources/ArchwayKit"
    var count = 0
    let enumerator = FileManager.default.enumerator(atPath: root)
    while let relative = enumerator?.nextObject() as? String {
      guard relative.hasSuffix(".swift") else { continue }
      let text = try String(contentsOfFile: root + "/" + relative, encoding: .utf8)
      count += text.split(separator: "\n").filter { $0.drop { $0 == " " }.hasPrefix("public ") }.count
    }
    #expect(count > 50 && count < 200, "\(count) public declarations")
  }

  /// The check is no rubber stamp: a name used below the folder that declares it is caught, one used
  /// above it, in a comment or in a string is not.
  @Test func aNameUsedBelowItsFolderIsCaught() {
    let layering = Layering(order: Self.order)
    let files = [
      ("Matrix", "Matrix/Plan.swift", "public struct Plan {}\nfunc helper() {}\n"),
      ("Target", "Target/Uses.swift", "let p = Plan()  // Plan in a comment\nlet q = \"Plan\"\nlet r = helper()\n"),
      ("Report", "Report/Above.swift", "let plan = Plan()\n"),
    ]
    #expect(
      layering.violations(files) == [
        "Target/Uses.swift uses Plan, declared in Matrix", "Target/Uses.swift uses helper, declared in Matrix",
      ])
  }
}

/// Which names each folder declares at the top level of its files, and which files use a name
/// declared only in a folder above their own.
struct Layering {
  var order: [String]

  /// `FILE uses NAME, declared in FOLDER` for each such use, sorted.
  func violations(_ files: [(folder: String, path: String, text: String)]) -> [String] {
    var declaredIn: [String: Set<String>] = [:]
    let texts = files.map { (folder: $0.folder, path: $0.path, code: Self.code($0.text)) }
    for file in texts {
      for name in Self.declarations(file.code) { declaredIn[name, default: []].insert(file.folder) }
    }
    var found: Set<String> = []
    for file in texts {
      guard let level = order.firstIndex(of: file.folder) else { continue }
      for name in Self.identifiers(file.code) {
        guard let folders = declaredIn[name], !folders.isEmpty else { continue }
        let levels = folders.compactMap { order.firstIndex(of: $0) }
        guard let lowest = levels.min(), lowest > level else { continue }
        found.insert("\(file.path) uses \(name), declared in \(order[lowest])")
      }
    }
    return found.sorted()
  }

  /// The names declared at the top level: types, protocols, type aliases, functions, constants.
  static func declarations(_ code: String) -> Set<String> {
    let pattern = try! NSRegularExpression(
      pattern: #"^(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|package|internal|private|fileprivate|final|nonisolated)\s+)*"#
        + #"(?:struct|enum|class|actor|protocol|typealias|func|let|var)\s+([A-Za-z_][A-Za-z0-9_]*)"#,
      options: [.anchorsMatchLines])
    let range = NSRange(code.startIndex..., in: code)
    return Set(
      pattern.matches(in: code, range: range).compactMap { match in
        Range(match.range(at: 1), in: code).map { String(code[$0]) }
      })
  }

  /// Every identifier the code uses (its declarations' names among them).
  static func identifiers(_ code: String) -> Set<String> {
    var names: Set<String> = []
    var current = ""
    for character in code {
      if character.isLetter || character.isNumber || character == "_" {
        current.append(character)
      } else {
        if let first = current.first, !first.isNumber { names.insert(current) }
        current = ""
      }
    }
    if let first = current.first, !first.isNumber { names.insert(current) }
    return names
  }

  /// The code with comments and the text of string literals left out (what a string interpolates is
  /// kept: it is code), so a name in prose or in a message is not a use.
  static func code(_ text: String) -> String {
    let characters = Array(text.unicodeScalars)
    var out = String.UnicodeScalarView()
    var index = 0
    func at(_ offset: Int) -> Unicode.Scalar? { index + offset < characters.count ? characters[index + offset] : nil }
    func starts(_ prefix: String) -> Bool {
      prefix.unicodeScalars.enumerated().allSatisfy { at($0.offset) == $0.element }
    }
    /// Skips a string literal opened at `index` (the quotes as long as `closing`), keeping what it
    /// interpolates; a raw one (`#"…"#`) neither escapes nor interpolates with a lone backslash.
    func skipString(opening: Int, closing: String, raw: Bool = false) {
      index += opening
      while index < characters.count, !starts(closing) {
        if raw {
          index += 1
        } else if starts("\\(") {
          index += 2
          var depth = 1
          while index < characters.count, depth > 0 {
            if characters[index] == "(" { depth += 1 }
            if characters[index] == ")" { depth -= 1 }
            if depth > 0 { out.append(characters[index]) }
            index += 1
          }
          out.append(" ")
        } else {
          index += starts("\\") ? 2 : 1
        }
      }
      index += closing.unicodeScalars.count
    }
    while index < characters.count {
      if starts("//") {
        while index < characters.count, characters[index] != "\n" { index += 1 }
      } else if starts("/*") {
        while index < characters.count, !starts("*/") { index += 1 }
        index += 2
      } else if starts("#\"\"\"") {
        skipString(opening: 4, closing: "\"\"\"#", raw: true)
      } else if starts("\"\"\"") {
        skipString(opening: 3, closing: "\"\"\"")
      } else if starts("#\"") {
        skipString(opening: 2, closing: "\"#", raw: true)
      } else if starts("\"") {
        skipString(opening: 1, closing: "\"")
      } else {
        out.append(characters[index])
        index += 1
      }
    }
    return String(out)
  }
}
