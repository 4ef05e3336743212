import ArchwayTestSupport
import Foundation
import Testing

@testable import ArchwayKit

/// Containers/ recipes and the environment cache, with real debootstrap runs into a scratch cache.
@Suite(.serialized) struct EnvironmentTests {
  static let containers = Fixtures.root + "/Containers"

  static func recipe(_ yaml: String, name: String = "custom") throws -> (EnvironmentRecipe, String) {
    let root = Fixtures.scratch("recipes-\(name)")
    try FileManager.default.createDirectory(atPath: "\(root)/\(name)", withIntermediateDirectories: true)
    try yaml.write(toFile: "\(root)/\(name)/environment.yml", atomically: true, encoding: .utf8)
    return (try EnvironmentRecipe.load(name, root: root), root)
  }

  @Test func theShippedRecipesCoverTheReleasesAnIssueNames() throws {
    #expect(
      EnvironmentRecipe.names(root: Self.containers) == [
        "debian-11", "debian-11-gcc", "debian-12", "debian-12-gcc", "debian-12-musl", "debian-13",
      ])
    let versions = try EnvironmentRecipe.names(root: Self.containers).map {
      let recipe = try EnvironmentRecipe.load($0, root: Self.containers)
      #expect(FileManager.default.fileExists(atPath: "\(Self.containers)/\($0)/Containerfile"))
      #expect(recipe.arches.contains("arm64") && recipe.arches.contains("amd64"))
      return "\(recipe.suite) \(recipe.libcFamily) \(recipe.libcVersion)"
    }
    #expect(
      versions == [
        "bullseye glibc 2.31", "bullseye glibc 2.31", "bookworm glibc 2.36", "bookworm glibc 2.36",
        "bookworm musl 1.2.3",
        "trixie glibc 2.41",
      ])
    #expect(
      try EnvironmentRecipe.load("debian-13", root: Self.containers).debianArch(for: "linux/riscv64") == "riscv64")
    #expect(try EnvironmentRecipe.load("debian-11", root: Self.containers).debianArch(for: "armv7") == "armhf")
  }

  @Test func badRecipesAreNamedWithWhereAndWhatWasMeant() throws {
    let cases: [(String, String)] = [
      ("suite: bullseye\nmirrror: x\n", "custom/environment.yml:2:1: unknown key 'mirrror'"),
      (
        "distribution: debian\nsuite: bullseye\nmirror: m\nlibc: {family: glibc, version: \"2.31\"}\narches: [arm46]\n",
        "unknown Debian architecture 'arm46'; did you mean 'arm64'?"
      ),
      ("distribution: debian\nsuite: s\nmirror: m\nlibc: glibc\n", "'libc' must be {family: glibc|musl"),
    ]
    for (yaml, message) in cases {
      #expect {
        _ = try Self.recipe(yaml)
      } throws: { error in
        "\(error)".contains(message)
      }
    }
    #expect {
      _ = try EnvironmentRecipe.load("debian-1", root: Self.containers)
    } throws: { error in
      "\(error)".contains("no environment 'debian-1'") && "\(error)".contains("did you mean 'debian-11'?")
    }
  }

  /// Two concurrent builds of one environment make it once; a changed recipe makes it again; the
  /// libc inside is checked against what the recipe claims; prune removes it all.
  @Test func concurrentBuildsShareOneAndAChangedRecipeRebuilds() async throws {
    let base = try String(contentsOfFile: Self.containers + "/debian-11/environment.yml", encoding: .utf8)
    let (recipe, _) = try Self.recipe(base)
    let environment = ProcessInfo.processInfo.environment
    let store = EnvironmentStore(root: Fixtures.scratch("env-cache"), environment: environment)
    async let first = store.build(recipe, arch: "amd64")
    async let second = store.build(recipe, arch: "amd64")
    let both = try await [first, second]
    #expect(both.map(\.reused).sorted { !$0 && $1 } == [false, true], "one built, the other waited and reused it")
    #expect(both.allSatisfy { $0.libc == "glibc 2.31" && $0.key == recipe.key })
    let logs = try FileManager.default.contentsOfDirectory(atPath: store.root + "/logs").filter {
      $0.hasSuffix("\(recipe.key).stdout.log")
    }
    #expect(logs.count == 1, "one debootstrap: \(logs)")
    let rootfs = both[0].rootfs
    #expect(FileManager.default.fileExists(atPath: rootfs + "/usr/bin/getconf"))
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: store.root + "/custom").filter { $0.contains(".tmp-") }
        .isEmpty)

    // What the recipe claims is checked inside: by running getconf in the rootfs and by dpkg's record.
    let (wrong, _) = try Self.recipe(base.replacingOccurrences(of: "\"2.31\"", with: "\"2.28\""), name: "wrong")
    await #expect {
      _ = try await store.checkLibc(wrong, arch: "amd64", probe: ["chroot", rootfs], logs: store.root + "/logs/wrong")
    } throws: { error in
      "\(error)"
        == "wrong/amd64 claims glibc 2.28 but carries 2.31; fix the recipe's libc.version (wrong/environment.yml)"
    }
    #expect(throws: EnvironmentError.self) { try EnvironmentStore.checkPackage(wrong, arch: "amd64", rootfs: rootfs) }
    #expect(try EnvironmentStore.checkPackage(recipe, arch: "amd64", rootfs: rootfs) == "glibc 2.31")

    // Any change to the recipe is a new key: built again, beside the old build.
    let (changed, _) = try Self.recipe(base + "# changed\n")
    #expect(changed.key != recipe.key)
    #expect(store.cached(changed, arch: "amd64") == nil)
    let rebuilt = try await store.build(changed, arch: "amd64")
    #expect(!rebuilt.reused && rebuilt.rootfs != rootfs)
    #expect(Set(store.entries().map(\.key)) == [recipe.key, changed.key])
    #expect(store.entries().allSatisfy { $0.bytes > 50_000_000 }, "a minbase rootfs is over 50 MB")
    // The rebuild took every package from the suite's package cache: debootstrap validated each
    // .deb there and retrieved none (only the archive's indices).
    let packages = store.packageCache(suite: "bullseye", arch: "amd64")
    let debs = try FileManager.default.contentsOfDirectory(atPath: packages).filter { $0.hasSuffix(".deb") }
    #expect(debs.count > 50, "\(debs.count) packages kept")
    let log = try String(
      contentsOfFile: store.root + "/logs/custom-amd64-\(changed.key).stdout.log", encoding: .utf8)
    let retrieved = log.split(separator: "\n").filter {
      $0.hasPrefix("I: Retrieving ") && $0.split(separator: " ").count == 4  // a package and its version
    }
    #expect(retrieved.isEmpty, "downloaded again: \(retrieved.prefix(5))")
    #expect(log.split(separator: "\n").filter { $0.hasPrefix("I: Validating ") }.count > 50)
    #expect(try store.prune("custom").count == 2)
    #expect(store.entries().isEmpty)
    #expect(FileManager.default.fileExists(atPath: packages), "a recipe's prune keeps the suite's packages")
    _ = try store.prune(nil)
    #expect(!FileManager.default.fileExists(atPath: packages))
  }
}
