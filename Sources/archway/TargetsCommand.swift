import ArchwayKit
import ArgumentParser

struct TargetsCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "targets",
    abstract: "List known targets and their names for Go, Rust, Zig, LLVM, GCC, Debian, OCI and qemu.",
    discussion: """
      Examples:
        archway targets
        archway targets --libc musl --json | jq -r '.[].rust'
        archway targets --libc gnu-2.17        # Zig names carry the glibc floor: aarch64-linux-gnu.2.17
      """
  )

  @Option(help: "Names for this libc on linux targets: gnu, gnu-X.Y or musl (default gnu).")
  var libc = "gnu"

  @Flag(help: "Print a JSON array, one object per target.")
  var json = false

  func run() async throws {
    let requirement: LibcRequirement
    do {
      requirement = try LibcRequirement.parse(libc)
    } catch {
      throw ValidationError(error.description)
    }
    let names = TargetCatalog.names(libc: requirement)
    if json {
      try Output.printJSON(names)
      return
    }
    var table = TextTable(header: ["PLATFORM", "LIBC", "GO", "RUST", "ZIG", "LLVM", "GCC PREFIX", "DEBIAN", "QEMU"])
    for n in names {
      let go = "\(n.goos)/\(n.goarch)" + (n.goarm.map { " GOARM=\($0)" } ?? "")
      table.rows.append([
        n.platform, n.libc, go, n.rust, n.zig, n.llvm, n.gccPrefix ?? "-",
        n.debianArch.map { "\($0) \(n.multiarch ?? "")" } ?? "-", n.qemu ?? "-",
      ])
    }
    print(table.render { text, _, row in row < 0 ? Output.bold(text) : text })
  }
}
