import Foundation

/// Everything Archway can see that may change what a cell's run steps and rebuilds show, once its
/// build has left its artifacts: two cells with equal keys ran the same bytes, the same way, under
/// the same runner, checked by the same Archway (docs/reuse.md says what the key cannot know). The
/// parts are kept apart, so a report says which one changed.
package struct ReuseKey: Sendable, Hashable, Codable {
  /// Archway itself: the SHA-256 of the executable that ran (any change to Archway changes it).
  package var archway: String
  /// Artifact name → the SHA-256 of its bytes (a member's, as unpacked), or `unreadable`.
  package var artifacts: [String: String]
  /// The SHA-256 of the cell as planned, its folder written `${cell.out}`: target, values, build and
  /// run steps (argv, environment, stdin, working folder, limits, time limits, retries, `reuse`),
  /// expectations, verify policy (with the rebuilds it asks for) and settings.
  package var plan: String
  /// Everything else the build wrote into the cell's folder (a test program a step runs that is not
  /// an artifact): `N files, sha256:DIGEST` over each file's path and content (``buildOutputs(in:since:)``).
  package var outputs: String
  /// Path → SHA-256 of the files outside the cell's folder that its run steps name: golden files, and
  /// every regular file a word of a step's argv (or of its script) names.
  package var files: [String: String]
  /// What the steps ran under: the runner (kind, launcher, sysroot, CPU model, image, settings), what
  /// it is (the emulator's version, the image's ID, wine's version, the sysroot's packages or libc),
  /// the host's kernel, libc and limits.
  package var runner: [String: String]

  /// The parts that differ from `other`'s, in words (`artifact app changed`), in a stable order;
  /// none when the keys are equal.
  package func differences(from other: ReuseKey) -> [String] {
    var words: [String] = []
    if archway != other.archway { words.append("Archway changed") }
    for name in Set(artifacts.keys).union(other.artifacts.keys).sorted() where artifacts[name] != other.artifacts[name]
    {
      words.append("artifact \(name) changed")
    }
    if outputs != other.outputs { words.append("what the build wrote besides its artifacts changed") }
    if plan != other.plan { words.append("the cell's plan changed (steps, expectations, verify policy or settings)") }
    for path in Set(files.keys).union(other.files.keys).sorted() where files[path] != other.files[path] {
      words.append("file \(path) changed")
    }
    for part in Set(runner.keys).union(other.runner.keys).sorted() where runner[part] != other.runner[part] {
      words.append("the runner's \(part) changed")
    }
    return words
  }
}

extension ReuseKey {
  /// The key of `cell`, whose build (started at `built`) left `artifacts` (name → path), run under
  /// `runner` (the parts ``RunnerParts`` gives) by the Archway `archway` (``archwaySelf``).
  package static func make(
    _ cell: Cell, artifacts: [String: String], built: timespec, runner: [String: String], archway: String
  ) -> ReuseKey {
    ReuseKey(
      archway: archway, artifacts: artifacts.mapValues { FileDigest.sha256(ofFile: $0) ?? "unreadable" },
      plan: plan(of: cell), outputs: buildOutputs(in: cell.out, since: built, besides: Set(artifacts.values)),
      files: namedFiles(of: cell),
      runner: runner)
  }

