import Foundation

/// Everything Archway can see that may change what a cell's run steps and rebuilds show, once its
/// build has left its artifacts: two cells with equal keys ran the same bytes, the same way, under
/// the same runner, checked by the same Archway (docs/reuse.md says what the key cannot know). The
/// parts are kept apart, so a report says which one changed.
package struct ReuseKey: Sendable, Hashable, Codable {
  /// Archway itself: the SHA-256 of the executable that ran (any change to Archway changes it).
  package var archway: String
  /// Artifact name → the SHA-256 of its bytes (a member's, as unpacked) and its permissions
  /// (``digestAndMode(ofFile:)``), or ``unknown(_:)``.
  package var artifacts: [String: String]
  /// The SHA-256 of the cell as planned, its folder written `${cell.out}`: target, values, build and
  /// run steps (argv, environment, stdin, working folder, limits, time limits, retries, `reuse`),
  /// expectations, verify policy (with the rebuilds it asks for) and settings.
  package var plan: String
  /// Everything else in the cell's folder once the build has ended (a test program a step runs that
  /// is not an artifact): path (relative) → content (``contents(of:besides:)``).
  package var outputs: [String: String]
  /// Path → SHA-256 of the files outside the cell's folder that its run steps name: golden files, and
  /// every regular file a word of a step's argv (or of its script) names.
  package var files: [String: String]
  /// What the steps ran under: the runner (kind, launcher, sysroot, CPU model, image, settings), what
  /// it is (the emulator's version, the image's ID, wine's version, the sysroot's packages or libc),
  /// the host's kernel, CPU, packages, libc and limits, the variables steps get and the run's time
  /// limit for a step that names none.
  package var runner: [String: String]
  /// Path → content of what the build reads, as its `inputs:` name it (``inputs(_:)``), taken before
  /// it ran; nil for a build that names none (it always runs).
  package var inputs: [String: String]?
  /// The compilers the build names and their versions (`gcc` → its `--version` line); nil for none.
  package var toolchains: [String: String]?

  /// The parts that differ from `other`'s, in words (`artifact app changed`), in a stable order;
  /// none when the keys are equal.
  package func differences(from other: ReuseKey) -> [String] {
    var words: [String] = []
    if archway != other.archway { words.append("Archway changed") }
    for name in Set(artifacts.keys).union(other.artifacts.keys).sorted() where artifacts[name] != other.artifacts[name]
    {
      words.append("artifact \(name) changed")
    }
    let changed = Set(outputs.keys).union(other.outputs.keys).sorted().filter { outputs[$0] != other.outputs[$0] }
    if !changed.isEmpty {
      words.append(
        "the cell's folder changed besides its artifacts: " + changed.prefix(3).joined(separator: ", ")
          + (changed.count > 3 ? " and \(changed.count - 3) more" : ""))
    }
    if plan != other.plan { words.append("the cell's plan changed (steps, expectations, verify policy or settings)") }
    for path in Set(files.keys).union(other.files.keys).sorted() where files[path] != other.files[path] {
      words.append("file \(path) changed")
    }
    for part in Set(runner.keys).union(other.runner.keys).sorted() where runner[part] != other.runner[part] {
      words.append("the runner's \(part) changed")
    }
    if (inputs == nil) != (other.inputs == nil) { words.append("the build's inputs were named or left out") }
    let inputs = inputs ?? [:]
    let otherInputs = other.inputs ?? [:]
    for path in Set(inputs.keys).union(otherInputs.keys).sorted() where inputs[path] != otherInputs[path] {
      words.append("input \(path) changed")
    }
    let toolchains = toolchains ?? [:]
    let otherToolchains = other.toolchains ?? [:]
    for name in Set(toolchains.keys).union(otherToolchains.keys).sorted()
    where toolchains[name] != otherToolchains[name] {
      words.append("toolchain \(name) changed")
    }
    return words
  }

  /// The parts that differ from `other`'s but what a build makes (its artifacts and the other files it
  /// leaves): whether an earlier build may stand for this one.
  package func differencesBeforeBuild(from other: ReuseKey) -> [String] {
    var before = self
    (before.artifacts, before.outputs) = (other.artifacts, other.outputs)
    return before.differences(from: other)
  }

  /// The parts that differ from `other`'s but what only the build reads (its inputs, its compilers):
  /// whether an earlier run's steps may stand for this one's, which run what the build made.
  package func differencesAfterBuild(from other: ReuseKey) -> [String] {
    var after = self
    (after.inputs, after.toolchains) = (other.inputs, other.toolchains)
    return after.differences(from: other)
  }
}

