import ArchwayKit
import ArgumentParser
import Foundation

struct EnvCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "env",
    abstract: "Runtime environments: root filesystems and images of the libc a release will meet.",
    discussion: """
      Each folder of Containers/ is an environment: a recipe (environment.yml: the Debian suite, \
      the libc it carries, its arches, extra packages) and a Containerfile for engines that can \
      pull images. `build` makes its root filesystem with debootstrap (foreign arches through \
      binfmt_misc) into the cache ($XDG_CACHE_HOME/archway/environments), keyed by the recipe's \
      content; with --engine it also imports it as the image archway/NAME:ARCH that cells with \
      `env: NAME` run in. docs/environments.md has the details.
      """,
    subcommands: [EnvList.self, EnvBuild.self, EnvPrune.self]
  )
}

/// Options every `env` subcommand shares.
struct EnvLocation: ParsableArguments {
  @Option(help: "The folder of environment recipes.")
  var containers = "Containers"

  @Option(help: "The cache folder (default: $XDG_CACHE_HOME/archway/environments).")
  var cache: String?

  var store: EnvironmentStore {
    let environment = ProcessInfo.processInfo.environment
    return EnvironmentStore(
      root: cache ?? EnvironmentStore.defaultRoot(environment: environment),
      environment: environment.filter { CellExecutor.passThroughNames.contains($0.key) })
  }

  func recipe(_ name: String) throws -> EnvironmentRecipe {
    try EnvironmentRecipe.find(name, in: [containers] + EnvironmentRecipe.shippedFolders)
  }
}

struct EnvList: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "list", abstract: "Show the recipes and what the cache holds, with sizes.")

  @OptionGroup var location: EnvLocation

  @Flag(help: "Print JSON: {recipes, cached}.")
  var json = false

  struct Listing: Encodable {
    var recipes: [EnvironmentRecipe]
    var cached: [EnvironmentStore.Entry]
  }

  func run() throws {
    let recipes = try EnvironmentRecipe.names(root: location.containers).map(location.recipe)
    let cached = location.store.entries()
    if json {
      try Output.printJSON(Listing(recipes: recipes, cached: cached))
      return
    }
    var table = TextTable(header: ["NAME", "SUITE", "LIBC", "ARCHES", "CACHED"])
    for recipe in recipes {
      let builds = cached.filter { $0.name == recipe.name }.map { entry in
        "\(entry.arch) \(entry.bytes / 1_048_576) MiB" + (entry.key == recipe.key ? "" : " (stale recipe)")
      }
      table.rows.append([
        recipe.name, recipe.suite, "\(recipe.libcFamily) \(recipe.libcVersion)", recipe.arches.joined(separator: ","),
        builds.isEmpty ? "-" : builds.joined(separator: ", "),
      ])
    }
    print(table.render { text, _, row in row < 0 ? Output.bold(text) : text })
  }
}

struct EnvBuild: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "build", abstract: "Build an environment's root filesystem (and image) for an arch.",
    discussion: """
      Reuses the cache when the recipe is unchanged; another build of the same environment \
      running at the same time is waited for, not repeated. After building, the libc inside is \
      asked its version (chroot, and with --engine a container) and a mismatch with the recipe \
      is refused. Exit codes: 0 built or reused; 2 unknown environment or arch; 3 the host lacks \
      debootstrap or the engine; 1 the build or its check failed.

      Examples:
        archway env build debian-11 --arch arm64
        archway env build debian-12 --arch armhf --engine podman --engine-arg=--runtime --engine-arg=runc
      """)

  @OptionGroup var location: EnvLocation

  @Argument(help: "The environment (a folder of Containers/).")
  var name: String

  @Option(help: "The architecture: Debian's name (arm64, armhf, ppc64el) or a platform (linux/arm/v7).")
  var arch: String

  @Option(help: "Also import it as an image with this engine (podman or docker).")
  var engine: String?

  @Option(name: .customLong("engine-arg"), help: "An extra argument for the engine's run (repeatable).")
  var engineArguments: [String] = []

  func run() async throws {
    let recipe = try location.recipe(name)
    let debianArch = try recipe.debianArch(for: arch)
    let started = ContinuousClock.now
    let built = try await location.store.build(
      recipe, arch: debianArch, engine: engine, engineArguments: engineArguments
    ) { Output.error("env: \($0)") }
    let elapsed = (ContinuousClock.now - started).components.seconds
    print(
      "\(built.name)/\(built.arch): \(built.reused ? "reused" : "built in \(elapsed)s"), \(built.libc), \(built.rootfs)"
        + (built.image.map { ", image \($0)" } ?? ""))
  }
}

struct EnvPrune: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "prune", abstract: "Remove cached environments (all, or one by name).")

  @OptionGroup var location: EnvLocation

  @Argument(help: "Only this environment.")
  var name: String?

  func run() throws {
    let removed = try location.store.prune(name)
    for path in removed { print("removed \(path)") }
    Output.error("\(removed.count) cached build\(removed.count == 1 ? "" : "s") removed")
  }
}