  /// The clock file times are stamped from (the kernel's coarse real time): a file changed after a
  /// reading has a change time no earlier than it.
  package static func fileClock() -> timespec {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME_COARSE, &now)
    return now
  }

  /// The most files and bytes of a build's outputs read for a key; past them the key matches no other.
  static let outputLimits = (files: 20_000, bytes: 4 << 30)

  /// `N files, sha256:DIGEST` over the path (relative to `folder`) and SHA-256 of every regular file
  /// in `folder` whose status changed at or after `since` (its ctime, which no program can set back,
  /// as `cp -p` or `tar -x` set a file's modification time), and every symbolic link's target; not
  /// in `logs/`, `.archway/` and `rebuild-N/`, which are Archway's, nor among `artifacts` (their
  /// paths), which the key holds apart. What an earlier run's steps left there is older, and not
  /// counted. Nothing is followed.
  static func buildOutputs(in folder: String, since: timespec, besides artifacts: Set<String>) -> String {
    var lines: [String] = []
    var (count, bytes) = (0, 0)
    var pending = [""]
    while let relative = pending.popLast() {
      guard let directory = opendir(folder + relative) else { continue }
      defer { closedir(directory) }
      while let entry = readdir(directory) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        if name == "." || name == ".." { continue }
        let path = relative + "/" + name
        if relative.isEmpty, name == "logs" || name == ".archway" || name.hasPrefix("rebuild-") { continue }
        if artifacts.contains(folder + path) { continue }
        var status = stat()
        guard lstat(folder + path, &status) == 0 else { continue }
        switch status.st_mode & S_IFMT {
        case S_IFDIR: pending.append(path)
        case S_IFREG, S_IFLNK:
          let changed = status.st_ctim
          guard changed.tv_sec > since.tv_sec || (changed.tv_sec == since.tv_sec && changed.tv_nsec >= since.tv_nsec)
          else { continue }
          (count, bytes) = (count + 1, bytes + Int(status.st_size))
          guard count <= outputLimits.files, bytes <= outputLimits.bytes else {
            return "more than \(outputLimits.files) files or 4 GiB: never reused (\(UUID().uuidString))"
          }
          let content =
            status.st_mode & S_IFMT == S_IFLNK
            ? "link " + ((try? FileManager.default.destinationOfSymbolicLink(atPath: folder + path)) ?? "?")
            : FileDigest.sha256(ofFile: folder + path) ?? "unreadable"
          lines.append(path + "\u{0}" + content)
        default: continue
        }
      }
    }
    let digest = Digest.hash(.sha256, Data(lines.sorted().joined(separator: "\n").utf8)).hexString()
    return "\(lines.count) files, sha256:\(digest)"
  }

  /// The SHA-256 of the running executable (`/proc/self/exe`), read once a run.
  package static let archwaySelf: String = {
    let path =
      (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    return "sha256:" + (FileDigest.sha256(ofFile: path) ?? "unknown (\(path) unreadable)")
  }()

  /// The cell's plan as JSON with sorted keys, its folder as `${cell.out}` (so a run into another
  /// folder keeps its key), hashed.
  static func plan(of cell: Cell) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let json = (try? encoder.encode(cell)).map { String(decoding: $0, as: UTF8.self) } ?? "unencodable \(cell.id)"
    return Digest.hash(.sha256, Data(json.replacingOccurrences(of: cell.out, with: "${cell.out}").utf8)).hexString()
  }

  /// The most files a cell's steps may name for the key; those past it are left out (and said so).
  static let mostFiles = 256

  /// Path → SHA-256 of the regular files outside `cell`'s folder that its run steps name: the golden
  /// files of `expect:`, and each word of an argv (split at white space, quotes and `=`, so a script's
  /// words and `--config=FILE` count) that names one, taken from the step's working folder.
  static func namedFiles(of cell: Cell) -> [String: String] {
    var files: [String: String] = [:]
    let here = FileManager.default.currentDirectoryPath
    func take(_ word: some StringProtocol, from folder: String) {
      guard files.count < mostFiles, !word.isEmpty, word.utf8.count < 4096, word.contains(where: { $0 != "." }) else {
        return
      }
      let path = PathText.absolute(String(word), from: folder)
      guard files[path] == nil, !PathText.isInside(path, folder: cell.out) else { return }
      var status = stat()
      guard stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return }
      files[path] = FileDigest.sha256(ofFile: path) ?? "unreadable"
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
    if files.count >= mostFiles { files["…"] = "more than \(mostFiles) files named; the rest are not in the key" }
    return files
  }
}

extension ReuseKey {
  /// The runner's part of a key: what its record says (but why it was chosen), what the runner says
  /// it is (``StepRunner/identity()``), and the host's kernel, libc and limits, which every runner's
  /// programs meet; asked once per runner a run.
  actor RunnerParts {
    private var known: [RunnerRecord: [String: String]] = [:]

    /// The parts of `runner` for a cell of `target` on `host`, through binfmt_misc's emulator
    /// (`emulated`) when a root filesystem or container of a foreign arch runs its programs.
    func of(
      _ runner: any StepRunner, emulated: (@Sendable () async -> (emulator: String, binfmt: String))?
    ) async -> [String: String] {
      var record = runner.record
      record.reason = ""
      if let parts = known[record] { return parts }
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
      var parts = await runner.identity()
      parts["record"] = (try? encoder.encode(record)).map { String(decoding: $0, as: UTF8.self) } ?? ""
      parts.merge(Self.host) { _, host in host }
      if let emulated {
        (parts["emulator"], parts["binfmt"]) = await emulated()
      }
      known[record] = parts
      return parts
    }

    /// The host's kernel release, the libc Archway (and so a native step) is linked with, and the
    /// soft limits steps inherit.
    static let host: [String: String] = {
      var name = utsname()
      uname(&name)
      let release = withUnsafeBytes(of: &name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
      var limits: [String] = []
      // Linux's numbers for RLIMIT_NOFILE, RLIMIT_STACK and RLIMIT_NPROC.
      for (label, resource) in [("nofile", 7), ("stack", 3), ("nproc", 6)] {
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(UInt32(resource)), &limit)
        limits.append("\(label) \(limit.rlim_cur == rlim_t.max ? "unlimited" : String(limit.rlim_cur))")
      }
      return ["host_kernel": release, "host_libc": ReuseKey.loadedLibc, "host_limits": limits.joined(separator: ", ")]
    }()
  }

  /// The SHA-256 of the libc this process mapped (`/proc/self/maps`): native steps load the same.
  static var loadedLibc: String {
    let maps = (try? RegularFile.contents(atPath: "/proc/self/maps", limit: 4 << 20)) ?? Data()
    let line = String(decoding: maps, as: UTF8.self).split(separator: "\n").first {
      $0.hasSuffix("/libc.so.6") || $0.contains("/libc.musl")
    }
    guard let path = line?.split(separator: " ").last.map(String.init) else { return "none mapped" }
    return path + " sha256:" + (FileDigest.sha256(ofFile: path) ?? "unreadable")
  }

  /// What a sysroot or root filesystem holds, as a digest: its packages (`var/lib/dpkg/status`, Alpine's `lib/apk/db/installed`), or
  /// else its libc (a cross toolchain's `lib/libc.so.6`); none for none.
  package static func sysroot(_ root: String?) -> [String: String] {
    guard let root else { return [:] }
    for file in ["/var/lib/dpkg/status", "/lib/apk/db/installed", "/lib/libc.so.6"] {
      if let sum = FileDigest.sha256(ofFile: root + file) { return ["sysroot": "\(file.dropFirst()) sha256:\(sum)"] }
    }
    return ["sysroot": "no packages list or libc found"]
  }
}
