import Foundation

/// What `archway env build` made: a root filesystem in the cache and, with an engine, an image.
package struct BuiltEnvironment: Sendable, Hashable, Codable {
  /// The recipe's name.
  package var name: String
  /// The Debian architecture.
  package var arch: String
  /// The recipe's content key the build was made from.
  package var key: String
  /// What the environment said of its libc when run (`glibc 2.31`, `musl 1.2.3`).
  package var libc: String
  /// The root filesystem.
  package var rootfs: String
  /// The image it was imported as (`archway/debian-11:arm64`), if an engine was asked for.
  package var image: String?
  /// Whether the build was found in the cache rather than made.
  package var reused: Bool
}

/// A problem building, checking or removing an environment, with what to do about it.
package struct EnvironmentError: Error, Sendable, CustomStringConvertible {
  /// What went wrong.
  package var message: String
  /// Whether the host lacks a tool (debootstrap, an engine) rather than the recipe being wrong.
  package var hostLacksIt: Bool
  /// Creates an error.
  package init(_ message: String, hostLacksIt: Bool = false) {
    self.message = message
    self.hostLacksIt = hostLacksIt
  }
  /// See ``message``.
  package var description: String { message }
}

/// The cache of built environments: `ROOT/NAME/ARCH-KEY/rootfs` with `environment.json` beside it,
/// keyed by the recipe's content so a changed recipe rebuilds and an unchanged one is reused. A
/// build takes a lock on `ROOT/NAME/ARCH-KEY.lock` and works in a temporary folder it renames into
/// place when done, so concurrent builds of one environment make it once and never a half of it.
package struct EnvironmentStore: Sendable {
  /// The cache folder.
  package var root: String
  /// Variables passed to debootstrap, chroot and the engine (PATH at least).
  package var environment: [String: String]

  /// A store in `root`.
  package init(root: String, environment: [String: String]) {
    self.root = root
    self.environment = environment
  }

  /// `$XDG_CACHE_HOME/archway/environments`, else `~/.cache/archway/environments`.
  package static func defaultRoot(environment: [String: String]) -> String {
    CacheFolder.environments(environment: environment)
  }

  /// The image name of an environment for a Debian arch: `archway/debian-11:arm64`.
  package static func image(_ name: String, arch: String) -> String { "archway/\(name):\(arch)" }

  /// The cache folder of `recipe` for `arch`.
  package func folder(_ recipe: EnvironmentRecipe, arch: String) -> String {
    "\(root)/\(recipe.name)/\(arch)-\(recipe.key)"
  }

  /// The root filesystem of `recipe` for `arch` in the cache (there once it is built).
  package func rootfs(_ recipe: EnvironmentRecipe, arch: String) -> String {
    folder(recipe, arch: arch) + "/rootfs"
  }

  /// The .deb files debootstrap fetched for `suite` and `arch`, kept for the next build of them.
  package func packageCache(suite: String, arch: String) -> String {
    "\(root)/\(Self.packagesFolder)/\(suite)-\(arch)"
  }

  /// The folder of ``packageCache(suite:arch:)`` in the root: no recipe's name.
  static let packagesFolder = "packages"

  /// The build of `recipe` for `arch` in the cache, if there is one.
  package func cached(_ recipe: EnvironmentRecipe, arch: String) -> BuiltEnvironment? {
    guard let data = FileManager.default.contents(atPath: folder(recipe, arch: arch) + "/environment.json") else {
      return nil
    }
    return try? JSONDecoder().decode(BuiltEnvironment.self, from: data)
  }

  /// Builds `recipe` for `arch` (a Debian arch) unless the cache has it, checks that it carries the
  /// libc its recipe claims, and with `engine` imports it as ``image(_:arch:)`` unless an image of
  /// this recipe is there (a new image is checked again inside a container run with
  /// `engineArguments`). `progress` hears what is happening.
  package func build(
    _ recipe: EnvironmentRecipe, arch: String, engine: String? = nil, engineArguments: [String] = [],
    progress: @Sendable (String) -> Void = { _ in }
  ) async throws(EnvironmentError) -> BuiltEnvironment {
    let folder = self.folder(recipe, arch: arch)
    let lock = try await Lock.take(folder + ".lock") { progress("waiting for another build of \(recipe.name)/\(arch)") }
    defer { lock.release() }
    var built: BuiltEnvironment
    if let cached = cached(recipe, arch: arch) {
      built = cached
      built.reused = true
    } else {
      built = try await debootstrap(recipe, arch: arch, into: folder, progress: progress)
    }
    if let engine {
      built.image = try await importImage(
        built, recipe: recipe, engine: engine, arguments: engineArguments, progress: progress)
    }
    return built
  }

  private func debootstrap(
    _ recipe: EnvironmentRecipe, arch: String, into folder: String, progress: @Sendable (String) -> Void
  ) async throws(EnvironmentError) -> BuiltEnvironment {
    let temporary = "\(folder).tmp-\(getpid())"
    try? FileManager.default.removeItem(atPath: temporary)
    do {
      try FileManager.default.createDirectory(atPath: root + "/logs", withIntermediateDirectories: true)
    } catch {
      throw EnvironmentError("cannot create the cache folder \(root): \(error.localizedDescription)")
    }
    // One package cache per suite and arch, for every recipe built from them: a rebuild (a changed
    // recipe, a pruned environment, another recipe of the suite) downloads nothing it has.
    let packages = packageCache(suite: recipe.suite, arch: arch)
    let turn = try await Lock.take(packages + ".lock") { progress("waiting for the package cache \(packages)") }
    defer { turn.release() }
    try? FileManager.default.createDirectory(atPath: packages, withIntermediateDirectories: true)
    progress("debootstrap \(recipe.suite) for \(arch) into \(temporary) (about a minute)")
    var argv = ["debootstrap", "--variant=minbase", "--arch=\(arch)", "--cache-dir=\(packages)"]
    if !recipe.packages.isEmpty { argv.append("--include=" + recipe.packages.joined(separator: ",")) }
    argv += [recipe.suite, temporary, recipe.mirror]
    let logs = "\(root)/logs/\(recipe.name)-\(arch)-\(recipe.key)"
    let outcome = await run("debootstrap", argv, logs: logs, timeout: .seconds(1800))
    guard outcome.status == .exited(0) else {
      try? FileManager.default.removeItem(atPath: temporary)
      if case .infrastructure = outcome.status {
        throw EnvironmentError("debootstrap is not installed (apt-get install debootstrap)", hostLacksIt: true)
      }
      let tail = (outcome.stdoutTail.isEmpty ? outcome.stdoutHead : outcome.stdoutTail).suffix(800)
      throw EnvironmentError(
        "debootstrap of \(recipe.name)/\(arch) failed (\(outcome.status)); log \(logs).stdout.log:\n\(tail)")
    }
    progress("checking the libc inside \(recipe.name)/\(arch)")
    let libc: String
    do {
      // chroot needs root; without it, dpkg's record of the libc package is the evidence.
      libc =
        getuid() == 0
        ? try await checkLibc(recipe, arch: arch, probe: ["chroot", temporary], logs: logs + "-libc")
        : try Self.checkPackage(recipe, arch: arch, rootfs: temporary)
    } catch {
      try? FileManager.default.removeItem(atPath: temporary)
      throw error
    }
    let built = BuiltEnvironment(
      name: recipe.name, arch: arch, key: recipe.key, libc: libc, rootfs: rootfs(recipe, arch: arch), image: nil,
      reused: false)
    do {
      try? FileManager.default.removeItem(atPath: folder)
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
      try FileManager.default.moveItem(atPath: temporary, toPath: built.rootfs)
      // Written last: its presence says the build is whole.
      try AtomicFile.write(try PrettyJSON.encoder().encode(built), to: folder + "/environment.json")
    } catch {
      try? FileManager.default.removeItem(atPath: temporary)
      throw EnvironmentError("cannot move the build into \(folder): \(error.localizedDescription)")
    }
    return built
  }

  /// Runs the libc probe inside the environment (`prefix` + the probe: `chroot ROOTFS`, or an
  /// engine's `run … IMAGE`) and returns what it said (`glibc 2.31`), or throws when it is not the
  /// libc the recipe claims.
  func checkLibc(
    _ recipe: EnvironmentRecipe, arch: String, probe prefix: [String], logs: String
  ) async throws(EnvironmentError) -> String {
    let probe =
      recipe.libcFamily == "glibc"
      ? ["getconf", "GNU_LIBC_VERSION"]
      : ["sh", "-c", "for loader in /lib/ld-musl-*.so.1; do \"$loader\" 2>&1; done; true"]
    let outcome = await run("libc", prefix + probe, logs: logs, timeout: .seconds(120))
    let said = outcome.stdoutHead + outcome.stderrHead
    return try Self.compare(
      Self.version(in: said), with: recipe, arch: arch,
      otherwise: "did not say its version (\(outcome.status)): \(said.prefix(300))")
  }

  /// The libc version dpkg installed in `rootfs` (package `libc6` or `musl`), checked against the recipe.
  static func checkPackage(_ recipe: EnvironmentRecipe, arch: String, rootfs: String) throws(EnvironmentError) -> String
  {
    let package = recipe.libcFamily == "glibc" ? "libc6" : "musl"
    let status = (try? String(contentsOfFile: rootfs + "/var/lib/dpkg/status", encoding: .utf8)) ?? ""
    let stanza = status.components(separatedBy: "\n\n").first { $0.hasPrefix("Package: \(package)\n") } ?? ""
    let line = stanza.split(separator: "\n").first { $0.hasPrefix("Version: ") }.map(String.init) ?? ""
    return try compare(version(in: line), with: recipe, arch: arch, otherwise: "has no \(package) package installed")
  }

  /// `glibc 2.31` when `found` is the recipe's version (to as many parts as the recipe gives), else
  /// an error saying what was found instead.
  static func compare(
    _ found: DottedVersion?, with recipe: EnvironmentRecipe, arch: String, otherwise: String
  ) throws(EnvironmentError) -> String {
    guard let found else { throw EnvironmentError("\(recipe.name)/\(arch) \(otherwise)") }
    guard Array(found.components.prefix(recipe.libcVersion.components.count)) == recipe.libcVersion.components else {
      throw EnvironmentError(
        "\(recipe.name)/\(arch) claims \(recipe.libcFamily) \(recipe.libcVersion) but carries \(found); "
          + "fix the recipe's libc.version (\(recipe.name)/environment.yml)")
    }
    return "\(recipe.libcFamily) \(found)"
  }

  /// The first dotted version in `text` (`glibc 2.31` → 2.31; musl's `Version 1.2.3` → 1.2.3).
  static func version(in text: String) -> DottedVersion? {
    let regex = try? NSRegularExpression(pattern: "[0-9]+\\.[0-9]+(\\.[0-9]+)?")
    guard let match = regex?.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
      let range = Range(match.range, in: text)
    else { return nil }
    return DottedVersion(String(text[range]))
  }

  private func importImage(
    _ built: BuiltEnvironment, recipe: EnvironmentRecipe, engine: String, arguments: [String],
    progress: @Sendable (String) -> Void
  ) async throws(EnvironmentError) -> String {
    let image = Self.image(recipe.name, arch: built.arch)
    guard
      let spec = TargetCatalog.architectures.first(where: { $0.platform.os == "linux" && $0.debianArch == built.arch })
    else { throw EnvironmentError("no platform for the Debian arch '\(built.arch)'") }
    let logs = "\(root)/logs/\(recipe.name)-\(built.arch)-\(recipe.key)-image"
    let marker = "ARCHWAY_ENV_KEY=\(recipe.key)"
    let inspect = await run(
      "inspect", [engine, "image", "inspect", "--format", "{{range .Config.Env}}{{.}} {{end}}", image], logs: logs,
      timeout: .seconds(60))
    // An image of this recipe was checked when it was imported (a failed check removes it).
    if inspect.stdoutHead.contains(marker) { return image }
    progress("importing \(built.rootfs) as \(image)")
    var importArguments = ["--arch", spec.platform.arch, "--change", "ENV=\(marker)"]
    if let variant = spec.platform.variant { importArguments += ["--variant", variant] }
    let script = Self.importScript
    let outcome = await run(
      "import", ["sh", "-c", script, "import", built.rootfs, engine, image] + importArguments, logs: logs,
      timeout: .seconds(600))
    guard outcome.status == .exited(0) else {
      if case .infrastructure = outcome.status {
        throw EnvironmentError("no \(engine) on PATH", hostLacksIt: true)
      }
      throw EnvironmentError(
        "\(engine) import of \(image) failed (\(outcome.status)): \(outcome.stderrHead.prefix(600))")
    }
    progress("checking the libc inside a \(URL(fileURLWithPath: engine).lastPathComponent) container of \(image)")
    do {
      _ = try await checkLibc(
        recipe, arch: built.arch,
        probe: [engine, "run", "--rm", "--network", "none", "--platform", spec.platform.description] + arguments
          + [image], logs: logs + "-libc")
    } catch {
      _ = await run("rmi", [engine, "rmi", "-f", image], logs: logs + "-rmi", timeout: .seconds(60))
      throw error
    }
    return image
  }

  private func run(_ name: String, _ argv: [String], logs: String, timeout: Duration) async -> ProcessOutcome {
    await ProcessSupervisor.run(
      ProcessLaunch(argv: argv, environment: environment, timeout: timeout, logs: logs))
  }
}

