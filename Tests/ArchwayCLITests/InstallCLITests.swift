import ArchwayKit
import ArchwayTestSupport
import Foundation
import Testing

/// `Scripts/install.sh --prefix`: one binary with the Swift runtime linked in, its version naming
/// the commit, shell completions, a man page and the files it reads beside it; checked with readelf,
/// bash and man rather than with Archway's own word.
@Suite struct InstallCLITests {
  @Test func theInstalledBinaryNeedsNoSwiftAndNamesItsCommit() async throws {
    let archway = await Fixtures.installed
    let head = try await Command.run("git", ["-C", Fixtures.root, "rev-parse", "--short=12", "HEAD"]).stdout
      .trimmingCharacters(in: .whitespacesAndNewlines)
    let modified = try await !Command.run(
      "git", ["-C", Fixtures.root, "status", "--porcelain", "--untracked-files=no"]
    )
    .stdout.isEmpty
    // A plain `swift build` says the release alone; the installed one adds the commit.
    let release = try await Command.run(Fixtures.archway, ["--version"]).stdout.trimmingCharacters(
      in: .whitespacesAndNewlines)
    let version = try await Command.run(archway, ["--version"], environment: await Fixtures.withoutSwift)
    #expect(version.status == 0, "\(version.stderr)")
    #expect(version.stdout == "\(release) (commit \(head)\(modified ? "-modified" : ""))\n", "\(version.stdout)")
    // readelf's NEEDED: no Swift library (the runtime and Foundation are inside), and no RUNPATH
    // into a toolchain (SwiftPM's own `$ORIGIN` at most).
    let dynamic = try await Command.run("readelf", ["-d", "-W", archway]).stdout
    let needed = dynamic.split(separator: "\n").filter { $0.contains("(NEEDED)") }
    #expect(!needed.isEmpty && !needed.contains { $0.lowercased().contains("swift") || $0.contains("Foundation") })
    for line in dynamic.split(separator: "\n") where line.contains("(RUNPATH)") || line.contains("(RPATH)") {
      #expect(line.hasSuffix("[$ORIGIN]"), "\(line)")
    }
    // Archway's own reading of itself agrees.
    let inspected = try await Command.run(archway, ["inspect", "--json", archway])
    let facts = try #require(
      (try JSONSerialization.jsonObject(with: Data(inspected.stdout.utf8)) as? [[String: Any]])?.first)
    let libraries = facts["needed"] as? [String] ?? []
    let named = needed.compactMap { $0.split(separator: "[").last?.split(separator: "]").first.map(String.init) }
    #expect(Set(libraries) == Set(named), "\(libraries) vs readelf's \(named)")
    // It runs where the loader finds only the system's libraries: no LD_LIBRARY_PATH, no Swift.
    var bare = await Fixtures.withoutSwift
    bare["LD_LIBRARY_PATH"] = nil
    let loaded = try await Command.run("ldd", [archway], environment: bare).stdout
    #expect(!loaded.contains("not found") && !loaded.contains("/opt/swift"), "\(loaded)")
  }

  @Test func completionsManPageAndSharedFilesAreInstalled() async throws {
    let prefix = await Fixtures.installPrefix
    let bash = prefix + "/share/bash-completion/completions/archway"
    #expect(try await Command.run("bash", ["-n", bash]).status == 0)
    // Sourced, the bash completion offers the subcommands for `archway s`.
    let offered = try await Command.run(
      "bash",
      [
        "-c",
        "source \(bash.shellQuotedForTest); COMP_WORDS=(archway s); COMP_CWORD=1; COMP_LINE='archway s';"
          + " COMP_POINT=9; _archway; printf '%s\\n' \"${COMPREPLY[@]}\"",
      ])
    #expect(Set(offered.stdout.split(separator: "\n")).isSuperset(of: ["setup"]), "\(offered.stdout)\(offered.stderr)")
    for file in ["/share/zsh/site-functions/_archway", "/share/fish/vendor_completions.d/archway.fish"] {
      let text = try String(contentsOfFile: prefix + file, encoding: .utf8)
      #expect(text.contains("archway") && text.contains("setup"), "\(file)")
    }
    // man renders the page, and it lists every subcommand.
    let page = try await Command.run(
      "man", ["-l", prefix + "/share/man/man1/archway.1"], environment: ["MANWIDTH": "100", "PATH": "/usr/bin:/bin"])
    #expect(page.status == 0, "\(page.stderr)")
    for command in [
      "plan", "run", "inspect", "verify", "targets", "exec", "diff", "report", "merge", "env", "doctor", "init",
      "setup",
    ] {
      // mdoc's tag list: a short name with its text on the line, a longer one on a line of its own.
      #expect(
        page.stdout.contains("\n     \(command) ") || page.stdout.contains("\n     \(command)\n"),
        "the man page lacks \(command)")
    }
    // The recipes `env:` cells use, found by the installed binary beside itself.
    let listed = try await Command.run(
      await Fixtures.installed, ["env", "list"], workingDirectory: Fixtures.scratch("env-list"))
    for recipe in ["debian-11", "debian-12", "debian-13", "debian-12-musl"] {
      #expect(listed.stdout.contains(recipe), "\(listed.stdout)\(listed.stderr)")
    }
    #expect(FileManager.default.fileExists(atPath: prefix + "/share/archway/archway.schema.json"))
  }
}

extension String {
  fileprivate var shellQuotedForTest: String { "'" + replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
