import Foundation

/// A runtime environment as `Containers/NAME/environment.yml` describes it: a distribution suite
/// with the libc it carries, the arches it exists for and extra packages. Its content key (the
/// SHA-256 of the file) names its cached builds, so a changed recipe rebuilds.
package struct EnvironmentRecipe: Sendable, Hashable, Codable {
  /// The folder's name: `debian-11`.
  package var name: String
  /// `debian` (built with debootstrap).
  package var distribution: String
  /// The suite: `bullseye`.
  package var suite: String
  /// The package mirror.
  package var mirror: String
  /// `glibc` or `musl`.
  package var libcFamily: String
  /// The libc version the environment carries: `2.31`.
  package var libcVersion: DottedVersion
  /// Debian architecture names: `amd64`, `arm64`, `armhf`…
  package var arches: [String]
  /// Packages added to the minimal base.
  package var packages: [String]
  /// The first 16 hex digits of the recipe file's SHA-256.
  package var key: String

  enum CodingKeys: String, CodingKey {
    case name, distribution, suite, mirror, libcFamily = "libc_family", libcVersion = "libc_version", arches
    case packages, key
  }

  static let keys = ["distribution", "suite", "mirror", "libc", "arches", "packages"]

  /// The recipe `name` in `root` (`Containers`). Throws a ``MatrixError`` with the file, line and
  /// column of a bad value, or naming the known environments for an unknown one.
  package static func load(_ name: String, root: String = "Containers") throws(MatrixError) -> EnvironmentRecipe {
    try find(name, in: [root])
  }

  /// The recipe `name` from the first of `folders` that has it. Throws a ``MatrixError`` (at
  /// `location`, if given) naming the folders looked in and the closest known environment.
  package static func find(
    _ name: String, in folders: [String], at location: SourceLocation? = nil
  ) throws(MatrixError) -> EnvironmentRecipe {
    for root in folders {
      let path = "\(root)/\(name)/environment.yml"
      let data: Data
      do {
        data = try RegularFile.contents(atPath: path, limit: MatrixFile.largestFile)
      } catch {
        if case .unreadable = error, !FileManager.default.fileExists(atPath: path) { continue }
        throw MatrixError("\(path) \(error)", at: location)
      }
      return try parse(data, name: name, path: path)
    }
    let known = Set(folders.flatMap { names(root: $0) }).sorted()
    let looked = folders.isEmpty ? "no recipe folder" : folders.map { "\($0)/" }.joined(separator: ", ")
    throw MatrixError(
      "no environment '\(name)' (looked in \(looked))" + Suggestion.phrase(for: name, among: known)
        + (known.isEmpty ? "" : "; known: \(known.joined(separator: ", "))"), at: location)
  }

  /// Archway's own recipes: `share/archway/Containers` beside an installed binary, and the
  /// `Containers` folder of the checkout it was built from, those that exist.
  package static let shippedFolders = shipped("Containers", inCheckout: "Containers")

  /// What Archway ships, those of these that exist: `share/archway/NAME` beside an installed
  /// binary, and `PATH` in the checkout it was built from.
  static func shipped(_ name: String, inCheckout path: String) -> [String] {
    let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
    let installed = executable.deletingLastPathComponent().deletingLastPathComponent().path + "/share/archway/" + name
    var source = URL(fileURLWithPath: #filePath)
    for _ in 0..<4 { source.deleteLastPathComponent() }
    return [installed, source.path + "/" + path].filter { FileManager.default.fileExists(atPath: $0) }
  }

  /// The environments in `root`: its folders that hold an `environment.yml`, sorted.
  package static func names(root: String = "Containers") -> [String] {
    let folders = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
    return folders.filter { FileManager.default.fileExists(atPath: "\(root)/\($0)/environment.yml") }.sorted()
  }

  static func parse(_ data: Data, name: String, path: String) throws(MatrixError) -> EnvironmentRecipe {
    let start = SourceLocation(file: path, line: 1, column: 1)
    guard let root = try MatrixValue.parse(yaml: String(decoding: data, as: UTF8.self), file: path),
      let entries = root.entries
    else { throw MatrixError("a recipe is a map (distribution, suite, libc, arches…)", at: start) }
    for entry in entries where !keys.contains(entry.key) {
      throw MatrixFile.unknownKey(entry, among: keys, in: "a recipe")
    }
    func text(_ key: String) throws(MatrixError) -> String {
      guard let value = root[key] else { throw MatrixError("'\(key)' is missing", at: start) }
      guard let text = value.scalarText else {
        throw MatrixError("'\(key)' must be text, not \(value.shapeName)", at: value.location)
      }
      return text
    }
    let distribution = try text("distribution")
    guard distribution == "debian" else {
      throw MatrixError(
        "distribution '\(distribution)' cannot be built here; only 'debian' (debootstrap)",
        at: root["distribution"]?.location)
    }
    guard let libc = root["libc"], let family = libc["family"]?.scalarText, ["glibc", "musl"].contains(family),
      let versionText = libc["version"]?.scalarText, let version = DottedVersion(versionText)
    else {
      throw MatrixError("'libc' must be {family: glibc|musl, version: \"2.31\"}", at: root["libc"]?.location ?? start)
    }
    let debianArches = TargetCatalog.architectures.compactMap(\.debianArch)
    let arches = try (root["arches"] ?? MatrixValue(.list([]), at: start)).words(named: "arches")
    for arch in arches where !debianArches.contains(arch) {
      throw MatrixError(
        "unknown Debian architecture '\(arch)'" + Suggestion.phrase(for: arch, among: debianArches),
        at: root["arches"]?.location)
    }
    let packages =
      try root["packages"].map { value throws(MatrixError) in try value.words(named: "packages") } ?? []
    let digest = Digest.hash(.sha256, data).hexString()
    return EnvironmentRecipe(
      name: name, distribution: distribution, suite: try text("suite"), mirror: try text("mirror"),
      libcFamily: family, libcVersion: version, arches: arches, packages: packages, key: String(digest.prefix(16)))
  }

  /// The Debian architecture for `arch`, written as Debian (`armhf`), as a platform (`linux/arm/v7`)
  /// or an alias (`aarch64`); throws naming the recipe's arches when it has not this one.
  package func debianArch(for arch: String) throws(MatrixError) -> String {
    let resolved =
      arches.contains(arch) ? arch : (try? Platform.parse(arch)).flatMap { TargetCatalog.spec(for: $0)?.debianArch }
    guard let resolved, arches.contains(resolved) else {
      throw MatrixError(
        "\(name) has no arch '\(arch)'; it exists for \(arches.joined(separator: ", "))", at: nil)
    }
    return resolved
  }

  /// ``debianArch(for:)-(String)`` of a platform.
  package func debianArch(for platform: Platform) throws(MatrixError) -> String {
    try debianArch(for: platform.description)
  }
}
