import Foundation

/// The first matrix for someone else's project (`archway init`): the seven linux targets behind a
/// glibc gate, a build in the project's own idiom (Go's cross compiler; CMake, autotools or make
/// with zig's C compiler against the gate's glibc) and its own tests as run steps, each test a
/// result of its own.
package enum ProjectTemplate {
  /// The kinds of project Archway writes a matrix for.
  package enum Kind: String, Sendable, CaseIterable {
    case go, cmake, meson, autotools, make
    /// `c` is a Makefile project.
    case c
  }

  /// The glibc gate a first matrix holds every artifact to, as `libc: gnu-2.28`: the glibc of Red
  /// Hat Enterprise Linux 8 and its rebuilds (Rocky, Alma, Oracle Linux 8; maintained until
  /// 2029-05-31), the oldest glibc of a distribution still in full maintenance, and of PyPA's
  /// `manylinux_2_28`, the floor most binary wheels build for. Every one of the seven targets has
  /// it (riscv64's first glibc was 2.27). Debian 11 (2.31) left long-term support in August 2026,
  /// and RHEL 7 (2.17) is in paid extended support only. This host's compilers link against its own
  /// glibc (Debian 12's start files alone need `GLIBC_2.34`), so the C builds use zig's compiler,
  /// which links against the gate's (`${target.zig}` is `aarch64-linux-gnu.2.28`).
  package static let glibcGate = "2.28"

  /// The build lines that make zig's C and C++ compilers for the cell's target and glibc (from
  /// PyPI's `ziglang`, which `archway setup` installs) the build's `CC` and `CXX`, its linker `LD`
  /// and its archiver `AR` and `RANLIB`. Each compiler is a program of its own in the cell's folder:
  /// libtool takes a compiler's first word for the compiler (`python3 -m ziglang cc` linked with a
  /// stray `-m`), and asks `LD` whether it builds shared libraries (the host's `ld`, which may not
  /// know the target, made libyaml's s390x build a static one). On ppc64le, long double stays IBM's
  /// double-double: zig's headers redirect `printf` to glibc 2.32's IEEE-128 `__printfieee128`
  /// whatever glibc the target names (cjson's tests failed to link against 2.28).
  ///
  /// For Meson (`meson: true`) the compilers answer Meson 1.0's probes: zig reads a source from
  /// standard input only when told its language (`cc -E -dM -` failed on the target triple), and
  /// `-Wl,--version` says `zig ld`, which that Meson does not know, so lld answers it.
  static func zigLines(meson: Bool = false) -> [String] {
    var lines = [
      "    # zig's compilers and linker for the target, against the gate's glibc; each a program of its own",
      "    # (libtool and CMake take a compiler as one word). archway setup installs zig from PyPI. On",
      "    # ppc64le long double stays IBM's: zig's headers ask glibc 2.32's IEEE-128 printf whatever the glibc.",
      "    arch=${target.arch}",
      "    case $arch in ppc64le) flags=-mabi=ibmlongdouble ;; *) flags= ;; esac",
      "    mkdir -p \"${cell.out}/zig\"",
      "    for tool in cc c++ ld; do",
      "      case $tool in ld) run=ld.lld ;; *) run=\"$tool -target ${target.zig} $flags\" ;; esac",
      "      {",
      "        echo '#!/bin/sh'",
    ]
    if meson {
      lines += [
        "        # Meson's probes: zig reads standard input only when told its language, and its",
        "        # `-Wl,--version` says `zig ld`, which Meson 1.0 does not know (lld answers).",
        "        case $tool in cc) lang=c ;; c++) lang=c++ ;; *) lang= ;; esac",
        "        [ -z \"$lang\" ] || echo \"case \\\" \\$* \\\" in *' - '*) set -- -x $lang \\\"\\$@\\\" ;; esac\"",
        "        [ -z \"$lang\" ] || echo \"[ \\\"\\$*\\\" != -Wl,--version ] || exec python3 -m ziglang ld.lld --version\"",
      ]
    }
    lines += [
      "        echo \"exec python3 -m ziglang $run \\\"\\$@\\\"\"",
      "      } >\"${cell.out}/zig/$tool\"",
      "      chmod +x \"${cell.out}/zig/$tool\"",
      "    done",
      "    export CC=\"${cell.out}/zig/cc\" CXX=\"${cell.out}/zig/c++\" LD=\"${cell.out}/zig/ld\" \\",
      "      AR=\"python3 -m ziglang ar\" RANLIB=\"python3 -m ziglang ranlib\"",
    ]
    return lines
  }

  /// A matrix `init` made, and what it says beside it: the gate, and what it found or guessed.
  package struct Made: Sendable {
    package var text: String
    package var notes: [String]
  }

  /// The build and run lines of one kind of project, and what `init` says about them.
  struct Body {
    var lines: [String]
    /// Whether the build compiles C with zig (zig's arm start file needs `cpu: armv7+neon`).
    var zig = true
    var notes: [String] = []
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

  /// The linux targets a first matrix covers.
  static let platforms = [
    "linux/amd64", "linux/386", "linux/arm64", "linux/arm/v7", "linux/riscv64", "linux/ppc64le", "linux/s390x",
  ]

  /// What `folder` holds, in the order the files are looked for: `go.mod`, `CMakeLists.txt`,
  /// `meson.build`, `configure.ac` (or a `configure` with a `Makefile.in`), a Makefile.
  package static func detect(in folder: String) -> Kind? {
    let has = { (name: String) in FileManager.default.fileExists(atPath: "\(folder)/\(name)") }
    if has("go.mod") { return .go }
    if has("CMakeLists.txt") { return .cmake }
    if has("meson.build") { return .meson }
    if has("configure.ac") || has("configure.in") || (has("configure") && has("Makefile.in")) { return .autotools }
    if ["Makefile", "makefile", "GNUmakefile"].contains(where: has) { return .make }
    return nil
  }

  /// The matrix for the project in `folder` as `kind`; `schema` is the path of Archway's matrix
  /// schema for editors relative to the matrix, when it has one (``schema(for:)``). A CMake or
  /// Meson project is configured once on this host, in a folder of its own, to learn its targets' paths.
  package static func matrix(for kind: Kind, in folder: String, schema: String?) async -> Made {
    let name = URL(fileURLWithPath: folder).standardizedFileURL.lastPathComponent
    let body: Body
    switch kind {
    case .go: body = go(folder: folder, name: name)
    case .cmake: body = cmake(folder: folder, model: await BuildModel.cmake(project: folder))
    case .meson: body = meson(folder: folder, model: await BuildModel.meson(project: folder))
    case .autotools: body = autotools(folder: folder)
    case .make, .c: body = make(folder: folder)
    }
    var lines: [String] = []
    if let schema {
      lines.append("# yaml-language-server: $schema=\(schema)")
    } else {
      lines.append(
        "# Editor completion: a '# yaml-language-server: $schema=PATH' line, PATH Archway's archway.schema.json"
          + " (share/archway/ where it is installed)")
    }
    lines += [
      "# Made by `archway init`: \(name) for seven linux targets, its own tests run on each (under qemu-user",
      "# where the host is another arch). Edit freely; docs: archway plan --help, archway run --help.",
      "name: \(yamlWord(name))",
      "matrix:",
      "  platform: [\(platforms.joined(separator: ", "))]",
      "  # The glibc gate: no artifact may need a glibc newer than \(glibcGate), that of RHEL 8 and its rebuilds",
      "  # (maintained until 2029) and of manylinux_2_28. zig's compiler links against it (${target.zig}).",
      "  libc: [gnu-\(glibcGate)]",
    ]
    if body.zig {
      lines += [
        "  include:",
        "    # zig's glibc start file for arm asks for NEON, more than Debian armhf's baseline.",
        "    - platform: linux/arm/v7",
        "      cpu: armv7+neon",
      ]
    }
    lines += body.lines
    let notes = ["glibc gate \(glibcGate) (RHEL 8, manylinux_2_28): libc: gnu-\(glibcGate) in the matrix"] + body.notes
    return Made(text: lines.joined(separator: "\n") + "\n", notes: notes)
  }

  /// The `artifacts:` block for `paths` (name → path), or, with none found, a comment that says what
  /// to write: the static checks (arch, libc, glibc gate) read only named artifacts.
  static func artifactLines(_ paths: [(name: String, path: String)], example: String) -> [String] {
    guard !paths.isEmpty else {
      return [
        "  # artifacts: {NAME: \"\(example)\"}   # what the release ships: the static checks",
        "  #   (arch, libc, glibc gate) read the artifacts named here",
      ]
    }
    return ["  artifacts:"] + paths.map { "    \(yamlWord($0.name)): \"\($0.path)\"" }
  }

  /// The lines of a build that copies the project into the cell's folder first: each target builds
  /// in its own copy, so cells never share objects or a configured tree.
  static let copyIntoCell = [
    "    # Each target builds in a copy of the project inside its own folder.",
    "    mkdir -p \"${cell.out}/src\" && tar -cf - --exclude=./archway-out . | tar -xf - -C \"${cell.out}/src\"",
  ]

  /// The text of `folder/name`, or empty when it cannot be read; at most 1 MiB.
  static func text(_ name: String, in folder: String) -> String {
    (try? RegularFile.contents(atPath: "\(folder)/\(name)", limit: 1 << 20)).map { String(decoding: $0, as: UTF8.self) }
      ?? ""
  }

  /// The first capture group of every match of `pattern` in `text`.
  static func matches(_ pattern: String, in text: String) -> [String] {
    guard let expression = try? NSRegularExpression(pattern: pattern) else { return [] }
    let range = NSRange(text.startIndex..., in: text)
    return expression.matches(in: text, range: range).compactMap { match in
      Range(match.range(at: 1), in: text).map { String(text[$0]).trimmingCharacters(in: .whitespaces) }
    }
  }

  /// `word` as a YAML scalar: quoted unless it is plain letters, digits, `.`, `_`, `-`.
  static func yamlWord(_ word: String) -> String {
    let plain = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
    return !word.isEmpty && word.allSatisfy(plain.contains) && word.first!.isLetter ? word : word.jsonQuoted
  }
}
