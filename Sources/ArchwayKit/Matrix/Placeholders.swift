import Foundation

/// Resolves `${...}` placeholders in a cell's steps: axis values (`${opt}`), target names
/// (`${target.zig}`…), `${cell.id}`, `${cell.out}`, `${archway}` (this program, for a test runner's
/// emulator setting: `archway exec`) and, in run steps, `${artifact:NAME}` (the
/// artifact's absolute path); `$${` stands for a literal `${`. This is the only placeholder parser:
/// what it leaves is text. Substitution is textual, inside each string: nothing passes through a shell.
struct Placeholders {
  let values: [String: String]
  /// Artifact name → absolute path, once the build block is decoded; nil while resolving the build.
  var artifacts: [String: String]?

  init(cell: Cell, names: TargetNames, cpu: CPULevel? = nil) {
    var values: [String: String] = [:]
    for entry in cell.values { values[entry.key] = entry.value.description }
    let target: [String: String?] = [
      "platform": names.platform, "os": names.os, "arch": names.arch, "variant": names.variant ?? "",
      "libc": names.libc, "goos": names.goos, "goarch": names.goarch, "goarm": names.goarm ?? "",
      "rust": names.rust, "zig": names.zig, "llvm": names.llvm, "gcc_prefix": names.gccPrefix ?? "",
      "multiarch": names.multiarch ?? "", "debian_arch": names.debianArch ?? "", "qemu": names.qemu ?? "",
    ]
    for (key, value) in target { values["target.\(key)"] = value ?? "" }
    // The CPU's names for compilers; without a `cpu:`, the arch's baseline (amd64 `x86-64`, arm
    // its variant's, arm64 `armv8-a`), and nothing where Archway knows no levels.
    let baseline =
      cpu?.rank == nil
      ? CPULevel.levels.first { $0.arch == names.arch && (names.arch != "arm" || $0.armVariant == names.variant) }
      : cpu
    values["target.cpu"] = cpu?.name ?? ""
    values["target.qemu_cpu"] = cell.target.qemuModel ?? ""
    // The release as a number (`13.0`, `10.0.14393`, `3.10`), the OS's default without `os_version:`.
    let release = cell.target.osVersion ?? OSVersion.defaultVersion(for: cell.target.os, arch: cell.target.arch)
    values["target.os_version"] = release?.version.description ?? ""
    values["target.march"] = baseline?.march ?? ""
    values["target.goamd64"] = baseline?.goamd64 ?? ""
    values["target.goarm64"] = baseline?.goarm64 ?? ""
    if let goarm = baseline?.goarm { values["target.goarm"] = goarm }
    values["cell.id"] = cell.id
    values["cell.out"] = cell.out
    values["archway"] = Self.archway
    self.values = values
  }

  /// The absolute path of the running program (`archway`), so a step can hand `${archway} exec` to
  /// ctest, `go test -exec` or Cargo however Archway was started.
  static let archway: String = {
    (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
      ?? URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
  }()

  /// `value` with every placeholder in every string replaced. Throws a ``MatrixError`` at the
  /// placeholder's line and column when it names nothing this cell has.
  func resolve(_ value: MatrixValue) throws(MatrixError) -> MatrixValue {
    var result = value
    switch value.kind {
    case .string(let text): result.kind = .string(try substitute(text, in: value))
    case .list(let items):
      var resolved: [MatrixValue] = []
      for item in items { resolved.append(try resolve(item)) }
      result.kind = .list(resolved)
    case .map(let entries):
      var resolved: [MatrixEntry] = []
      for entry in entries {
        resolved.append(MatrixEntry(key: entry.key, keyLocation: entry.keyLocation, value: try resolve(entry.value)))
      }
      result.kind = .map(resolved)
    default: break
    }
    return result
  }

  private func substitute(_ text: String, in value: MatrixValue) throws(MatrixError) -> String {
    let scalars = Array(text.unicodeScalars)
    var out = String.UnicodeScalarView()
    var index = 0
    while index < scalars.count {
      if scalars[index] == "$", index + 2 < scalars.count, scalars[index + 1] == "$", scalars[index + 2] == "{" {
        out.append(contentsOf: ["$", "{"])  // `$${` is a literal `${`.
        index += 3
        continue
      }
      guard scalars[index] == "$", index + 1 < scalars.count, scalars[index + 1] == "{" else {
        out.append(scalars[index])
        index += 1
        continue
      }
      guard let close = scalars[(index + 2)...].firstIndex(of: "}") else {
        throw MatrixError("'${' has no closing '}'", at: location(of: index, in: value))
      }
      let name = String(String.UnicodeScalarView(scalars[(index + 2)..<close]))
      if name.hasPrefix("artifact:") {
        let artifact = String(name.dropFirst("artifact:".count))
        guard let artifacts else {
          throw MatrixError(
            "'${\(name)}' in the build: artifacts exist only once it has run; use the path itself",
            at: location(of: index, in: value))
        }
        guard let path = artifacts[artifact] else {
          throw MatrixError(
            "no artifact '\(artifact)' for '${\(name)}'"
              + Suggestion.phrase(for: artifact, among: artifacts.keys.sorted()),
            at: location(of: index, in: value))
        }
        out.append(contentsOf: path.unicodeScalars)
      } else if let replacement = values[name] {
        out.append(contentsOf: replacement.unicodeScalars)
      } else {
        let suggestion = Suggestion.closest(to: name, among: values.keys.sorted()).map { "; did you mean '${\($0)}'?" }
        throw MatrixError("unknown placeholder '${\(name)}'" + (suggestion ?? ""), at: location(of: index, in: value))
      }
      index = close + 1
    }
    return String(out)
  }

  /// The line and column of the scalar at `index` of a string value, when its text is on one line
  /// or in a literal block.
  private func location(of index: Int, in value: MatrixValue) -> SourceLocation {
    if let column = value.blockColumn, case .string(let text) = value.kind {
      let before = text.unicodeScalars.prefix(index)
      let line = before.count { $0 == "\n" }
      let start = before.lastIndex(of: "\n").map { before.distance(from: before.startIndex, to: $0) + 1 } ?? 0
      return SourceLocation(
        file: value.location.file, line: value.location.line + 1 + line, column: column + index - start)
    }
    guard let offset = value.textOffset else { return value.location }
    return SourceLocation(
      file: value.location.file, line: value.location.line, column: value.location.column + offset + index)
  }
}
