import Foundation

/// A value in a matrix file: a scalar, a list or a map, each remembering where it was written.
///
/// Equality ignores locations: two cells with the same values are the same cell wherever their
/// values came from.
package struct MatrixValue: Sendable, CustomStringConvertible {
  /// The value's shape. Maps compare by their entries in any order, as YAML and JSON maps do.
  package indirect enum Kind: Sendable, Hashable {
    /// A scalar as written, with YAML's resolved type.
    case string(String), int(Int), double(Double), bool(Bool), null
    /// A sequence.
    case list([MatrixValue])
    /// A mapping, in the file's order.
    case map([MatrixEntry])

    /// Equal contents; map entries in any order.
    package static func == (lhs: Kind, rhs: Kind) -> Bool {
      switch (lhs, rhs) {
      case (.string(let a), .string(let b)): a == b
      case (.int(let a), .int(let b)): a == b
      case (.double(let a), .double(let b)): a == b
      case (.bool(let a), .bool(let b)): a == b
      case (.null, .null): true
      case (.list(let a), .list(let b)): a == b
      case (.map(let a), .map(let b)): Set(a) == Set(b) && a.count == b.count
      default: false
      }
    }

    /// Hashes contents; map entries in key order.
    package func hash(into hasher: inout Hasher) {
      switch self {
      case .string(let text): hasher.combine(0); hasher.combine(text)
      case .int(let number): hasher.combine(1); hasher.combine(number)
      case .double(let number): hasher.combine(2); hasher.combine(number)
      case .bool(let flag): hasher.combine(3); hasher.combine(flag)
      case .null: hasher.combine(4)
      case .list(let items): hasher.combine(5); hasher.combine(items)
      case .map(let entries): hasher.combine(6); hasher.combine(entries.sorted { $0.key < $1.key })
      }
    }
  }

  /// What the value is.
  package var kind: Kind
  /// Where it was written.
  package var location: SourceLocation
  /// For a string scalar: how many columns its text starts after `location` (1 for a quoted
  /// scalar), or nil when its text is not on one line (block scalars), so that a placeholder's
  /// column can be told exactly.
  var textOffset: Int?
  /// For a literal block scalar (`script: |`): the column where its lines start in the file, on
  /// the lines after its location, so that a placeholder's line and column can be told too.
  var blockColumn: Int?
  /// For a number or boolean: its text as written (`1.20`, `0x10`, `True`), which YAML's typing
  /// would otherwise turn into `1.2`, `16`, `true` in ids, placeholders and versions.
  var written: String?

  /// Creates a value written at `location`.
  package init(_ kind: Kind, at location: SourceLocation, textOffset: Int? = 0, written: String? = nil) {
    self.kind = kind
    self.location = location
    self.textOffset = textOffset
    self.written = written
  }

  /// A scalar's text as written (`O2`, `1.20`, `true`); lists and maps in compact JSON.
  package var description: String { written ?? canonical }

  /// A scalar's text as YAML typed it (`1.2` for `1.20`); lists and maps in compact JSON.
  private var canonical: String {
    switch kind {
    case .string(let text): text
    case .int(let number): String(number)
    case .double(let number): String(number)
    case .bool(let flag): String(flag)
    case .null: "null"
    case .list(let items): "[" + items.map(\.json).joined(separator: ",") + "]"
    case .map(let entries): "{" + entries.map { "\($0.key.jsonQuoted):\($0.value.json)" }.joined(separator: ",") + "}"
    }
  }

  /// The value as compact JSON.
  var json: String {
    switch kind {
    case .string(let text): text.jsonQuoted
    default: canonical
    }
  }

  /// A scalar's text (strings, numbers, booleans); nil for lists, maps and null.
  var scalarText: String? {
    switch kind {
    case .string, .int, .double, .bool: description
    default: nil
    }
  }

  /// The string, if this is a string scalar.
  package var string: String? {
    if case .string(let text) = kind { return text }
    return nil
  }

  /// The entries, if this is a map.
  package var entries: [MatrixEntry]? {
    if case .map(let entries) = kind { return entries }
    return nil
  }

  /// The items, if this is a list.
  package var items: [MatrixValue]? {
    if case .list(let items) = kind { return items }
    return nil
  }

  /// The value of `key`, if this is a map that has it.
  package subscript(key: String) -> MatrixValue? { entries?.first { $0.key == key }?.value }

  /// What YAML calls this shape, for messages: `a string`, `a list`, `a map`.
  var shapeName: String {
    switch kind {
    case .string: "a string"
    case .int, .double: "a number"
    case .bool: "a boolean"
    case .null: "null"
    case .list: "a list"
    case .map: "a map"
    }
  }
}

