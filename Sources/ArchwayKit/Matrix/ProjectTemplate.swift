import Foundation

/// The first matrix for someone else's project (`archway init`): the seven linux targets, a glibc
/// floor, a build in the project's own idiom (Go's cross compiler, CMake with `archway exec` as its
/// emulator, make with the cross gcc) and its own test command as a run step.
package enum ProjectTemplate {
  /// The kinds of project Archway writes a matrix for.
  package enum Kind: String, Sendable, CaseIterable {
    case go, cmake, make
    /// `c` is a Makefile project.
    case c
  }

  /// Archway's matrix schema, for the editor comment: installed beside the program
  /// (`share/archway/archway.schema.json`) or in its source checkout; nil when neither is there.
  package static let installedSchema = EnvironmentRecipe.shipped(
    "archway.schema.json", inCheckout: "Matrix/archway.schema.json"
  ).first

  /// The schema's path for a matrix written at `matrix` (absolute), relative to its folder, when
  /// the schema lies in that folder or below; else nil. A path of this machine's installation
  /// would name nothing in a fresh clone of the project on another.
  package static func schema(for matrix: String) -> String? {
    let folder = URL(fileURLWithPath: matrix).deletingLastPathComponent().standardizedFileURL.path + "/"
    guard let schema = installedSchema.map({ URL(fileURLWithPath: $0).standardizedFileURL.path }),
      schema.hasPrefix(folder)
    else { return nil }
    return String(schema.dropFirst(folder.count))
  }

  /// This host's glibc (`2.36`), what its compilers and Debian's cross toolchains link against;
  /// `2.31` where there is none.
  package static let hostGlibc: String = {
    #if canImport(Glibc)
      var buffer = [UInt8](repeating: 0, count: 64)
      let written = buffer.withUnsafeMutableBufferPointer { bytes in
        bytes.withMemoryRebound(to: CChar.self) { confstr(Int32(_CS_GNU_LIBC_VERSION), $0.baseAddress, $0.count) }
      }
      if written > 0,
        let version = String(decoding: buffer.prefix { $0 != 0 }, as: UTF8.self).split(separator: " ").last
      {
        return String(version)  // `glibc 2.36`
      }
    #endif
    return "2.31"
  }()

  /// The linux targets a first matrix covers.
  static let platforms = [
    "linux/amd64", "linux/386", "linux/arm64", "linux/arm/v7", "linux/riscv64", "linux/ppc64le", "linux/s390x",
  ]

  /// What `folder` holds, in the order the files are looked for: `go.mod`, `CMakeLists.txt`, a Makefile.
  package static func detect(in folder: String) -> Kind? {
    let manager = FileManager.default
    if manager.fileExists(atPath: folder + "/go.mod") { return .go }
    if manager.fileExists(atPath: folder + "/CMakeLists.txt") { return .cmake }
    if ["Makefile", "makefile", "GNUmakefile"].contains(where: { manager.fileExists(atPath: "\(folder)/\($0)") }) {
      return .make
    }
    return nil
  }

  /// The matrix text for the project in `folder` as `kind`; `schema` is the path of Archway's
  /// matrix schema for editors relative to the matrix, when it has one (``schema(for:)``); `glibc` the floor line's version (the host's).
  package static func matrix(for kind: Kind, in folder: String, schema: String?, glibc: String = hostGlibc) -> String {
    let name = URL(fileURLWithPath: folder).standardizedFileURL.lastPathComponent
    var lines: [String] = []
    if let schema {
      lines.append("# yaml-language-server: $schema=\(schema)")
    } else {
      lines.append(
        "# Editor completion: a '# yaml-language-server: $schema=PATH' line, PATH Archway's archway.schema.json"
          + " (share/archway/ where it is installed)")
    }
    let body: [String]
    switch kind {
    case .go: body = go(folder: folder, name: name)
    case .cmake: body = cmake(folder: folder)
    case .make, .c: body = make(folder: folder)
    }
    lines += [
      "# Made by `archway init`: \(name) for seven linux targets, its own tests run on each (under qemu-user",
      "# where the host is another arch). Edit freely; docs: archway plan --help, archway run --help.",
      "name: \(yamlWord(name))",
      "matrix:",
      "  platform: [\(platforms.joined(separator: ", "))]",
    ]
    lines += body
    lines += [
      "verify:",
      "  # The newest glibc the artifacts may need: this host's (\(glibc)), which its compilers link against.",
      "  # Lower it to your oldest system (Debian 11: 2.31) and build for it: zig cc -target ${target.zig}",
      "  # with libc: gnu-2.31, or inside it (build: {in: target}, env: debian-11-gcc); docs/matrix.md.",
      "  glibc_max: \(glibc)",
    ]
    return lines.joined(separator: "\n") + "\n"
  }

  private static func go(folder: String, name: String) -> [String] {
    let goEnvironment = "GOOS=${target.goos} GOARCH=${target.goarch} GOARM=${target.goarm} CGO_ENABLED=0"
    // The program: the module's root package when it is `main`, else its first `cmd/NAME`.
    var program: (path: String, name: String)?
    // `go build` names the program after the module path's last element.
    let module = (try? String(contentsOfFile: folder + "/go.mod", encoding: .utf8)).flatMap {
      matches(#"(?m)^module\s+(\S+)"#, in: $0).first
    }
    let programName = module.map { String($0.split(separator: "/").last ?? Substring($0)) } ?? name
    if packageIsMain(folder) {
      program = (".", programName)
    } else if let command = ((try? FileManager.default.contentsOfDirectory(atPath: folder + "/cmd")) ?? []).sorted()
      .first(where: { packageIsMain("\(folder)/cmd/\($0)") })
    {
      program = ("./cmd/\(command)", command)
    }
    var lines = ["build:", "  shell: sh", "  script: |"]
    if let program {
      lines.append("    \(goEnvironment) go build -o \"${cell.out}/\(program.name)\" \(program.path)")
      lines += ["  artifacts:", "    \(yamlWord(program.name)): \"${cell.out}/\(program.name)\""]
    } else {
      lines.append("    \(goEnvironment) go build ./...")
    }
    lines += [
      "run:",
      "  # go test builds each package's tests for the target and runs them through archway exec.",
      "  - name: test",
      "    shell: sh",
      "    script: \(goEnvironment) go test -exec \"${archway} exec --target ${target.platform} --\" ./...",
    ]
    return lines
  }

  private static func cmake(folder: String) -> [String] {
    let text = (try? String(contentsOfFile: folder + "/CMakeLists.txt", encoding: .utf8)) ?? ""
    let usesCXX = text.range(of: #"CXX|\.(cc|cpp|cxx)\b"#, options: .regularExpression) != nil
    var configure =
      "    cmake -S . -B \"${cell.out}/build\" -DCMAKE_SYSTEM_NAME=Linux -DCMAKE_SYSTEM_PROCESSOR=${target.arch}"
      + " -DCMAKE_C_COMPILER=${target.gcc_prefix}gcc"
    if usesCXX { configure += " -DCMAKE_CXX_COMPILER=${target.gcc_prefix}g++" }
    configure += " \"-DCMAKE_CROSSCOMPILING_EMULATOR=${archway};exec;--target;${target.platform};--\""
    var lines = ["build:", "  shell: sh", "  script: |", configure, "    cmake --build \"${cell.out}/build\""]
    let executables = matches(#"add_executable\(\s*([A-Za-z0-9_.+-]+)"#, in: text).filter { !$0.contains("test") }
    lines += artifactLines(executables, folder: "build")
    lines += [
      "run:",
      "  # ctest runs each test through archway exec (CMAKE_CROSSCOMPILING_EMULATOR); its JUnit is read.",
      "  - name: ctest",
      "    argv: [ctest, --test-dir, \"${cell.out}/build\", --output-on-failure, --output-junit, \"${cell.out}/ctest.xml\"]",
      "    tests: {format: junit, file: \"${cell.out}/ctest.xml\"}",
    ]
    return lines
  }

  private static func make(folder: String) -> [String] {
    let file = ["Makefile", "makefile", "GNUmakefile"].first {
      FileManager.default.fileExists(atPath: "\(folder)/\($0)")
    }
    let text = file.flatMap { try? String(contentsOfFile: "\(folder)/\($0)", encoding: .utf8) } ?? ""
    // The programs `all:` names (plain words), else the first rule's target; a `.PHONY` target
    // names no file (lz4's `all: allmost examples manuals`), so it is no artifact.
    let phony = Set(
      matches(#"(?m)^\.PHONY\s*:([^\n]*)$"#, in: text).flatMap { $0.split(separator: " ").map(String.init) })
    let all = matches(#"(?m)^all\s*:([^=\n]*)$"#, in: text).first.map {
      $0.split(separator: " ").map(String.init).filter {
        !$0.contains("$") && !$0.contains("%") && !$0.contains("/") && !phony.contains($0)
      }
    }
    let first = matches(#"(?m)^([A-Za-z0-9_.+-]+)\s*:(?!=)"#, in: text).filter {
      !["all", "clean", "check", "test", "install", "distclean"].contains($0) && !$0.hasPrefix(".")
        && !phony.contains($0)
    }.first
    let programs = all?.isEmpty == false ? all! : first.map { [$0] } ?? []
    let testTarget = ["check", "test"].first { target in
      text.range(of: "(?m)^\(target)\\s*:", options: .regularExpression) != nil
    }
    var lines = [
      "build:",
      "  shell: sh",
      "  script: |",
      "    # Each target builds in a copy of the project inside its own folder.",
      "    mkdir -p \"${cell.out}/src\" && tar -cf - --exclude=./archway-out . | tar -xf - -C \"${cell.out}/src\"",
      "    make -C \"${cell.out}/src\" CC=${target.gcc_prefix}gcc",
    ]
    lines += artifactLines(programs, folder: "src")
    if let testTarget {
      lines += [
        "run:",
        "  # make runs on the host; each program it starts for the target goes through binfmt_misc's qemu.",
        "  - name: \(testTarget)",
        "    argv: [make, -C, \"${cell.out}/src\", \"CC=${target.gcc_prefix}gcc\", \(testTarget)]",
      ]
    }
    return lines
  }

  /// The `artifacts:` block for `names` in the cell's `folder`, or, with none found, a comment that
  /// says what to write: the static checks (arch, libc, glibc floor) read only named artifacts.
  private static func artifactLines(_ names: [String], folder: String) -> [String] {
    guard !names.isEmpty else {
      return [
        "  # artifacts: {NAME: \"${cell.out}/\(folder)/NAME\"}   # what the release ships: the static checks",
        "  #   (arch, libc, glibc floor) read the artifacts named here",
      ]
    }
    return ["  artifacts:"] + names.prefix(8).map { "    \(yamlWord($0)): \"${cell.out}/\(folder)/\($0)\"" }
  }

  /// Whether the Go files of `folder` (tests left out) say `package main`.
  private static func packageIsMain(_ folder: String) -> Bool {
    let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter {
      $0.hasSuffix(".go") && !$0.hasSuffix("_test.go")
    }
    return files.contains { file in
      let text = (try? String(contentsOfFile: "\(folder)/\(file)", encoding: .utf8)) ?? ""
      return text.range(of: #"(?m)^package\s+main\b"#, options: .regularExpression) != nil
    }
  }

  /// The first capture group of every match of `pattern` in `text`.
  private static func matches(_ pattern: String, in text: String) -> [String] {
    guard let expression = try? NSRegularExpression(pattern: pattern) else { return [] }
    let range = NSRange(text.startIndex..., in: text)
    return expression.matches(in: text, range: range).compactMap { match in
      Range(match.range(at: 1), in: text).map { String(text[$0]).trimmingCharacters(in: .whitespaces) }
    }
  }

  /// `word` as a YAML scalar: quoted unless it is plain letters, digits, `.`, `_`, `-`.
  private static func yamlWord(_ word: String) -> String {
    let plain = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
    return !word.isEmpty && word.allSatisfy(plain.contains) && word.first!.isLetter ? word : word.jsonQuoted
  }
}
