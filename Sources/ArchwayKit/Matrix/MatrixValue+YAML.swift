import Yams

extension MatrixValue {
  /// Parses YAML text into a value tree whose every node keeps its line and column in `file`.
  ///
  /// Throws a ``MatrixError`` at the offending position for a YAML syntax error, a duplicate key,
  /// an alias, or a non-scalar key. Returns nil for an empty document.
  package static func parse(yaml: String, file: String) throws(MatrixError) -> MatrixValue? {
    let node: Node?
    do {
      node = try Yams.compose(yaml: yaml)
    } catch let error as YamlError {
      throw convert(error, file: file, text: yaml)
    } catch {
      throw MatrixError("cannot parse YAML: \(error)", at: nil)
    }
    guard let node else { return nil }
    var seen: Set<[Int]> = []
    let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
    return try MatrixValue(node: node, file: file, lines: lines, seen: &seen)
  }

  /// `lines` are the file's lines; `seen` holds where each list, map and non-empty scalar
  /// converted so far was written.
  ///
  /// One case per kind of YAML node, each with its own guard against aliases and duplicate keys:
  /// kept whole, the recursion and what it refuses read in one place.
  private init(node: Node, file: String, lines: [Substring], seen: inout Set<[Int]>) throws(MatrixError) {
    let location = SourceLocation(file: file, line: node.mark?.line ?? 0, column: node.mark?.column ?? 0)
    // Yams resolves an alias to a copy of the anchored node, mark and all, so a second node from
    // one place in the text is an alias: refused at the first copy, before a 400-byte alias bomb
    // is expanded. (Empty scalars are left out: two nulls may be marked at one place.)
    if let mark = node.mark, node.scalar.map({ !$0.string.isEmpty }) ?? true {
      guard seen.insert([mark.line, mark.column]).inserted else {
        throw MatrixError(
          "a YAML alias repeats the value anchored here; aliases are not supported: write the value out",
          at: location)
      }
    }
    switch node {
    case .scalar(let scalar):
      // A C string ends at a NUL: an argument, variable or path holding one would be cut silently.
      if scalar.string.contains("\0") {
        throw MatrixError(
          "the value \(scalar.string.prefix(200).debugDescription) holds a NUL character, which no argument, variable"
            + " or file name can carry", at: location)
      }
      // Only plain scalars get YAML's types: a quoted "16" stays a string.
      var kind = Kind.string(scalar.string)
      // YAML 1.1's base-60 numbers (`1:20`, GitHub Actions' YAML 1.2 has none) stay text: Yams
      // computes them with trapping arithmetic, so `1:9999:99999999999999999` would crash the reader.
      if scalar.style == .plain, !scalar.string.contains(":") {
        if node.null != nil {
          kind = .null
        } else if let flag = node.bool {
          kind = .bool(flag)
        } else if let number = node.int {
          kind = .int(number)
        } else if let number = node.float {
          kind = .double(number)
        }
      }
      var offset: Int?
      switch scalar.style {
      case .plain: offset = 0
      case .singleQuoted, .doubleQuoted: offset = 1
      default: offset = nil
      }
      if scalar.string.contains("\n") { offset = nil }
      let typed: Bool
      switch kind {
      case .int, .double, .bool: typed = true
      default: typed = false
      }
      self.init(kind, at: location, textOffset: offset, written: typed ? scalar.string : nil)
      if scalar.style == .literal { blockColumn = Self.blockColumn(of: scalar.string, after: location.line, in: lines) }
    case .sequence(let sequence):
      var items: [MatrixValue] = []
      for item in sequence { items.append(try MatrixValue(node: item, file: file, lines: lines, seen: &seen)) }
      self.init(.list(items), at: location)
    case .mapping(let mapping):
      var entries: [MatrixEntry] = []
      for (keyNode, valueNode) in mapping {
        let keyLocation = SourceLocation(
          file: file, line: keyNode.mark?.line ?? 0, column: keyNode.mark?.column ?? 0)
        guard case .scalar(let key) = keyNode else {
          throw MatrixError("a key must be a plain word, not a list or a map", at: keyLocation)
        }
        if entries.contains(where: { $0.key == key.string }) {
          throw MatrixError("duplicate key '\(key.string)'", at: keyLocation)
        }
        entries.append(
          MatrixEntry(
            key: key.string, keyLocation: keyLocation,
            value: try MatrixValue(node: valueNode, file: file, lines: lines, seen: &seen))
        )
      }
      self.init(.map(entries), at: location)
    case .alias:
      throw MatrixError("YAML aliases are not supported here; write the value out", at: location)
    }
  }

  private static func convert(_ error: YamlError, file: String, text: String) -> MatrixError {
    func at(_ mark: Mark) -> SourceLocation { SourceLocation(file: file, line: mark.line, column: mark.column) }
    switch error {
    case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
      .composer(let context, let problem, let mark, _):
      let while_ = context.map { " (\($0.text))" } ?? ""
      return MatrixError("YAML syntax error: \(problem)\(while_)", at: at(mark))
    case .duplicatedKeysInMapping(let duplicates, let context):
      let location = secondOccurrence(of: duplicates.first ?? "", after: context.mark, in: text, file: file)
      return MatrixError("duplicate key '\(duplicates.joined(separator: "', '"))'", at: location ?? at(context.mark))
    case .reader(let problem, let offset, let value, _):
      guard let offset, let place = TextPosition(byteOffset: offset, in: Array(text.utf8)) else {
        return MatrixError("cannot read YAML: \(problem)\(offset.map { " at byte \($0)" } ?? "")", at: nil)
      }
      let location = SourceLocation(file: file, line: place.line, column: place.column)
      guard problem.hasPrefix("control characters") else {
        return MatrixError("cannot read YAML: \(problem)", at: location)
      }
      let byte = String(format: "0x%02X", value)
      return MatrixError(
        "the file holds a control character (\(byte)) YAML does not allow; write it as an escape inside double quotes"
          + " (\"\\t\")", at: location)
    default:
      return MatrixError("cannot parse YAML: \(error)", at: nil)
    }
  }

  /// Where `key:` is written the second time in the block mapping that starts at `mark`: Yams
  /// reports a duplicate key at the mapping's start, and the user wants the repeated line.
  private static func secondOccurrence(
    of key: String, after mark: Mark, in text: String, file: String
  )
    -> SourceLocation?
  {
    let indent = String(repeating: " ", count: mark.column - 1)
    var seen = 0
    for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
    where index + 1 >= mark.line && line.hasPrefix(indent + key + ":") {
      seen += 1
      if seen == 2 { return SourceLocation(file: file, line: index + 1, column: mark.column) }
    }
    return nil
  }
}

extension MatrixValue {
  /// The column where the lines of a literal block scalar (`script: |`) start in the file: the
  /// indentation its first line with text has in the file, less what it keeps in `text` (an
  /// indentation indicator, `|2`, keeps more). The block starts on the line after its `|`, on
  /// line `header`; nil when the file does not hold the text there.
  fileprivate static func blockColumn(of text: String, after header: Int, in lines: [Substring]) -> Int? {
    let textLines = text.split(separator: "\n", omittingEmptySubsequences: false)
    guard let first = textLines.firstIndex(where: { !$0.allSatisfy { $0 == " " } }), header + first < lines.count
    else { return nil }
    let written = lines[header + first]  // 0-based: the line after the header's
    let kept = textLines[first].prefix { $0 == " " }.count
    let indent = written.prefix { $0 == " " }.count - kept
    guard indent >= 0, written.dropFirst(indent).hasPrefix(textLines[first]) else { return nil }
    return indent + 1
  }
}