extension MatrixValue: Hashable {
  /// Values are equal when their contents are, wherever they were written.
  package static func == (lhs: MatrixValue, rhs: MatrixValue) -> Bool { lhs.kind == rhs.kind }
  /// Hashes the contents only.
  package func hash(into hasher: inout Hasher) { hasher.combine(kind) }
}

extension MatrixValue: Codable {
  /// Decodes plain JSON (locations are not kept).
  package init(from decoder: any Decoder) throws {
    let nowhere = SourceLocation(file: "", line: 0, column: 0)
    let container = try decoder.singleValueContainer()
    if container.decodeNil() {
      self.init(.null, at: nowhere)
    } else if let flag = try? container.decode(Bool.self) {
      self.init(.bool(flag), at: nowhere)
    } else if let number = try? container.decode(Int.self) {
      self.init(.int(number), at: nowhere)
    } else if let number = try? container.decode(Double.self) {
      self.init(.double(number), at: nowhere)
    } else if let text = try? container.decode(String.self) {
      self.init(.string(text), at: nowhere)
    } else if let items = try? container.decode([MatrixValue].self) {
      self.init(.list(items), at: nowhere)
    } else {
      let object = try container.decode([String: MatrixValue].self)
      self.init(.map(object.keys.sorted().map { MatrixEntry(key: $0, value: object[$0]!) }), at: nowhere)
    }
  }

  /// Encodes as plain JSON: scalars, arrays and objects. A number written in a form JSON would
  /// change (`1.20`, `0x10`, `010`) is its text, a string, so the report keeps what was written.
  package func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    if let written, written != canonical {
      try container.encode(written)
      return
    }
    switch kind {
    case .string(let text): try container.encode(text)
    case .int(let number): try container.encode(number)
    case .double(let number): try container.encode(number)
    case .bool(let flag): try container.encode(flag)
    case .null: try container.encodeNil()
    case .list(let items): try container.encode(items)
    case .map(let entries):
      try container.encode(Dictionary(entries.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first }))
    }
  }
}

/// One key and its value in a map.
package struct MatrixEntry: Sendable, Hashable {
  /// The key as written.
  package var key: String
  /// Where the key was written.
  package var keyLocation: SourceLocation?
  /// The value.
  package var value: MatrixValue

  /// Creates an entry.
  package init(key: String, keyLocation: SourceLocation? = nil, value: MatrixValue) {
    self.key = key
    self.keyLocation = keyLocation
    self.value = value
  }

  /// Entries are equal when key and value are, wherever they were written.
  package static func == (lhs: MatrixEntry, rhs: MatrixEntry) -> Bool { lhs.key == rhs.key && lhs.value == rhs.value }
  /// Hashes key and value only.
  package func hash(into hasher: inout Hasher) {
    hasher.combine(key)
    hasher.combine(value)
  }
}

extension String {
  /// The string as a JSON string literal.
  var jsonQuoted: String {
    var out = "\""
    for scalar in unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\t": out += "\\t"
      case "\r": out += "\\r"
      default:
        if scalar.value < 0x20 {
          out += String(format: "\\u%04x", scalar.value)
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    return out + "\""
  }
}