extension ReuseKey {
  /// This key (``beforeBuild(_:runner:archway:inputs:toolchains:)``'s parts: the runner's are what
  /// ``RunnerParts`` gives, with the executor's) with what `cell`'s build made: its `artifacts`
  /// (name → path) and the other files in its folder.
  package func completed(_ cell: Cell, artifacts: [String: String]) -> ReuseKey {
    // Archway's own in the cell's folder, the artifacts (apart), the archives members are unpacked
    // from (a tar records times; its member is keyed), the result files steps write.
    var besides = Set(artifacts.values).union(cell.steps.members.values.map(\.archive))
    for step in cell.steps.run {
      if let file = step.expect.outputs?.tests?.file {
        besides.insert(
          PathText.absolute(file, from: step.command.workingDirectory ?? FileManager.default.currentDirectoryPath))
      }
    }
    var key = self
    key.artifacts = artifacts.mapValues { Self.digestAndMode(ofFile: $0) }
    key.outputs = Self.contents(of: cell.out, besides: besides)
    return key
  }

  /// The parts of `cell`'s key known before its build, with none of what it makes (no artifacts, no
  /// outputs): what ``differencesBeforeBuild(from:)`` compares.
  package static func beforeBuild(
    _ cell: Cell, runner: [String: String], archway: String, inputs: [String: String]?, toolchains: [String: String]?
  ) -> ReuseKey {
    ReuseKey(
      archway: archway, artifacts: [:], plan: plan(of: cell), outputs: [:], files: namedFiles(of: cell),
      runner: runner, inputs: inputs, toolchains: toolchains)
  }

  /// The running executable (`/proc/self/exe`), read once a run: the build ID its linker wrote
  /// (`build-id:HEX`), else its SHA-256 (`sha256:HEX`). The ID is a hash the linker makes of the
  /// program it links (gold's and GNU ld's SHA-1, lld's xxHash) or a random one, so any other build
  /// is another ID; it is read from the headers, where hashing the 70 MB executable took a fifth of
  /// a run with nothing to do. An ID shorter than 8 bytes (`--build-id=0x00`) is not taken.
  package static let archwaySelf: String = {
    let path =
      (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    return identity(ofExecutable: path)
  }()

  /// ``archwaySelf`` of the executable at `path`.
  static func identity(ofExecutable path: String) -> String {
    if let id = try? BinaryInspector.withContents(atPath: path, { ELFFile.buildID(of: $0) }), id.count >= 16 {
      return "build-id:" + id
    }
    return "sha256:" + digest(ofFile: path)
  }

  /// A value no other key holds: for what cannot be read or is past a limit, so that a cell whose
  /// inputs are not all known is never reused.
  static func unknown(_ why: String) -> String { "\(why): never reused (\(UUID().uuidString))" }

  /// The SHA-256 of the file at `path`, or ``unknown(_:)`` when it cannot be read.
  static func digest(ofFile path: String) -> String {
    FileDigest.sha256(ofFile: path) ?? unknown("\(path) cannot be read")
  }

  /// The SHA-256 of the file at `path` and its permissions, `HEX mode 755` (a program that lost its
  /// executable bit does not run), or ``unknown(_:)`` when it cannot be read.
  static func digestAndMode(ofFile path: String) -> String {
    var status = stat()
    guard stat(path, &status) == 0 else { return unknown("\(path) cannot be read") }
    return digest(ofFile: path) + mode(status)
  }

  /// The cell's plan as JSON with sorted keys, its folder as `${cell.out}` (so a run into another
  /// folder keeps its key), hashed.
  static func plan(of cell: Cell) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    guard let json = try? encoder.encode(cell) else { return unknown("the plan cannot be encoded") }
    let text = String(decoding: json, as: UTF8.self).replacingOccurrences(of: cell.out, with: "${cell.out}")
    return Digest.hash(.sha256, Data(text.utf8)).hexString()
  }

  /// The most files and bytes of a cell's folder read for a key.
  static let folderLimits = (files: 20_000, bytes: 4 << 30)

  /// What Archway itself keeps in a cell's folder: its logs, unpacked members, rebuilds, wine prefix.
  static func isArchways(_ name: String) -> Bool {
    ["logs", ".archway", "wine-prefix"].contains(name) || name.hasPrefix("rebuild-")
  }