extension EnvironmentStore {
  /// Imports a root filesystem as an image: `sh -c importScript import ROOT ENGINE IMAGE ARGS…`.
  static let importScript =
    "root=$1 engine=$2 image=$3; shift 3; tar -C \"$root\" -c . | \"$engine\" import \"$@\" - \"$image\""
}

extension EnvironmentStore {
  /// One cached build, for `archway env list`.
  package struct Entry: Sendable, Hashable, Codable {
    /// The recipe's name.
    package var name: String
    /// The Debian arch.
    package var arch: String
    /// The recipe key it was built from.
    package var key: String
    /// Its folder.
    package var folder: String
    /// Bytes on disk (files only, hard links once).
    package var bytes: Int
  }

  /// Every whole build in the cache, sorted.
  package func entries() -> [Entry] {
    var result: [Entry] = []
    for name in ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).sorted()
    where name != "logs" && name != Self.packagesFolder {
      for item in ((try? FileManager.default.contentsOfDirectory(atPath: "\(root)/\(name)")) ?? []).sorted() {
        let folder = "\(root)/\(name)/\(item)"
        guard let data = FileManager.default.contents(atPath: folder + "/environment.json"),
          let built = try? JSONDecoder().decode(BuiltEnvironment.self, from: data)
        else { continue }
        result.append(Entry(name: name, arch: built.arch, key: built.key, folder: folder, bytes: Self.size(of: folder)))
      }
    }
    return result
  }

  /// Removes the cached builds of `name` (all, and the package caches, when nil), and leftovers of
  /// interrupted builds; returns the folders removed.
  package func prune(_ name: String?) throws(EnvironmentError) -> [String] {
    var removed: [String] = []
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).filter {
      $0 != "logs" && (name == nil || $0 == name)
    }
    for entry in names.sorted() {
      for item in ((try? FileManager.default.contentsOfDirectory(atPath: "\(root)/\(entry)")) ?? []).sorted() {
        let path = "\(root)/\(entry)/\(item)"
        do {
          try FileManager.default.removeItem(atPath: path)
        } catch {
          throw EnvironmentError("cannot remove \(path): \(error.localizedDescription)")
        }
        if !item.hasSuffix(".lock") { removed.append(path) }
      }
    }
    return removed
  }

  static func size(of folder: String) -> Int {
    guard let walker = FileManager.default.enumerator(atPath: folder) else { return 0 }
    var total = 0
    var seen = Set<[UInt64]>()
    while let item = walker.nextObject() as? String {
      var info = stat()
      guard lstat(folder + "/" + item, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
      if info.st_nlink > 1, !seen.insert([UInt64(info.st_dev), UInt64(info.st_ino)]).inserted { continue }
      total += Int(info.st_blocks) * 512
    }
    return total
  }
}

