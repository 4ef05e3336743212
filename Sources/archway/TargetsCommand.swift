import ArchwayKit
import ArgumentParser
import Foundation

struct TargetsCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "targets",
    abstract: "List known targets and their names for Go, Rust, Zig, LLVM, GCC, Debian, OCI and qemu.",
    discussion: """
      Examples:
        archway targets
        archway targets --libc musl --json | jq -r '.[].rust'
        archway targets --libc gnu-2.17        # Zig names carry the glibc floor: aarch64-linux-gnu.2.17
        archway targets --cpu                  # the CPU levels a matrix's cpu: names, and what each maps to
        archway targets --names                # the release file names verify --by-name reads
      """
  )

  @Option(help: "Names for this libc on linux targets: gnu, gnu-X.Y, musl or musl-X.Y (default gnu).")
  var libc = "gnu"

  @Flag(help: "List the CPU levels (`cpu:` in a matrix, `--cpu` of exec and verify) instead of the targets.")
  var cpu = false

  @Flag(help: "List the release file naming schemes `verify --by-name` reads, with what an example promises.")
  var names = false

  @Flag(help: "Print a JSON array, one object per target (or CPU level).")
  var json = false

  func run() async throws {
    let requirement: LibcRequirement
    do {
      requirement = try LibcRequirement.parse(libc)
    } catch {
      throw ValidationError(error.description)
    }
    if cpu { return try printLevels() }
    if names { return printNames() }
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
    print("\nOS releases (os_version: in a matrix, verify --os-version):")
    for os in ["darwin", "windows", "linux"] {
      var fallback = OSVersion.defaultVersion(for: os).map { "; default: \($0.displayName)" } ?? ""
      if os == "linux" { fallback += " (riscv64 4.15, loong64 5.19: their first kernels)" }
      print("  \(os.padding(toLength: 8, withPad: " ", startingAt: 0)) \(OSVersion.acceptedForms(for: os))\(fallback)")
    }
  }

  private func printNames() {
    var table = TextTable(header: ["SCHEME", "EXAMPLE", "PROMISES", "FROM"])
    for (scheme, example) in ReleaseNames.schemes {
      let promise = ReleaseNames.promise(of: example)
      table.rows.append([scheme, example, promise?.summary ?? "nothing", promise?.source ?? "-"])
    }
    print(table.render { text, _, row in row < 0 ? Output.bold(text) : text })
    print("An archive's members take its promise; a .deb's Architecture: field comes before its name.")
  }

  private func printLevels() throws {
    if json { return try Output.printJSON(CPULevel.levels) }
    var table = TextTable(header: ["CPU", "ARCH", "QEMU -cpu", "-march", "GO"])
    for level in CPULevel.levels {
      let go = [
        level.goamd64.map { "GOAMD64=\($0)" }, level.goarm.map { "GOARM=\($0)" },
        level.goarm64.map { "GOARM64=\($0)" },
      ].compactMap { $0 }.joined(separator: " ")
      table.rows.append([
        level.name, level.arch ?? "-", level.qemuModel ?? "- (only a host that has it)", level.march ?? "-", go,
      ])
    }
    print(table.render { text, _, row in row < 0 ? Output.bold(text) : text })
    print("Any other word is taken for a qemu CPU model (`qemu-ARCH -cpu help` lists them), run but not ranked.")
  }
}
