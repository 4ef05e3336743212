import Foundation

/// Whether a dynamic ELF program would load in a root filesystem, found as its loader would find
/// it: the interpreter, every `DT_NEEDED` library (through `DT_RPATH`/`DT_RUNPATH` with `$ORIGIN`,
/// the root's `ld.so.conf`, musl's `ld-musl-ARCH.path`, the default folders), transitively, each of
/// the program's class and machine, and every version a requirement names (`GLIBC_2.34` in
/// `libc.so.6`) among the versions the library found defines.
package struct LoadPrediction: Sendable, Hashable, Codable {
  /// Whether everything the program needs is there.
  package var loads: Bool
  /// What is missing, one sentence each: `libfoo.so.1, needed by dot, is not found`,
  /// `GLIBC_2.34 (__libc_start_main), needed by dot, is not in libc.so.6`.
  package var problems: [String] = []
  /// The libraries found, soname → the path inside the root (or on the host for `$ORIGIN`).
  package var found: [String: String] = [:]

  /// One line: `loads (4 libraries)` or the problems.
  package var summary: String {
    loads ? "loads (\(found.count) \(found.count == 1 ? "library" : "libraries"))" : problems.joined(separator: "; ")
  }
}

/// Predicts a program's load in a root filesystem (``LoadPrediction``), reading only the files the
/// loader would: at most ``libraryLimit`` libraries, each through Archway's own ELF reader.
package enum LoadPredictor {
  /// The most libraries one program's closure may bring in before the prediction gives up.
  static let libraryLimit = 512

  /// The prediction for the program at `path` (on the host), whose facts are `facts`, inside the
  /// root filesystem `root`, where the host's folders `bound` are seen at their own paths (a cell's
  /// folder and the project, in a rootfs runner). A program that needs no interpreter and no
  /// library loads anywhere.
  package static func predict(
    _ path: String, facts: BinaryFacts, root: String, bound: [String] = []
  ) -> LoadPrediction {
    guard facts.format == .elf, facts.interpreter != nil || !facts.needed.isEmpty else {
      return LoadPrediction(loads: true)
    }
    var prediction = LoadPrediction(loads: true)
    let program = URL(fileURLWithPath: path).lastPathComponent
    if let interpreter = facts.interpreter, locate(interpreter, in: root) == nil {
      prediction.problems.append("its interpreter \(interpreter) is not there")
    }
    let folders = systemFolders(in: root, facts: facts)
    var queue: [(name: String, facts: BinaryFacts, origin: String, onHost: Bool)] = [
      (program, facts, URL(fileURLWithPath: path).deletingLastPathComponent().path, true)
    ]
    var loaded: [String: BinaryFacts] = [:]
    var missing: Set<String> = []
    while !queue.isEmpty, loaded.count < libraryLimit {
      let object = queue.removeFirst()
      for library in object.facts.needed where loaded[library] == nil && !missing.contains(library) {
        // musl's loader is its libc: a program's `libc.so` is the interpreter itself.
        if facts.libc == .musl, library == "libc.so", let interpreter = facts.interpreter,
          let file = locate(interpreter, in: root)
        {
          loaded[library] = (try? BinaryInspector.inspectFile(atPath: file)) ?? BinaryFacts()
          prediction.found[library] = interpreter
          continue
        }
        guard
          let (file, shown, libraryFacts) = find(
            library, for: object, folders: folders, root: root, bound: bound, like: facts)
        else {
          missing.insert(library)
          prediction.problems.append("\(library), needed by \(object.name), is not found")
          continue
        }
        loaded[library] = libraryFacts
        prediction.found[library] = shown
        queue.append((library, libraryFacts, URL(fileURLWithPath: file).deletingLastPathComponent().path, false))
      }
    }
    if loaded.count >= libraryLimit {
      prediction.problems.append("needs more than \(libraryLimit) libraries; the prediction stops there")
    }
    prediction.problems += versionProblems(program: (program, facts), loaded: loaded)
    prediction.loads = prediction.problems.isEmpty
    return prediction
  }

  /// Each object's version requirements against what the library it names defines: the program's
  /// (named `program.name`) and those of every library `loaded` (by name).
  private static func versionProblems(
    program: (name: String, facts: BinaryFacts), loaded: [String: BinaryFacts]
  ) -> [String] {
    var problems: [String] = []
    let objects = [program] + loaded.sorted(by: { $0.key < $1.key }).map { ($0.key, $0.value) }
    for (index, (name, objectFacts)) in objects.enumerated() {
      for (library, versions) in objectFacts.versionRequirements.sorted(by: { $0.key < $1.key }) {
        guard let provider = loaded[library] else { continue }  // Not found: said above.
        let defined = Set(provider.versionDefinitions)
        // Newest first, as `verify` names a floor: the version that decides is the one to read first.
        for version in versions.sorted(by: { ELFFile.versionOrder($1, $0) }) where !defined.contains(version) {
          // The program's own symbols are known (its facts keep them); a library's are not read.
          let symbols = index == 0 ? objectFacts.versionedSymbols[version] ?? [] : []
          let shown = symbols.prefix(3).joined(separator: ", ") + (symbols.count > 3 ? ", …" : "")
          let family = ELFFile.splitVersionName(version)?.0
          let newest = provider.versionDefinitions.last { family != nil && ELFFile.splitVersionName($0)?.0 == family }
          problems.append(
            "\(version)\(shown.isEmpty ? "" : " (\(shown))"), needed by \(name), is not in its \(library)"
              + (newest.map { " (which goes up to \($0))" } ?? ""))
        }
      }
    }
    return problems
  }

  /// The library file `name` for `object`, as the loader searches: `DT_RPATH` (when there is no
  /// `DT_RUNPATH`), `DT_RUNPATH`, then the system folders; a file of another class or machine is
  /// passed over. Returns the host path to read, the path to show, and the library's facts.
  private static func find(
    _ name: String, for object: (name: String, facts: BinaryFacts, origin: String, onHost: Bool),
    folders: [String], root: String, bound: [String], like program: BinaryFacts
  ) -> (String, String, BinaryFacts)? {
    if name.contains("/") {  // A path: taken as written, inside the root or a folder bound into it.
      let plain = URL(fileURLWithPath: name).standardizedFileURL.path
      let bound = name.hasPrefix("/") && bound.contains { plain.hasPrefix($0 + "/") }
      let found = bound ? (FileManager.default.fileExists(atPath: plain) ? plain : nil) : locate(name, in: root)
      guard let file = found, let facts = try? BinaryInspector.inspectFile(atPath: file) else { return nil }
      return (file, name, facts)
    }
    let own = (object.facts.runpath == nil ? object.facts.rpath : object.facts.runpath) ?? ""
    // `$ORIGIN` is the object's folder as a host path (a cell's folder is where its program runs, at
    // its own path; a library's is inside the root), as is a folder under `bound`; every other
    // folder is inside the root.
    var places: [(folder: String, onHost: Bool)] = own.split(separator: ":").map(String.init).filter { !$0.isEmpty }
      .map { entry in
        let expanded = entry.replacingOccurrences(of: "${ORIGIN}", with: object.origin)
          .replacingOccurrences(of: "$ORIGIN", with: object.origin)
        return (expanded, expanded != entry || bound.contains { expanded == $0 || expanded.hasPrefix($0 + "/") })
      }
    places += folders.map { ($0, false) }
    for place in places {
      let candidate = place.folder + "/" + name
      let file =
        place.onHost
        ? (FileManager.default.fileExists(atPath: candidate) ? candidate : nil) : locate(candidate, in: root)
      guard let file else { continue }
      guard let facts = try? BinaryInspector.inspectFile(atPath: file), facts.format == .elf,
        facts.arch == program.arch, facts.bits == program.bits
      else { continue }
      let shown = place.onHost && candidate.hasPrefix(root + "/") ? String(candidate.dropFirst(root.count)) : candidate
      return (file, shown, facts)
    }
    return nil
  }

  /// Where the root's loader looks after a program's own paths: the `ld.so.conf` folders (with its
  /// `include`s) or musl's path file, then the default folders, with the multiarch ones of the
  /// program's arch.
  static func systemFolders(in root: String, facts: BinaryFacts) -> [String] {
    let multiarch = TargetCatalog.architectures.filter { $0.platform.os == "linux" && $0.platform.arch == facts.arch }
      .compactMap(\.multiarch)
    let musl = facts.libc == .musl
    var folders: [String] = []
    if musl, let interpreter = facts.interpreter {
      // `/lib/ld-musl-x86_64.so.1` reads `/etc/ld-musl-x86_64.path`.
      let arch = URL(fileURLWithPath: interpreter).lastPathComponent.dropFirst("ld-musl-".count)
        .replacingOccurrences(of: ".so.1", with: "")
      let file = (try? String(contentsOfFile: root + "/etc/ld-musl-\(arch).path", encoding: .utf8)) ?? ""
      folders += file.split(whereSeparator: { $0 == "\n" || $0 == ":" }).map {
        $0.trimmingCharacters(in: .whitespaces)
      }.filter { $0.hasPrefix("/") }
      if folders.isEmpty { folders = ["/lib", "/usr/local/lib", "/usr/lib"] }
      return folders
    }
    var seen: Set<String> = []
    func read(_ file: String, depth: Int) {
      guard depth < 8, !seen.contains(file), let text = try? String(contentsOfFile: root + file, encoding: .utf8)
      else { return }
      seen.insert(file)
      for raw in text.split(separator: "\n") {
        let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
          .trimmingCharacters(in: .whitespaces)
        if line.hasPrefix("include") {
          let pattern = line.dropFirst("include".count).trimmingCharacters(in: .whitespaces)
          for match in glob(pattern.hasPrefix("/") ? pattern : "/etc/" + pattern, in: root) {
            read(match, depth: depth + 1)
          }
        } else if line.hasPrefix("/") {
          folders.append(line)
        }
      }
    }
    read("/etc/ld.so.conf", depth: 0)
    let defaults =
      multiarch.flatMap { ["/lib/\($0)", "/usr/lib/\($0)"] }
      + (facts.bits == 64 ? ["/lib64", "/usr/lib64"] : []) + ["/lib", "/usr/lib"]
    for folder in defaults where !folders.contains(folder) { folders.append(folder) }
    return folders
  }

  /// The files (paths inside `root`) that `pattern` matches there, sorted.
  private static func glob(_ pattern: String, in root: String) -> [String] {
    let folder = URL(fileURLWithPath: pattern).deletingLastPathComponent().path
    let name = URL(fileURLWithPath: pattern).lastPathComponent
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: root + folder)) ?? []
    return entries.filter { fnmatch(name, $0, 0) == 0 }.sorted().map { folder + "/" + $0 }
  }

  /// The host path of `path` inside `root`, its symbolic links followed within the root (an
  /// absolute link leads to the root's own `/`, never the host's); nil when there is nothing there.
  /// An empty `root` is the host's.
  package static func locate(_ path: String, in root: String) -> String? {
    var queue = path.split(separator: "/").map(String.init)
    var resolved: [String] = []
    var links = 0
    while !queue.isEmpty {
      let part = queue.removeFirst()
      if part.isEmpty || part == "." { continue }
      if part == ".." {
        _ = resolved.popLast()
        continue
      }
      let candidate = root + "/" + (resolved + [part]).joined(separator: "/")
      if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: candidate) {
        links += 1
        guard links <= 40 else { return nil }
        if target.hasPrefix("/") { resolved = [] }
        queue = target.split(separator: "/").map(String.init) + queue
        continue
      }
      resolved.append(part)
    }
    let file = root + "/" + resolved.joined(separator: "/")
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: file, isDirectory: &isFolder), !isFolder.boolValue else { return nil }
    return file
  }
}

