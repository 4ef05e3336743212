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
    subcommands: [EnvList.self, EnvBuild.self, EnvPrune.self, EnvCompat.self]
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

  /// Every recipe: the folder's, then Archway's shipped ones it does not override.
  func recipes() throws -> [EnvironmentRecipe] {
    var names: [String] = []
    for folder in [containers] + EnvironmentRecipe.shippedFolders {
      for name in EnvironmentRecipe.names(root: folder) where !names.contains(name) { names.append(name) }
    }
    return try names.map(recipe)
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
    let recipes = try location.recipes()
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

struct EnvCompat: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "compat",
    abstract: "Say, for every built environment of a program's arch, whether it would load there or why not.",
    discussion: """
      Resolves the interpreter, every needed library (RPATH/RUNPATH with $ORIGIN, ld.so.conf, the \
      default folders) and every symbol version inside each cached root filesystem, as its loader \
      would. Prints one line per program, the line a README wants; --json prints every prediction.

      Examples:
        archway env compat dist/hello
        archway env compat --json dist/* | jq '.[].environments[] | select(.prediction.loads | not)'
      """
  )

  @OptionGroup var location: EnvLocation

  @Flag(help: "Print JSON: per program its path and each environment's prediction.")
  var json = false

  @Argument(help: "The programs (ELF files).")
  var paths: [String]

  struct Result: Encodable {
    var path: String
    var environments: [LoadPredictor.Compatibility]
  }

  func run() throws {
    let recipes = try location.recipes()
    var results: [Result] = []
    for path in paths {
      let facts: BinaryFacts
      do {
        facts = try BinaryInspector.inspectFile(atPath: path)
      } catch {
        throw ValidationError(error.description)
      }
      guard LoadPredictor.debianArch(of: facts) != nil else {
        throw ValidationError("\(path) is not a linux ELF program (\(facts.format.rawValue))")
      }
      results.append(
        Result(
          path: path,
          environments: LoadPredictor.compatibility(of: path, facts: facts, recipes: recipes, store: location.store)))
    }
    if json {
      try Output.printJSON(results)
    } else {
      for result in results { print("\(result.path): \(LoadPredictor.sentence(result.environments))") }
    }
    if results.contains(where: \.environments.isEmpty) { throw ExitCode(3) }
  }
}
