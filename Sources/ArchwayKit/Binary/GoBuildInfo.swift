/// What the Go toolchain records in every binary it links (Go 1.18 and later), as
/// `go version -m` prints it: the Go version, the main package and module, and the build
/// settings (`GOOS`, `GOARCH`, `GOAMD64`, `GOARM`, `CGO_ENABLED`, `-trimpath`, `vcs.revision`, …).
///
/// The record sits at the start of the data the linker writes first (ELF `.go.buildinfo`,
/// Mach-O `__go_buildinfo`, PE `.data`): a 32-byte header (`\xff Go buildinf:`, the pointer size,
/// flags), then, inline, the version and the module text as length-prefixed strings. Older
/// binaries point at those strings instead; they are not read (nil).
package struct GoBuildInfo: Sendable, Hashable, Codable {
  /// The toolchain: `go1.22.1`.
  package var version: String
  /// The main package's import path.
  package var path: String?
  /// The main module's path and version (`(devel)` for a build from a checkout).
  package var module: String?
  /// See ``module``.
  package var moduleVersion: String?
  /// The `build` lines, key → value, as `go version -m` shows them (`GOAMD64` → `v3`).
  package var settings: [String: String] = [:]

  enum CodingKeys: String, CodingKey {
    case version, path, module, moduleVersion = "module_version", settings
  }

  /// Creates a value from its parts.
  package init(version: String, path: String? = nil, module: String? = nil, settings: [String: String] = [:]) {
    self.version = version
    self.path = path
    self.module = module
    self.settings = settings
  }

  /// The x86-64 level Go was told to use (`GOAMD64`): `x86-64` for v1, `x86-64-v3` for v3.
  package var amd64Level: String? {
    guard settings["GOARCH"] == "amd64", let level = settings["GOAMD64"] else { return nil }
    return level == "v1" ? "x86-64" : "x86-64-\(level)"
  }

  /// The arm64 level Go was told to use (`GOARM64`: `v8.2`, `v9.0,lse`), as a `cpu:` name
  /// (`armv8.2`); nil when unset or a level Archway does not know.
  package var arm64Level: String? {
    guard let value = settings["GOARM64"] else { return nil }
    return CPULevel.known("arm" + value.prefix { $0 != "," })?.name
  }

  /// The ARM variant `GOARM` asks for (`v7` for `7` or `7,softfloat`).
  package var armVariant: String? {
    guard settings["GOARCH"] == "arm", let value = settings["GOARM"], let digit = value.first, digit.isNumber else {
      return nil
    }
    return "v\(digit)"
  }

  static let magic: [UInt8] = [0xFF] + Array(" Go buildinf:".utf8)
  /// How far into its data the record is looked for, as Go's own reader does.
  static let searchLimit = 64 * 1024

  /// The record in `range` of `view`, looked for at 16-byte steps from the range's start; nil when
  /// there is none or it is in the older pointer form. A malformed record throws.
  static func find(in view: ByteView, range: Range<Int>) throws(BinaryError) -> GoBuildInfo? {
    let end = min(range.upperBound, range.lowerBound + searchLimit)
    var at = range.lowerBound
    while at + 32 <= end {
      if view.bytes[at] == 0xFF, view.bytes[at..<(at + 14)].elementsEqual(magic) {
        return try read(view, at: at, end: range.upperBound)
      }
      at += 16
    }
    return nil
  }

  private static func read(_ view: ByteView, at start: Int, end: Int) throws(BinaryError) -> GoBuildInfo? {
    let flags = view.bytes[start + 15]
    guard flags & 2 != 0 else { return nil }  // Go 1.17 and older: pointers to the strings.
    var at = start + 32
    let version = text(view, try field(view, &at, end: end))
    var module = try field(view, &at, end: end)
    // The module text is framed by 16 bytes of sentinel (not UTF-8) on each side.
    if module.count >= 33, view.bytes[module.upperBound - 17] == 0x0A {
      module = (module.lowerBound + 16)..<(module.upperBound - 16)
    }
    let modinfo = text(view, module)
    guard version.hasPrefix("go") || version.hasPrefix("devel") else {
      throw BinaryError(offset: start + 32, "Go build info names no Go version ('\(version.prefix(40))')")
    }
    var info = GoBuildInfo(version: version)
    for line in modinfo.split(separator: "\n") {
      let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
      switch fields.first {
      case "path" where fields.count > 1: info.path = fields[1]
      case "mod" where fields.count > 2:
        info.module = fields[1]
        info.moduleVersion = fields[2]
      case "build" where fields.count > 1:
        let setting = fields[1]
        // A key is written quoted when it holds `=`, a value when it holds spaces or quotes.
        guard let equals = setting.firstIndex(of: "=") else { continue }
        info.settings[String(setting[..<equals])] = unquoted(String(setting[setting.index(after: equals)...]))
      default: break
      }
    }
    return info
  }

  /// A uvarint length, then that many bytes, within `end`: the bytes' range.
  private static func field(_ view: ByteView, _ at: inout Int, end: Int) throws(BinaryError) -> Range<Int> {
    var length = 0
    var shift = 0
    while true {
      guard at < end, shift < 35 else { throw BinaryError(offset: at, "Go build info: bad string length") }
      let byte = view.bytes[at]
      at += 1
      length |= Int(byte & 0x7F) << shift
      shift += 7
      if byte & 0x80 == 0 { break }
    }
    guard length <= end - at else {
      throw BinaryError(offset: at, "Go build info: a \(length)-byte string runs past its section")
    }
    defer { at += length }
    return at..<(at + length)
  }

  private static func text(_ view: ByteView, _ range: Range<Int>) -> String {
    String(decoding: UnsafeRawBufferPointer(rebasing: view.bytes[range]), as: UTF8.self)
  }

  /// A Go-quoted value (`"-s -w"`) without its quotes and escapes; anything else as it is.
  static func unquoted(_ text: String) -> String {
    guard text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") else { return text }
    var out = ""
    var escaped = false
    for character in text.dropFirst().dropLast() {
      if escaped {
        out.append(["n": "\n", "t": "\t"][character] ?? character)
        escaped = false
      } else if character == "\\" {
        escaped = true
      } else {
        out.append(character)
      }
    }
    return out
  }
}
