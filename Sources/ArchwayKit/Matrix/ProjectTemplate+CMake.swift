import Foundation

extension ProjectTemplate {
  /// A CMake project: configured with zig's compilers for the target and `archway exec` as the
  /// emulator `ctest` puts before each test, built, and tested by `ctest` with its JUnit read. The
  /// artifacts are the targets CMake's file API reports from a configure on this host
  /// (``BuildModel/shipped(guess:)``); when it cannot configure here, names from `add_executable`
  /// are guessed, and `init` says so.
  static func cmake(folder: String, model: BuildModel) -> Body {
    let guess = matches(#"add_executable\(\s*([A-Za-z0-9_.+-]+)"#, in: text("CMakeLists.txt", in: folder))
    let (artifacts, note) = model.shipped(guess: guess, from: "CMake's file API")
    var lines = ["build:", "  shell: sh", "  script: |"] + zigLines()
    lines += [
      "    cmake -S . -B \"${cell.out}/build\" -DCMAKE_SYSTEM_NAME=Linux \\",
      "      -DCMAKE_SYSTEM_PROCESSOR=${target.arch} \"-DCMAKE_CROSSCOMPILING_EMULATOR=${archway};exec;--target;${target.platform};--\"",
      "    cmake --build \"${cell.out}/build\"",
    ]
    lines += artifactLines(artifacts, example: "${cell.out}/build/NAME")
    lines += [
      "run:",
      "  # ctest runs each test through archway exec (CMAKE_CROSSCOMPILING_EMULATOR); its JUnit is read.",
      "  - name: ctest",
      "    argv: [ctest, --test-dir, \"${cell.out}/build\", --output-on-failure, --output-junit, \"${cell.out}/ctest.xml\"]",
      "    tests: {format: junit, file: \"${cell.out}/ctest.xml\"}",
    ]
    return Body(lines: lines, notes: [note])
  }

  /// A Meson project: a cross file per target (zig's compilers, the target's CPU family and byte
  /// order, `archway exec` as the `exe_wrapper` `meson test` runs each test through), built, and
  /// tested by `meson test` with its JUnit read. The artifacts are the targets `meson introspect`
  /// reports from a setup on this host, as CMake's are.
  static func meson(folder: String, model: BuildModel) -> Body {
    let guess = matches(#"executable\(\s*'([A-Za-z0-9_.+-]+)'"#, in: text("meson.build", in: folder))
    let (artifacts, note) = model.shipped(guess: guess, from: "meson introspect")
    var lines = ["build:", "  shell: sh", "  script: |"] + zigLines(meson: true)
    lines += [
      "    # Meson's names for the target's CPU family and byte order, for the cross file.",
      "    case $arch in amd64) family=x86_64 ;; 386) family=x86 ;; arm64) family=aarch64 ;;",
      "      ppc64le) family=ppc64 ;; *) family=$arch ;; esac",
      "    case $arch in s390x) endian=big ;; *) endian=little ;; esac",
      "    cat >\"${cell.out}/cross.ini\" <<EOF",
      "    [binaries]",
      "    c = '${cell.out}/zig/cc'",
      "    cpp = '${cell.out}/zig/c++'",
      "    ar = ['python3', '-m', 'ziglang', 'ar']",
      "    exe_wrapper = ['${archway}', 'exec', '--target', '${target.platform}', '--']",
      "    [host_machine]",
      "    system = 'linux'",
      "    cpu_family = '$family'",
      "    cpu = '$family'",
      "    endian = '$endian'",
      "    EOF",
      "    rm -rf \"${cell.out}/build\"  # meson setup refuses a folder it has set up before",
      "    meson setup \"${cell.out}/build\" --cross-file \"${cell.out}/cross.ini\"",
      "    meson compile -C \"${cell.out}/build\"",
    ]
    lines += artifactLines(artifacts, example: "${cell.out}/build/NAME")
    lines += [
      "run:",
      "  # meson test runs each test through archway exec (the cross file's exe_wrapper); its JUnit is read.",
      "  - name: test",
      "    argv: [meson, test, -C, \"${cell.out}/build\", --print-errorlogs]",
      "    tests: {format: junit, file: \"${cell.out}/build/meson-logs/testlog.junit.xml\"}",
    ]
    return Body(lines: lines, notes: [note])
  }
}

/// What a build system says a project builds, from a configure on this host: each program and
/// shared or module library, its path in the build folder, and whether the project installs it.
package enum BuildModel: Sendable {
  case targets([Target])
  /// Why there is no model: the tool is missing, or the project does not configure on this host.
  case unknown(String)

  package struct Target: Sendable {
    package var name: String
    /// Relative to the build folder (`tests/parse_array`, `libcjson.so`).
    package var path: String
    package var installed: Bool
  }

  /// The artifacts of a first matrix: the targets the project installs; else its programs and
  /// shared libraries whose names and paths say nothing of tests; else its first target. Without a
  /// model, `guess` (names in the build folder's root, tests left out). With what `init` says.
  func shipped(guess: [String], from source: String) -> (artifacts: [(name: String, path: String)], note: String) {
    switch self {
    case .targets(let targets):
      let installed = targets.filter(\.installed)
      let outsideTests = targets.filter {
        !$0.path.lowercased().contains("test") && !$0.name.lowercased().contains("test")
      }
      let chosen = !installed.isEmpty ? installed : !outsideTests.isEmpty ? outsideTests : Array(targets.prefix(1))
      let artifacts = chosen.prefix(8).map { ($0.name, "${cell.out}/build/\($0.path)") }
      let which = installed.isEmpty ? "no target is installed" : "the targets it installs"
      return (artifacts, "artifacts from \(source) (\(which)): " + artifacts.map(\.0).joined(separator: ", "))
    case .unknown(let why):
      let names = guess.filter { !$0.lowercased().contains("test") }.prefix(8)
      return (
        names.map { ($0, "${cell.out}/build/\($0)") },
        "artifact paths guessed (\(why)): check them against the build folder"
      )
    }
  }

  /// The kinds of target a release ships as a file Archway checks.
  static let cmakeKinds: Set = ["EXECUTABLE", "SHARED_LIBRARY", "MODULE_LIBRARY"]
  static let mesonKinds: Set = ["executable", "shared library", "shared module"]

  /// The targets of the CMake project in `project`, from its file API (`codemodel-v2`) after a
  /// configure (no build) with this host's compilers in a temporary folder, removed after; at most
  /// two minutes.
  package static func cmake(project: String) async -> BuildModel {
    await configured { build, succeeds in
      let query = build + "/.cmake/api/v1/query"
      try FileManager.default.createDirectory(atPath: query, withIntermediateDirectories: true)
      try Data().write(to: URL(fileURLWithPath: query + "/codemodel-v2"))
      guard await succeeds(["cmake", "-S", project, "-B", build]) else {
        return .unknown("cmake -S . did not configure the project on this host")
      }
      return cmakeTargets(reply: build + "/.cmake/api/v1/reply")
    }
  }

  /// The targets of the Meson project in `project`, from `meson-info/intro-targets.json` after a
  /// setup (no build) in a temporary folder, removed after; at most two minutes.
  package static func meson(project: String) async -> BuildModel {
    await configured { build, succeeds in
      guard await succeeds(["meson", "setup", build, project]) else {
        return .unknown("meson setup did not configure the project on this host")
      }
      return mesonTargets(info: build + "/meson-info", build: build)
    }
  }

  /// `read` given a fresh temporary build folder and a way to run a command that says whether it
  /// exited 0 within two minutes (its whole process group ended otherwise); all removed after.
  private static func configured(
    _ read: (String, ([String]) async -> Bool) async throws -> BuildModel
  ) async -> BuildModel {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("archway-init-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let succeeds = { (argv: [String]) async -> Bool in
      let launch = ProcessLaunch(
        argv: argv, environment: ProcessInfo.processInfo.environment, timeout: .seconds(120),
        logs: folder + "/configure")
      if case .exited(0) = await ProcessSupervisor.run(launch).status { return true }
      return false
    }
    do {
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
      return try await read(folder + "/build", succeeds)
    } catch {
      return .unknown("cannot prepare a build folder: \(error.localizedDescription)")
    }
  }

  /// The JSON object or array in `folder/name` (a plain name), at most 16 MiB.
  private static func json(_ name: String, in folder: String) -> Any? {
    guard !name.contains("/"), let data = try? RegularFile.contents(atPath: "\(folder)/\(name)", limit: 16 << 20)
    else { return nil }
    return try? JSONSerialization.jsonObject(with: data)
  }

  /// Whether `path` (relative to the build folder) stays inside it.
  private static func inside(_ path: String) -> Bool {
    !path.hasPrefix("/") && !path.split(separator: "/").contains("..")
  }

  /// The targets a CMake file API reply folder describes.
  static func cmakeTargets(reply: String) -> BuildModel {
    let object = { (name: String) in json(name, in: reply) as? [String: Any] }
    let indexes = ((try? FileManager.default.contentsOfDirectory(atPath: reply)) ?? []).filter {
      $0.hasPrefix("index-") && $0.hasSuffix(".json")
    }
    guard let index = indexes.max().flatMap(object),
      let replies = (index["reply"] as? [String: Any])?["codemodel-v2"] as? [String: Any],
      let file = replies["jsonFile"] as? String, let codemodel = object(file),
      let configuration = (codemodel["configurations"] as? [[String: Any]])?.first
    else { return .unknown("CMake's file API wrote no code model") }
    var found: [Target] = []
    for entry in (configuration["targets"] as? [[String: Any]]) ?? [] {
      guard let file = entry["jsonFile"] as? String, let target = object(file),
        let name = target["name"] as? String, let type = target["type"] as? String, cmakeKinds.contains(type),
        let path = ((target["artifacts"] as? [[String: Any]])?.first)?["path"] as? String, inside(path)
      else { continue }
      found.append(Target(name: name, path: path, installed: target["install"] != nil))
    }
    return found.isEmpty ? .unknown("CMake's code model holds no program or shared library") : .targets(found)
  }

  /// The targets `meson-info/intro-targets.json` lists, their absolute file names made relative to `build`.
  static func mesonTargets(info: String, build: String) -> BuildModel {
    guard let targets = json("intro-targets.json", in: info) as? [[String: Any]] else {
      return .unknown("meson wrote no meson-info/intro-targets.json")
    }
    // The folder as meson names it (it resolves symbolic links, as /tmp may be).
    let prefixes = [build, URL(fileURLWithPath: build).resolvingSymlinksInPath().path].map { $0 + "/" }
    var found: [Target] = []
    for target in targets {
      guard let name = target["name"] as? String, let type = target["type"] as? String, mesonKinds.contains(type),
        let file = (target["filename"] as? [String])?.first,
        let prefix = prefixes.first(where: file.hasPrefix)
      else { continue }
      let path = String(file.dropFirst(prefix.count))
      guard inside(path) else { continue }
      found.append(Target(name: name, path: path, installed: target["installed"] as? Bool ?? false))
    }
    return found.isEmpty ? .unknown("meson's targets hold no program or shared library") : .targets(found)
  }
}
