import Foundation

extension ProjectTemplate {
  /// A CMake project: configured with zig's compilers for the target and `archway exec` as the
  /// emulator `ctest` puts before each test, built, and tested by `ctest` with its JUnit read. The
  /// artifacts are the targets CMake's file API reports from a configure on this host (the ones
  /// the project installs; else its programs and shared libraries outside test folders); when it
  /// cannot configure here, names from `add_executable` are guessed, and `init` says so.
  static func cmake(folder: String, model: CMakeModel) -> Body {
    let text = text("CMakeLists.txt", in: folder)
    var lines = ["build:", "  shell: sh", "  script: |"] + zigLines
    lines += [
      "    cmake -S . -B \"${cell.out}/build\" -DCMAKE_SYSTEM_NAME=Linux \\",
      "      -DCMAKE_SYSTEM_PROCESSOR=${target.arch} \"-DCMAKE_CROSSCOMPILING_EMULATOR=${archway};exec;--target;${target.platform};--\"",
      "    cmake --build \"${cell.out}/build\"",
    ]
    var notes: [String] = []
    let artifacts: [(name: String, path: String)]
    switch model {
    case .targets(let targets):
      let shipped = targets.filter(\.installed)
      let outsideTests = targets.filter {
        !$0.path.lowercased().contains("test") && !$0.name.lowercased().contains("test")
      }
      let chosen = !shipped.isEmpty ? shipped : !outsideTests.isEmpty ? outsideTests : Array(targets.prefix(1))
      artifacts = chosen.prefix(8).map { ($0.name, "${cell.out}/build/\($0.path)") }
      notes.append(
        "artifacts from CMake's file API (\(shipped.isEmpty ? "no target is installed" : "the targets it installs")): "
          + artifacts.map(\.name).joined(separator: ", "))
    case .unknown(let why):
      let names = matches(#"add_executable\(\s*([A-Za-z0-9_.+-]+)"#, in: text).filter { !$0.contains("test") }
      artifacts = names.prefix(8).map { ($0, "${cell.out}/build/\($0)") }
      notes.append("artifact paths guessed (\(why)): check them against the build folder")
    }
    lines += artifactLines(artifacts, example: "${cell.out}/build/NAME")
    lines += [
      "run:",
      "  # ctest runs each test through archway exec (CMAKE_CROSSCOMPILING_EMULATOR); its JUnit is read.",
      "  - name: ctest",
      "    argv: [ctest, --test-dir, \"${cell.out}/build\", --output-on-failure, --output-junit, \"${cell.out}/ctest.xml\"]",
      "    tests: {format: junit, file: \"${cell.out}/ctest.xml\"}",
    ]
    return Body(lines: lines, notes: notes)
  }
}

/// What CMake's file API (`codemodel-v2`) says a project builds: each executable and shared or
/// module library, its path in the build folder, and whether the project installs it.
package enum CMakeModel: Sendable {
  case targets([Target])
  /// Why there is no model: cmake is missing, or the project does not configure on this host.
  case unknown(String)

  package struct Target: Sendable {
    package var name: String
    /// Relative to the build folder (`tests/parse_array`, `libcjson.so`).
    package var path: String
    package var installed: Bool
  }

  /// The targets of the CMake project in `project`, from a configure (no build) with this host's
  /// compilers in a temporary folder, removed after; at most two minutes.
  package static func read(project: String) async -> CMakeModel {
    let build = FileManager.default.temporaryDirectory.appendingPathComponent("archway-init-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: build) }
    let query = build + "/.cmake/api/v1/query"
    do {
      try FileManager.default.createDirectory(atPath: query, withIntermediateDirectories: true)
      try Data().write(to: URL(fileURLWithPath: query + "/codemodel-v2"))
    } catch {
      return .unknown("cannot write a CMake query: \(error.localizedDescription)")
    }
    guard await HostReport.output(of: ["cmake", "-S", project, "-B", build], limit: .seconds(120)) != nil else {
      return .unknown("cmake -S . did not configure the project on this host")
    }
    return targets(reply: build + "/.cmake/api/v1/reply")
  }

  /// The targets a file API reply folder describes; each file read is at most 16 MiB.
  static func targets(reply: String) -> CMakeModel {
    func json(_ name: String) -> [String: Any]? {
      guard !name.contains("/"), let data = try? RegularFile.contents(atPath: "\(reply)/\(name)", limit: 16 << 20)
      else { return nil }
      return try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    }
    let indexes = ((try? FileManager.default.contentsOfDirectory(atPath: reply)) ?? []).filter {
      $0.hasPrefix("index-") && $0.hasSuffix(".json")
    }
    guard let index = indexes.max().flatMap(json),
      let replies = (index["reply"] as? [String: Any])?["codemodel-v2"] as? [String: Any],
      let file = replies["jsonFile"] as? String, let codemodel = json(file),
      let configuration = (codemodel["configurations"] as? [[String: Any]])?.first
    else { return .unknown("CMake's file API wrote no code model") }
    let kinds = ["EXECUTABLE", "SHARED_LIBRARY", "MODULE_LIBRARY"]
    var found: [Target] = []
    for entry in (configuration["targets"] as? [[String: Any]]) ?? [] {
      guard let file = entry["jsonFile"] as? String, let target = json(file),
        let name = target["name"] as? String, let type = target["type"] as? String, kinds.contains(type),
        let path = ((target["artifacts"] as? [[String: Any]])?.first)?["path"] as? String,
        !path.hasPrefix("/"), !path.split(separator: "/").contains("..")
      else { continue }
      found.append(Target(name: name, path: path, installed: target["install"] != nil))
    }
    return found.isEmpty ? .unknown("CMake's code model holds no program or shared library") : .targets(found)
  }
}