  /// Path (relative to `folder`) → content of every file in `folder` once the build has ended, but
  /// Archway's own (``isArchways(_:)``; all of them for a build's input folder, `input`) and `besides`
  /// (paths): a regular file by its SHA-256 and permissions (`HEX mode 755`), a symbolic link by its
  /// target, and a link out of the folder by what it points to when that is a
  /// file. What an earlier run's steps left there counts too: a cell whose steps write into its
  /// folder is reused when the run's folder starts empty (docs/reuse.md). A link to a folder
  /// outside, a file that cannot be read, more than ``folderLimits``, or an interruption give an
  /// entry of ``unknown(_:)``.
  static func contents(of folder: String, besides: Set<String>, input: Bool = false) -> [String: String] {
    var contents: [String: String] = [:]
    var bytes = 0
    var pending = [""]
    let realFolder = URL(fileURLWithPath: folder).resolvingSymlinksInPath().path
    while let relative = pending.popLast() {
      for name in directoryEntries(folder + relative) {
        if !input, relative.isEmpty, isArchways(name) { continue }
        let path = relative + "/" + name
        if besides.contains(folder + path) { continue }
        let place = String(path.dropFirst())
        var status = stat()
        guard lstat(folder + path, &status) == 0 else { return [place: unknown("it vanished")] }
        guard !Task.isCancelled else { return ["": unknown("interrupted")] }
        switch status.st_mode & S_IFMT {
        case S_IFDIR:
          pending.append(path)
          continue
        case S_IFREG:
          bytes += Int(status.st_size)
          contents[place] = digest(ofFile: folder + path) + Self.mode(status)
        case S_IFLNK:
          let target = URL(fileURLWithPath: folder + path).resolvingSymlinksInPath().path
          var content = "link " + ((try? FileManager.default.destinationOfSymbolicLink(atPath: folder + path)) ?? "?")
          if !PathText.isInside(target, folder: realFolder) {
            var pointed = stat()
            guard stat(target, &pointed) == 0, pointed.st_mode & S_IFMT == S_IFREG else {
              return [place: unknown("a link to \(target), outside \(folder)")]
            }
            bytes += Int(pointed.st_size)
            content += " " + digest(ofFile: target)
          }
          contents[place] = content
        default:
          contents[place] = "kind \(status.st_mode & S_IFMT)"
        }
        guard contents.count <= folderLimits.files, bytes <= folderLimits.bytes else {
          return ["": unknown("more than \(folderLimits.files) files or 4 GiB")]
        }
      }
    }
    return contents
  }

  /// Path → content of each of a build's `inputs:`: a file by its SHA-256, a folder's files as
  /// ``contents(of:besides:input:)`` gives them (under the folder's path), each with its permissions
  /// (a build script made executable or not), ``absent`` for a path that is not there (a build that
  /// is taken never has one: ``absentInput``), the kind of anything else; an entry of ``unknown(_:)``
  /// for what cannot be read and past ``folderLimits`` in all.
  package static func inputs(_ paths: [String]) -> [String: String] {
    var contents: [String: String] = [:]
    for path in paths {
      var status = stat()
      guard stat(path, &status) == 0 else {
        contents[path] = errno == ENOENT ? absent : unknown("\(path) cannot be read")
        continue
      }
      switch status.st_mode & S_IFMT {
      case S_IFREG: contents[path] = digest(ofFile: path) + mode(status)
      case S_IFDIR:
        for (place, content) in Self.contents(of: path, besides: [], input: true) {
          contents[place.isEmpty ? path : path + "/" + place] = content
        }
      default: contents[path] = "kind \(status.st_mode & S_IFMT)"
      }
      guard contents.count <= folderLimits.files else {
        return ["": unknown("the build's inputs hold more than \(folderLimits.files) files")]
      }
    }
    return contents
  }

  /// An input that is not there: what a build cannot have read, so most likely a path written wrong.
  static let absent = "absent"

  /// The first input the key holds as ``absent``: a build with one is never taken, for an input
  /// written wrong (`inputs: [scr]`) would keep the build taken whatever its sources became.
  package var absentInput: String? { inputs?.filter { $0.value == Self.absent }.keys.min() }

  /// A regular file's permissions, as a key's entry holds them after its digest.
  static func mode(_ status: stat) -> String { " mode " + String(status.st_mode & 0o7777, radix: 8) }

  /// The most files a cell's steps may name for the key; past it the key is ``unknown(_:)``.
  static let mostFiles = 256

  /// Path → SHA-256 of the regular files outside `cell`'s folder that its run steps name: the golden
  /// files of `expect:`, and each word of an argv (split at white space, quotes and `=`, so a script's
  /// words and `--config=FILE` count) that names one, taken from the step's working folder.
  static func namedFiles(of cell: Cell) -> [String: String] {
    var files: [String: String] = [:]
    let here = FileManager.default.currentDirectoryPath
    func take(_ word: some StringProtocol, from folder: String) {
      guard !word.isEmpty, word.utf8.count < 4096, word.contains(where: { $0 != "." }) else { return }
      let path = PathText.absolute(String(word), from: folder)
      guard files[path] == nil, !PathText.isInside(path, folder: cell.out) else { return }
      var status = stat()
      guard stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return }
      files[path] = files.count < mostFiles ? digest(ofFile: path) : unknown("more than \(mostFiles) files named")
    }
    let separators = CharacterSet.whitespacesAndNewlines.union(CharacterSet(charactersIn: "=\"'`;|&()<>"))
    for step in cell.steps.run {
      let folder = step.command.workingDirectory.map { PathText.absolute($0, from: here) } ?? here
      for rule in [step.expect.outputs?.stdout, step.expect.outputs?.stderr].compactMap(\.self) {
        if case .golden(let path) = rule { take(path, from: here) }
      }
      for word in step.command.argv {
        for piece in word.components(separatedBy: separators) { take(piece, from: folder) }
      }
    }
    return files
  }
}

