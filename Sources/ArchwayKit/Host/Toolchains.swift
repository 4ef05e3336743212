import Foundation

/// The compilers a build step names and their versions, recorded per cell: when a floor rises
/// because the CI image moved, the report says which compiler moved with it.
enum Toolchains {
  /// The compilers `argv` (a command, or a shell and its script) names, as written:
  /// `aarch64-linux-gnu-gcc`, `clang-16`, `zig`, `go`, `rustc`, `cargo`, `python3 -m ziglang`. A
  /// script's every branch counts: what it names, not what it ran.
  static func named(in argv: [String]) -> [String] {
    var found: [String] = []
    let words = Self.words(in: argv)
    for (index, word) in words.enumerated() {
      let name = URL(fileURLWithPath: word).lastPathComponent
      let compiler =
        ["zig", "go", "rustc", "cargo", "swiftc", "tinygo", "cmake", "meson"].contains(name)
        || name.range(
          of: #"^([A-Za-z0-9_.]+-)*(gcc|g\+\+|cc|c\+\+|clang|clang\+\+|gfortran)(-[0-9.]+)?$"#,
          options: .regularExpression) != nil
      // `zig cc` and `python3 -m ziglang cc`: the compiler is Zig, not a `cc` of its own.
      let subcommand =
        index > 0 && ["zig", "ziglang"].contains(URL(fileURLWithPath: words[index - 1]).lastPathComponent)
      if compiler, !subcommand, !found.contains(word) { found.append(word) }
      // Zig from PyPI runs as `python3 -m ziglang`.
      if word == "ziglang", index >= 2, words[index - 1] == "-m" {
        let zig = "\(words[index - 2]) -m ziglang"
        if !found.contains(zig) { found.append(zig) }
      }
    }
    return found
  }

  /// The words of a command or a script, split at blanks and shell punctuation, as written.
  static func words(in argv: [String]) -> [String] {
    let separators = CharacterSet.whitespacesAndNewlines.union(CharacterSet(charactersIn: ";|&()<>\"'`$={}"))
    return argv.joined(separator: " ").components(separatedBy: separators).filter { !$0.isEmpty }
  }

  /// The argv that asks `compiler` for its version.
  static func versionCommand(_ compiler: String) -> [String] {
    let words = compiler.split(separator: " ").map(String.init)
    switch URL(fileURLWithPath: words.last ?? compiler).lastPathComponent {
    case "go", "zig", "ziglang", "tinygo": return words + ["version"]
    default: return words + ["--version"]
    }
  }

  /// Compiler → the first line of its version, for each compiler `argv` names that is on `path`
  /// or, with `inside`, that answers inside the cell's environment (`inside` makes the command that
  /// runs there); each asked once per run, all at once (a script naming gcc, zig and Go waits for
  /// the slowest, not for the three in turn).
  static func versions(
    in argv: [String], path: String? = nil, cache: VersionCache, inside: (@Sendable ([String]) -> [String]?)? = nil
  ) async -> [String: String] {
    await withTaskGroup(of: (String, String?).self) { group in
      for (compiler, command) in versionCommands(in: argv, path: path, inside: inside) {
        group.addTask { (compiler, await cache.firstLine(of: command)) }
      }
      var versions: [String: String] = [:]
      for await (compiler, line) in group { versions[compiler] = line }
      return versions
    }
  }

  /// Compiler → the command that asks its version, for each compiler `argv` names that is on `path`
  /// (its program's path put in) or, with `inside`, that `inside` wraps.
  private static func versionCommands(
    in argv: [String], path: String?, inside: (@Sendable ([String]) -> [String]?)?
  ) -> [(compiler: String, command: [String])] {
    named(in: argv).compactMap { compiler in
      var command = versionCommand(compiler)
      if let inside {
        guard let wrapped = inside(command) else { return nil }
        command = wrapped
      } else {
        guard let program = ProcessSupervisor.locate(command[0], path: path) else { return nil }
        command[0] = program
      }
      return (compiler, command)
    }
  }

  /// First lines of `--version` asked for in this run, of compilers and of the emulators and wine
  /// that run the cells: each command runs once, even when cells run side by side ask for it at
  /// once (`python3 -m ziglang version` takes a tenth of a second, `wine --version` as long).
  actor VersionCache {
    private var lines: [[String]: Task<String?, Never>] = [:]

    func firstLine(of command: [String]) async -> String? {
      if let asked = lines[command] { return await asked.value }
      let asking = Task { await HostReport.firstLine(of: command) }
      lines[command] = asking
      return await asking.value
    }
  }
}
