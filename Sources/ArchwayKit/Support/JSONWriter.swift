/// Archway's JSON form — pretty-printed with two spaces, `"key" : value`, keys sorted, slashes
/// unescaped — written straight into bytes, for values printed by the thousand (`inspect --json`
/// over a folder of binaries): `JSONEncoder` builds a tree of boxed values and sorts every
/// object's keys at run time, which cost more than reading the binaries.
///
/// The caller writes an object's keys in sorted order (`FactsJSONTests` holds the writers to the
/// bytes `PrettyJSON.encoder()` gives); dictionaries of strings are sorted here.
package struct JSONWriter {
  /// What has been written.
  package private(set) var bytes: [UInt8] = []
  /// Per open array or object, whether it has an element yet.
  private var open: [Bool] = []
  /// Whether a key was just written, so the value follows it on the same line.
  private var afterKey = false

  /// An empty writer.
  package init() {}

  /// A writer of further elements of a top-level array whose `[` was written elsewhere, after
  /// other elements when `afterOthers` (an array written in parts, as its elements are made).
  /// What it writes, between `[` and `\n]`, gives the bytes of the whole array.
  package init(elementsOfAnArrayAfterOthers afterOthers: Bool) {
    open = [afterOthers]
  }

  // MARK: Structure

  /// Writes an array, its elements written by `body`.
  package mutating func array(_ body: (inout JSONWriter) -> Void) {
    begin(UInt8(ascii: "["))
    body(&self)
    end(UInt8(ascii: "]"))
  }

  /// Writes an object, its keys and values written by `body` (keys in sorted order).
  package mutating func object(_ body: (inout JSONWriter) -> Void) {
    begin(UInt8(ascii: "{"))
    body(&self)
    end(UInt8(ascii: "}"))
  }

  /// Writes an object's key; the next value written is its value.
  package mutating func key(_ name: String) {
    element()
    quoted(name)
    bytes += [0x20, UInt8(ascii: ":"), 0x20]
    afterKey = true
  }

  // MARK: Values

  /// Writes `null`.
  package mutating func null() {
    value()
    bytes += [UInt8(ascii: "n"), UInt8(ascii: "u"), UInt8(ascii: "l"), UInt8(ascii: "l")]
  }

  /// Writes a string, escaped as JSON requires.
  package mutating func string(_ text: String) {
    value()
    quoted(text)
  }

  /// Writes a string, or `null` for nil.
  package mutating func string(_ text: String?) {
    if let text { string(text) } else { null() }
  }

  /// Writes a whole number.
  package mutating func int(_ number: Int) {
    value()
    bytes += String(number).utf8
  }

  /// Writes a whole number, or `null` for nil.
  package mutating func int(_ number: Int?) {
    if let number { int(number) } else { null() }
  }

  /// Writes `true` or `false`.
  package mutating func bool(_ flag: Bool) {
    value()
    bytes += (flag ? "true" : "false").utf8
  }

  /// Writes an array of strings.
  package mutating func strings(_ items: [String]) {
    array { writer in for item in items { writer.string(item) } }
  }

  /// Writes an object of strings, its keys sorted.
  package mutating func object(_ entries: [String: String]) {
    object { writer in
      for key in entries.keys.sorted() {
        writer.key(key)
        writer.string(entries[key]!)
      }
    }
  }

  /// Writes an object of string arrays, its keys sorted.
  package mutating func object(_ entries: [String: [String]]) {
    object { writer in
      for key in entries.keys.sorted() {
        writer.key(key)
        writer.strings(entries[key]!)
      }
    }
  }

  // MARK: Layout

  /// Starts a value: after a key on its line, else as the next element of the open array.
  private mutating func value() {
    if afterKey { afterKey = false } else { element() }
  }

  /// A new line (after a comma for all but the first element) and the indentation of an element.
  private mutating func element() {
    guard let last = open.indices.last else { return }
    if open[last] { bytes += [UInt8(ascii: ","), 0x0A] } else { bytes.append(0x0A) }
    open[last] = true
    bytes += repeatElement(0x20, count: 2 * open.count)
  }

  private mutating func begin(_ bracket: UInt8) {
    value()
    bytes.append(bracket)
    open.append(false)
  }

  /// Closes a container: an empty one keeps a blank line inside, as `JSONEncoder` writes it.
  private mutating func end(_ bracket: UInt8) {
    let hadElements = open.removeLast()
    bytes.append(0x0A)
    if !hadElements { bytes.append(0x0A) }
    bytes += repeatElement(0x20, count: 2 * open.count)
    bytes.append(bracket)
  }

  /// `text` in quotes: `"` and `\` escaped, control characters as `\n`, `\t`, … or `\u00XX`.
  private mutating func quoted(_ text: String) {
    bytes.append(UInt8(ascii: "\""))
    var text = text
    text.withUTF8 { utf8 in
      guard utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
        bytes += utf8
        return
      }
      let hex = Array("0123456789abcdef".utf8)
      for byte in utf8 {
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes += [UInt8(ascii: "\\"), byte]
        case 0x0A: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
        case 0x0D: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
        case 0x09: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
        case 0x08: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "b")]
        case 0x0C: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "f")]
        case ..<0x20:
          bytes += [UInt8(ascii: "\\"), UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
        default: bytes.append(byte)
        }
      }
    }
    bytes.append(UInt8(ascii: "\""))
  }
}