/// An exclusive `flock` on a file, taken without blocking a thread: tried every 200 ms.
struct Lock: Sendable {
  let descriptor: Int32

  static func take(_ path: String, waiting: () -> Void) async throws(EnvironmentError) -> Lock {
    try? FileManager.default.createDirectory(
      atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    let descriptor = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else {
      throw EnvironmentError("cannot open the lock \(path): \(String(cString: strerror(errno)))")
    }
    var told = false
    while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
      if !told {
        waiting()
        told = true
      }
      do {
        try await Task.sleep(for: .milliseconds(200))
      } catch {
        close(descriptor)
        throw EnvironmentError("interrupted while waiting for \(path)")
      }
    }
    return Lock(descriptor: descriptor)
  }

  func release() {
    flock(descriptor, LOCK_UN)
    close(descriptor)
  }
}

extension EnvironmentStore {
  /// Builds (or finds) every environment the `env:` cells of `cells` need, each (environment, arch)
  /// once: the root filesystem, and for a container cell (its entry in `engines` the engine and its
  /// arguments, nil for another runner) the image imported with its engine. Returns a
  /// problem per one that could not be made (those cells then report it as an infrastructure
  /// problem).
  ///
  /// Up to `jobs` are built at once (each debootstrap mostly waits on the network and on qemu for a
  /// foreign arch's second stage); builds that share a package cache (a suite and arch) take turns.
  package func provision(
    _ cells: [Cell], engines: [(path: String, arguments: [String])?], jobs: Int = 1,
    progress: @escaping @Sendable (String) -> Void
  ) async -> [String] {
    struct Need: Sendable {
      var recipe: EnvironmentRecipe
      var arch: String
      var engine: String?
      var engineArguments: [String]
      var label: String
    }
    var seen = Set<String>()
    var needs: [Need] = []
    for (cell, container) in zip(cells, engines) {
      guard let env = cell.env, let recipe = cell.environment,
        let arch = try? recipe.debianArch(for: cell.target.platform)
      else { continue }
      let engine = container?.path
      guard seen.insert("\(env)/\(arch)/\(engine ?? "")").inserted else { continue }
      needs.append(
        Need(
          recipe: recipe, arch: arch, engine: engine, engineArguments: container?.arguments ?? [],
          label: "\(env)/\(cell.target.platform)"))
    }
    let problems = await needs.concurrentMap(jobs: jobs) { need -> String? in
      do throws(EnvironmentError) {
        _ = try await build(
          need.recipe, arch: need.arch, engine: need.engine, engineArguments: need.engineArguments, progress: progress)
        return nil
      } catch {
        return "\(need.label): \(error.message)"
      }
    }
    return problems.compactMap { $0 }
  }
}

extension EnvironmentError: ArchwayError {
  /// 3 when the host lacks what the environment needs (debootstrap, an engine), else 1.
  package var exitCode: Int32 { hostLacksIt ? 3 : 1 }
}
