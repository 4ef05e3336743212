import Foundation

extension ProjectTemplate {
  /// The most test packages a first matrix runs, each a step of its own; the rest are named in a comment.
  static let goPackageLimit = 16

  /// A Go module: its program (the root package when it is `main`, else the first `cmd/NAME`) and
  /// each package's tests built for the target with `go test -c`, every test binary an artifact,
  /// each run through `go tool test2json` in its package's folder (its `testdata/`), so every test
  /// is a result of its own. A module that uses cgo builds with zig's C compiler for the target
  /// against the gate's glibc; one that does not, with `CGO_ENABLED=0`.
  static func go(folder: String, name: String) -> Body {
    let module = matches(#"(?m)^module\s+(\S+)"#, in: text("go.mod", in: folder)).first
    // `go build` names the program after the module path's last element.
    let programName = module.map { String($0.split(separator: "/").last ?? Substring($0)) } ?? name
    let packages = goPackages(in: folder)
    var program: (path: String, name: String)?
    if packages.first(where: { $0.path == "." })?.isMain == true {
      program = (".", programName)
    } else if let command = packages.first(where: { $0.path.hasPrefix("cmd/") && $0.isMain }) {
      program = ("./" + command.path, String(command.path.split(separator: "/").last!))
    }
    let cgo = packages.contains(where: \.usesCgo)
    var lines = ["build:", "  shell: sh", "  script: |"] + (cgo ? zigLines() : [])
    lines.append(
      "    export GOOS=${target.goos} GOARCH=${target.goarch} GOARM=\"${target.goarm}\" CGO_ENABLED=\(cgo ? 1 : 0)")
    // Every package builds for the target, those without tests too.
    lines.append("    go build ./...")
    var artifacts: [(name: String, path: String)] = []
    if let program {
      lines.append("    go build -o \"${cell.out}/\(program.name)\" \(program.path)")
      artifacts.append((program.name, "${cell.out}/\(program.name)"))
    }
    let tested = packages.filter(\.hasTests)
    // A step and its test binary are named by the package's folder (`internal-codec`).
    let run = tested.prefix(goPackageLimit).map { package in
      let name = package.path == "." ? programName : package.path.replacingOccurrences(of: "/", with: "-")
      return (package: package, name: name, binary: name + ".test")
    }
    if !run.isEmpty {
      lines.append("    # Each package's tests, built for the target; the run steps start them through test2json.")
      for (package, _, binary) in run {
        lines.append(
          "    go test -c -o \"${cell.out}/tests/\(binary)\" \(package.path == "." ? "." : "./" + package.path)")
        artifacts.append((binary, "${cell.out}/tests/\(binary)"))
      }
    }
    lines += artifactLines(artifacts, example: "${cell.out}/NAME")
    if !run.isEmpty {
      lines += [
        "run:",
        "  # go tool test2json runs each test binary (under qemu, by binfmt_misc, where the target is",
        "  # foreign) in its package's folder, as go test does; each test is a result of its own.",
      ]
      for (package, name, binary) in run {
        lines.append("  - name: \(yamlWord(name))")
        lines.append("    argv: [go, tool, test2json, -t, \"${artifact:\(binary)}\", -test.v]")
        if package.path != "." { lines.append("    workdir: \(yamlWord(package.path))") }
        lines.append("    tests: {format: go-test-json}")
      }
    }
    if tested.count > goPackageLimit {
      lines.append(
        "  # More packages with tests (a go test -c line and a step as above for each): "
          + tested.dropFirst(goPackageLimit).map(\.path).joined(separator: ", "))
    }
    var notes = [
      cgo
        ? "cgo: the packages build with zig's C compiler for each target (CGO_ENABLED=1)"
        : "no cgo: CGO_ENABLED=0, static programs"
    ]
    notes.append(
      "\(tested.count) package\(tested.count == 1 ? "" : "s") with tests, each run through go tool test2json")
    return Body(lines: lines, zig: cgo, notes: notes)
  }

  /// The systems Go builds for besides linux, as file name suffixes and build constraints name them.
  static let otherSystems = [
    "aix", "android", "darwin", "dragonfly", "freebsd", "illumos", "ios", "js", "netbsd", "openbsd", "plan9",
    "solaris", "wasip1", "windows",
  ]

  /// Whether a file's name (`x_darwin.go`, `x_windows_amd64.go`) says it is built for another system.
  static func forOtherOS(_ name: String) -> Bool {
    let words = name.dropLast(3).split(separator: "_").map(String.init)
    return words.count > 1 && words.suffix(2).contains(where: otherSystems.contains) && !name.hasSuffix("_test.go")
  }

  /// Whether a `//go:build` constraint names other systems only (`darwin || freebsd`), not linux.
  static func forOtherOS(constraint: String) -> Bool {
    let words = constraint.split(whereSeparator: { !$0.isLetter && !$0.isNumber && $0 != "!" }).map(String.init)
    return words.contains(where: otherSystems.contains) && !words.contains("linux") && !words.contains("unix")
      && !constraint.contains("!")
  }

  /// One package of a module, as its files say.
  struct GoPackage {
    var path: String
    var isMain = false
    var hasTests = false
    var usesCgo = false
  }

  /// The module's packages (folder paths from its root, `.` first, then sorted), leaving out
  /// `vendor`, `testdata`, folders whose names start with `.` or `_`, and nested modules; at most
  /// 2,000 folders are walked.
  static func goPackages(in folder: String) -> [GoPackage] {
    var found: [GoPackage] = []
    var queue = ["."]
    var walked = 0
    let manager = FileManager.default
    while !queue.isEmpty, walked < 2_000 {
      let path = queue.removeFirst()
      walked += 1
      let absolute = path == "." ? folder : "\(folder)/\(path)"
      guard let names = try? manager.contentsOfDirectory(atPath: absolute) else { continue }
      var package = GoPackage(path: path)
      var sources = false
      for name in names.sorted() {
        var isFolder: ObjCBool = false
        guard manager.fileExists(atPath: "\(absolute)/\(name)", isDirectory: &isFolder) else { continue }
        if isFolder.boolValue {
          let skipped = ["vendor", "testdata"].contains(name) || name.hasPrefix(".") || name.hasPrefix("_")
          let child = path == "." ? name : "\(path)/\(name)"
          if !skipped, !manager.fileExists(atPath: "\(absolute)/\(name)/go.mod") { queue.append(child) }
          continue
        }
        guard name.hasSuffix(".go"), !forOtherOS(name) else { continue }
        if name.hasSuffix("_test.go") {
          package.hasTests = true
          continue
        }
        let source = text(name, in: absolute)
        // A generator (`//go:build ignore`, `mksysconf.go`) or another system's file is no part of it.
        if let constraint = matches(#"(?m)^//go:build (.*)$"#, in: source).first,
          forOtherOS(constraint: constraint) || constraint.split(separator: " ").contains("ignore")
        {
          continue
        }
        sources = true
        if source.range(of: #"(?m)^package\s+main\b"#, options: .regularExpression) != nil { package.isMain = true }
        if source.range(of: #"(?m)^\s*import\s+(\(\s*)?"C"\s*$"#, options: .regularExpression) != nil {
          package.usesCgo = true
        }
      }
      if sources || package.hasTests { found.append(package) }
    }
    return found
  }
}
