import Foundation

extension ProjectTemplate {
  /// zig's compilers and archiver (``zigLines``) as make variables, which win over the Makefile's own.
  static let zigMakeVariables = "CC=\"$CC\" CXX=\"$CXX\" AR=\"$AR\" RANLIB=\"$RANLIB\""

  /// An autotools project: configured for the target (`--host`, zig's compiler against the gate's
  /// glibc) in a copy of the project in the cell's folder (`autoreconf -fi` first when it holds no
  /// `configure`), built, installed into `${cell.out}/root`, and its `make check` read as
  /// automake's harness prints it. The artifacts are the programs and libtool libraries the
  /// `Makefile.am` files install (`bin_PROGRAMS`, `lib_LTLIBRARIES`), at their installed paths.
  static func autotools(folder: String) -> Body {
    let generated = FileManager.default.isExecutableFile(atPath: folder + "/configure")
    var lines = ["build:", "  shell: sh", "  script: |"] + zigLines() + copyIntoCell + ["    cd \"${cell.out}/src\""]
    if !generated { lines.append("    autoreconf -fi") }
    lines += [
      "    ./configure --host=${target.multiarch} --prefix=/usr", "    make",
      "    make install DESTDIR=\"${cell.out}/root\"",
    ]
    var artifacts: [(name: String, path: String)] = []
    for file in makefileAMs(in: folder) {
      let makefile = text(file, in: folder)
      for (variable, folder) in [("bin_PROGRAMS", "bin"), ("sbin_PROGRAMS", "sbin")] {
        for program in automakeList(variable, in: makefile) {
          artifacts.append((program, "${cell.out}/root/usr/\(folder)/\(program)"))
        }
      }
      for library in automakeList("lib_LTLIBRARIES", in: makefile) where library.hasSuffix(".la") {
        let name = String(library.dropLast(3))
        artifacts.append((name, "${cell.out}/root/usr/lib/\(name).so"))
      }
    }
    lines += artifactLines(Array(artifacts.prefix(8)), example: "${cell.out}/root/usr/bin/NAME")
    lines += [
      "run:",
      "  # make runs on the host; each test program it starts for the target goes through binfmt_misc's",
      "  # qemu. Each test's PASS/FAIL line is a result (VERBOSE=1: a failed test's log is printed).",
      "  - name: check",
      "    argv: [make, -C, \"${cell.out}/src\", check, VERBOSE=1]",
      "    tests: {format: automake}",
    ]
    var notes = [
      "artifacts from Makefile.am: "
        + (artifacts.isEmpty ? "none found" : artifacts.map(\.name).joined(separator: ", "))
    ]
    if !generated { notes.append("no configure script: the build runs autoreconf -fi (autoconf, automake, libtool)") }
    return Body(lines: lines, notes: notes)
  }

  /// The `Makefile.am` files of `folder` and its sub-folders, at most 200 (hidden folders left out).
  static func makefileAMs(in folder: String) -> [String] {
    guard let walker = FileManager.default.enumerator(atPath: folder) else { return [] }
    var found: [String] = []
    var walked = 0
    while let path = walker.nextObject() as? String, walked < 20_000, found.count < 200 {
      walked += 1
      if path.split(separator: "/").contains(where: { $0.hasPrefix(".") || $0 == "archway-out" }) {
        walker.skipDescendants()
        continue
      }
      if path == "Makefile.am" || path.hasSuffix("/Makefile.am") { found.append(path) }
    }
    return found.sorted()
  }

  /// The plain words assigned to `variable` (`bin_PROGRAMS = a b \` continued), without `$(…)`
  /// references.
  static func automakeList(_ variable: String, in text: String) -> [String] {
    let joined = text.replacingOccurrences(of: "\\\n", with: " ")
    return matches("(?m)^\(variable)\\s*\\+?=([^\\n]*)$", in: joined)
      .flatMap { $0.split(separator: " ").map(String.init) }
      .filter { !$0.contains("$") && !$0.contains("@") && !$0.isEmpty }
  }

  /// A project built by its Makefile, in a copy inside the cell's folder, with zig as its C
  /// compiler; `make check` (or `make test`) as the run step.
  static func make(folder: String) -> Body {
    let file = ["Makefile", "makefile", "GNUmakefile"].first {
      FileManager.default.fileExists(atPath: "\(folder)/\($0)")
    }
    let makefile = file.map { text($0, in: folder) } ?? ""
    // The programs `all:` names (plain words), else the first rule's target; a `.PHONY` target
    // names no file (lz4's `all: allmost examples manuals`), so it is no artifact.
    let phony = Set(
      matches(#"(?m)^\.PHONY\s*:([^\n]*)$"#, in: makefile).flatMap { $0.split(separator: " ").map(String.init) })
    let all = matches(#"(?m)^all\s*:([^=\n]*)$"#, in: makefile).first.map {
      $0.split(separator: " ").map(String.init).filter {
        !$0.contains("$") && !$0.contains("%") && !$0.contains("/") && !phony.contains($0)
      }
    }
    let first = matches(#"(?m)^([A-Za-z0-9_.+-]+)\s*:(?!=)"#, in: makefile).filter {
      !["all", "clean", "check", "test", "install", "distclean"].contains($0) && !$0.hasPrefix(".")
        && !phony.contains($0)
    }.first
    let programs = all?.isEmpty == false ? all! : first.map { [$0] } ?? []
    let testTarget = ["check", "test"].first { target in
      makefile.range(of: "(?m)^\(target)\\s*:", options: .regularExpression) != nil
    }
    var lines = ["build:", "  shell: sh", "  script: |"] + zigLines() + copyIntoCell
    lines.append("    make -C \"${cell.out}/src\" \(zigMakeVariables)")
    lines += artifactLines(
      programs.prefix(8).map { ($0, "${cell.out}/src/\($0)") }, example: "${cell.out}/src/NAME")
    if let testTarget {
      lines += [
        "run:",
        "  # make runs on the host; each program it starts for the target goes through binfmt_misc's qemu.",
        "  - name: \(testTarget)",
        "    argv: [make, -C, \"${cell.out}/src\", \"CC=${cell.out}/zig/cc\", \"CXX=${cell.out}/zig/c++\",",
        "      \"AR=python3 -m ziglang ar\", \"RANLIB=python3 -m ziglang ranlib\", \(testTarget)]",
      ]
    }
    return Body(lines: lines, notes: programs.isEmpty ? ["no program found in the Makefile: name the artifacts"] : [])
  }
}