extension LoadPredictor {
  /// A program's prediction in one built environment.
  package struct Compatibility: Sendable, Hashable, Codable {
    /// The environment's name (`debian-11`).
    package var env: String
    /// Its Debian arch.
    package var arch: String
    /// `glibc 2.31`, `musl 1.2.3`.
    package var libc: String
    /// What would happen there.
    package var prediction: LoadPrediction
  }

  /// The Debian arch an ELF file's environments are built for: its arch's, armel for a soft-float
  /// ARM file; nil for what no linux target names.
  package static func debianArch(of facts: BinaryFacts) -> String? {
    guard facts.format == .elf, let arch = facts.arch else { return nil }
    let variant = arch == "arm" ? (facts.floatABI == "soft" ? "v5" : "v7") : nil
    return TargetCatalog.spec(for: Platform(os: "linux", arch: arch, variant: variant))?.debianArch
  }

  /// The prediction for the program at `path` in every environment of `recipes` built in `store`
  /// for its arch, in the recipes' order.
  package static func compatibility(
    of path: String, facts: BinaryFacts, recipes: [EnvironmentRecipe], store: EnvironmentStore
  ) -> [Compatibility] {
    guard let arch = debianArch(of: facts) else { return [] }
    return recipes.compactMap { recipe in
      guard recipe.arches.contains(arch), let built = store.cached(recipe, arch: arch) else { return nil }
      return Compatibility(
        env: recipe.name, arch: arch, libc: "\(recipe.libcFamily) \(recipe.libcVersion)",
        prediction: predict(path, facts: facts, root: built.rootfs))
    }
  }

  /// The line a README wants: `runs on debian-12, debian-13; not debian-11: GLIBC_2.34
  /// (__libc_start_main), needed by hello, is not in its libc.so.6`.
  package static func sentence(_ results: [Compatibility]) -> String {
    let runs = results.filter(\.prediction.loads).map(\.env)
    var parts = runs.isEmpty ? [] : ["runs on " + runs.joined(separator: ", ")]
    for result in results where !result.prediction.loads {
      let problems = result.prediction.problems
      parts.append(
        "not \(result.env): \(problems.first ?? "")" + (problems.count > 1 ? " (and \(problems.count - 1) more)" : ""))
    }
    return parts.isEmpty ? "no environment of its arch is built" : parts.joined(separator: "; ")
  }
}