extension ReuseKey {
  /// The runner's part of a key: what its record says (but why it was chosen), what the runner says
  /// it is (``StepRunner/identity()``), and the host's kernel, libc and limits, which every runner's
  /// programs meet; asked once per runner a run.
  actor RunnerParts {
    /// By the record as the key holds it: a root filesystem's, which names each cell's folder, is
    /// asked once for all its cells.
    private var known: [String: [String: String]] = [:]

    /// The parts of `runner` for the cell in `folder`, with binfmt_misc's emulator (`emulated`) when
    /// a root filesystem or container of a foreign arch runs its programs through it.
    func of(
      _ runner: any StepRunner, folder: String, emulated: (@Sendable () async -> (emulator: String, binfmt: String))?
    ) async -> [String: String] {
      var record = runner.record
      record.reason = ""
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
      // The cell's folder as its plan writes it: `${cell.out}`.
      let written = ((try? encoder.encode(record)).map { String(decoding: $0, as: UTF8.self) } ?? "")
        .replacingOccurrences(of: folder, with: "${cell.out}")
      if let parts = known[written] { return parts }
      var parts = await runner.identity()
      parts["record"] = written
      parts.merge(Self.host) { _, host in host }
      if let emulated {
        (parts["emulator"], parts["binfmt"]) = await emulated()
      }
      known[written] = parts
      return parts
    }

    /// The host's kernel release, CPU, packages (Debian's list: the libraries and programs steps
    /// meet natively, the cross toolchains' sysroots, qemu), the libc Archway (and so a native step)
    /// is linked with, and the soft limits steps inherit.
    static let host: [String: String] = {
      var limits: [String] = []
      for name in ["nofile", "stack", "nproc"] {
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(UInt32(ResourceLimit.linuxResources[name] ?? 0)), &limit)
        limits.append("\(name) \(limit.rlim_cur == rlim_t.max ? "unlimited" : String(limit.rlim_cur))")
      }
      let cpu = (try? RegularFile.contents(atPath: "/proc/cpuinfo", limit: 16 << 20)).map { text in
        // The first processor's model and features (its `flags`, `Features` on arm64).
        let lines = String(decoding: text, as: UTF8.self).split(separator: "\n").prefix { !$0.isEmpty }
        let wanted = lines.filter {
          ["model name", "flags", "Features", "CPU part"].contains($0.prefix { $0 != "\t" && $0 != ":" })
        }
        return Digest.hash(.sha256, Data(wanted.joined(separator: "\n").utf8)).hexString()
      }
      return [
        "host_kernel": HostProbe.uname().release, "host_cpu": cpu ?? ReuseKey.unknown("/proc/cpuinfo"),
        "host_packages": FileDigest.sha256(ofFile: "/var/lib/dpkg/status") ?? "no /var/lib/dpkg/status",
        "host_libc": ReuseKey.loadedLibc, "host_limits": limits.joined(separator: ", "),
      ]
    }()
  }

  /// The SHA-256 of the libc this process mapped (`/proc/self/maps`): native steps load the same.
  static var loadedLibc: String {
    let maps = (try? RegularFile.contents(atPath: "/proc/self/maps", limit: 4 << 20)) ?? Data()
    let line = String(decoding: maps, as: UTF8.self).split(separator: "\n").first {
      $0.hasSuffix("/libc.so.6") || $0.contains("/libc.musl")
    }
    guard let path = line?.split(separator: " ").last.map(String.init) else { return "none mapped" }
    return path + " sha256:" + digest(ofFile: path)
  }

  /// What a sysroot or root filesystem holds, as a digest: its packages (`var/lib/dpkg/status`,
  /// Alpine's `lib/apk/db/installed`), or else its libc (a cross toolchain's `lib/libc.so.6`); none
  /// for none.
  package static func sysroot(_ root: String?) -> [String: String] {
    guard let root else { return [:] }
    for file in ["/var/lib/dpkg/status", "/lib/apk/db/installed", "/lib/libc.so.6"] {
      if let sum = FileDigest.sha256(ofFile: root + file) { return ["sysroot": "\(file.dropFirst()) sha256:\(sum)"] }
    }
    return ["sysroot": unknown("\(root) holds no packages list or libc")]
  }
}
