import Foundation

/// The manifests release tools write beside what they built, read for the exact target of each
/// artifact (`verify --by-name` takes them before any name): goreleaser's `dist/artifacts.json`
/// (goreleaser.com/customization/artifacts: `name`, `path`, `goos`, `goarch`, `goarm`, `goamd64`,
/// `type`) and cargo-dist's `dist-manifest.json` (its `cargo-dist-schema` crate: `artifacts`, each
/// with `name`, `kind`, `target_triples`).
package enum ReleaseManifests {
  /// What the manifests among `files` say: each listed artifact's promise by its path, and what is
  /// wrong with a manifest (unreadable, or listing a file that is not there) by the manifest's path.
  package struct Listing: Sendable {
    package var promises: [String: NamePromise] = [:]
    package var problems: [String: [String]] = [:]
    /// The folders a manifest lies in, with its name: every artifact there should be listed.
    package var folders: [String: String] = [:]
  }

  package static func read(_ files: [String]) -> Listing {
    var listing = Listing()
    for path in files {
      let name = (path as NSString).lastPathComponent
      guard name == "artifacts.json" || name == "dist-manifest.json" else { continue }
      let folder = (path as NSString).deletingLastPathComponent
      let entries: [(String, NamePromise?)]
      do {
        let data = try RegularFile.contents(atPath: path, limit: 64 << 20)
        let json = try JSONSerialization.jsonObject(with: data)
        entries = name == "artifacts.json" ? goreleaser(json, folder: folder) : cargoDist(json, folder: folder)
      } catch {
        listing.problems[path, default: []].append("cannot be read as \(name): \(error)")
        continue
      }
      listing.folders[folder] = name
      for (artifact, promise) in entries {
        guard FileManager.default.fileExists(atPath: artifact) else {
          listing.problems[path, default: []].append(
            "lists \(artifact.dropFirst(folder.count + 1)), which is not there")
          continue
        }
        if let promise { listing.promises[artifact] = promise }
      }
    }
    return listing
  }

  /// goreleaser's artifacts with a platform: archives, binaries and Linux packages. `path` is from
  /// the project's root, the folder above `dist/`; a file moved since is looked for by `name`.
  static func goreleaser(_ json: Any, folder: String) -> [(String, NamePromise?)] {
    guard let artifacts = json as? [[String: Any]] else { return [] }
    let kinds: Set<String> = ["Archive", "Binary", "Uploadable Binary", "Linux Package"]
    return artifacts.compactMap { artifact in
      guard let type = artifact["type"] as? String, kinds.contains(type), let name = artifact["name"] as? String,
        let goos = artifact["goos"] as? String, let goarch = artifact["goarch"] as? String
      else { return nil }
      let root = (folder as NSString).deletingLastPathComponent
      let byPath = (artifact["path"] as? String).map { root.isEmpty ? $0 : root + "/" + $0 }
      let path = byPath.flatMap { FileManager.default.fileExists(atPath: $0) ? $0 : nil } ?? folder + "/" + name
      var arch = ReleaseNames.archWord(goarch) ?? goarch
      if arch == "arm" { arch = ["7": "arm/v7", "5": "arm/v5"][artifact["goarm"] as? String ?? ""] ?? "arm" }
      let level = (artifact["goamd64"] as? String).flatMap { ["v2", "v3", "v4"].contains($0) ? "x86-64-\($0)" : nil }
      let os = ReleaseNames.osWords[goos] ?? goos
      let source = "goreleaser's artifacts.json (\(goos)/\(goarch)\(artifact["goarm"].map { " GOARM=\($0)" } ?? ""))"
      return (path, NamePromise(target: "\(os)/\(arch)", cpu: level, source: source))
    }
  }

  /// cargo-dist's executable archives, by name in the manifest's folder, each with its first
  /// target triple.
  static func cargoDist(_ json: Any, folder: String) -> [(String, NamePromise?)] {
    guard let artifacts = (json as? [String: Any])?["artifacts"] as? [String: [String: Any]] else { return [] }
    return artifacts.values.compactMap { artifact in
      guard let kind = artifact["kind"] as? String, kind.hasPrefix("executable"),
        let name = artifact["name"] as? String,
        let triple = (artifact["target_triples"] as? [String])?.first
      else { return nil }
      var promise = ReleaseNames.rustTriple(triple)
      promise?.source = "cargo-dist's dist-manifest.json (\(triple))"
      return (folder + "/" + name, promise)
    }
  }
}
