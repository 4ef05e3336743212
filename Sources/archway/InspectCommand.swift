import ArchwayKit
import ArgumentParser

struct InspectCommand: AsyncParsableCommand, TakesBulkOperands {
  static let configuration = CommandConfiguration(
    commandName: "inspect",
    abstract: "Show what binaries really are: architecture, libc, glibc floor, needed libraries.",
    discussion: """
      Reads ELF, Mach-O (thin and universal) and PE files; folders are searched recursively. \
      Archives and packages are read inside, in memory (tar, plain or gzip, xz, zstd, bzip2; zip \
      and wheels; .deb and .rpm; a lone .gz): a row for the archive, then each binary member as \
      ARCHIVE!PATH; what is wrong with an archive (a member leading out of it, a device, a stream \
      cut short, a limit reached) is named on standard error. \
      The table shows the binaries found in a folder and counts its other files (--all lists \
      them too, as 'unknown'); a file named itself is always shown, and --json lists every file. \
      Malformed binaries are listed with the error and its byte offset; neither is an error of \
      the command. A file that reads only in part (cut \
      short, or with a corrupt table) is named on standard error as damaged: what it needs cannot \
      be known, and `verify` fails it. With a Mach-O file the table adds each slice's code \
      signature (unsigned, linker-signed, adhoc, certificate; "broken" when a recomputed hash \
      differs), and --json its CodeDirectories.

      Examples:
        archway inspect dist/
        archway inspect dist/myapp_linux_arm64.tar.gz dist/myapp_1.0_arm64.deb
        archway inspect --json build/hello | jq '.[0].glibc_floor'
        archway inspect --json --symbols build/hello | jq '.[0].versioned_symbols["GLIBC_2.34"]'
        archway inspect --json --sha256 dist/ | jq -r '.[] | "\\(.sha256)  \\(.path)"'
        archway inspect --json dist/hello-macos | jq '.[0].slices[].signature.kind'
      """
  )

  @Flag(help: "Print a JSON array, one object per file (keys: see docs/inspect.md).")
  var json = false

  @Flag(help: "List the files found in folders that are not binaries too (the table shows only binaries).")
  var all = false

  @Flag(help: "With --json, add 'versioned_symbols': every imported symbol under the version it needs.")
  var symbols = false

  @Flag(help: "With --json, add 'sha256': each file's SHA-256.")
  var sha256 = false

  @Option(help: "How many files to read at once.")
  var jobs = 2

  @Argument(help: "Files or folders to inspect.")
  var paths: [String]

  var operands: [String] {
    get { paths }
    set { paths = newValue }
  }

  func validate() throws {
    try Validation.jobs(jobs)
  }

  func run() async throws {
    if json {
      // Written as the files are read: what is held is a batch of facts, not the folder's.
      var written = 0
      try await BinaryInspector.inspect(paths: paths, jobs: jobs, versionedSymbols: symbols) { batch in
        var facts = batch.map(\.1)
        if sha256 { facts = await Checksums.adding(to: facts, jobs: jobs) }
        Output.write(
          bytes: (written == 0 ? Array("[".utf8) : [])
            + BinaryFacts.jsonElements(facts, symbols: symbols, afterOthers: written > 0))
        written += facts.count
      }
      Output.write(bytes: Array((written == 0 ? "[]\n" : "\n]\n").utf8))
      return
    }
    let results = try await BinaryInspector.inspect(paths: paths, jobs: jobs, versionedSymbols: false)
    let (shown, unshown) = InspectTable.shown(results, all: all)
    let facts = sha256 ? await Checksums.adding(to: shown, jobs: jobs) : shown
    let table = InspectTable.make(facts)
    print(table.render { text, _, row in row < 0 ? Output.bold(text) : text })
    for (folder, count) in unshown {
      Output.error(
        "\(count) other file\(count == 1 ? "" : "s") in \(folder) \(count == 1 ? "is not a binary" : "are not binaries") (--all lists them)"
      )
    }
    for file in facts {
      if let damage = file.damage { Output.error(Output.red("\(file.path): \(damage)")) }
      for problem in file.archive?.problems ?? [] { Output.error(Output.red("\(file.path): \(problem)")) }
    }
  }
}
