import ArchwayKit
import ArgumentParser

struct VerifyCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "verify",
    abstract: "Gate a release: check that binaries fit a target platform, libc and glibc floor.",
    discussion: """
      Exits 0 when every binary fits; 1 with one line per violation naming the file, what the \
      target expects and what was found; 2 for bad usage. Files named on the command line must \
      be binaries; in folders, files that are not binaries are skipped, and a verify that finds \
      no binary at all exits 2. Archives and packages (tar, zip, wheels, .deb, .rpm, a lone .gz) are \
      read inside: each binary member is checked as ARCHIVE!PATH, and an archive fails itself \
      when a member leads out of it, a link leaves it, it holds a device, it is cut short or \
      corrupt, or (named itself) it holds no binary. Checksum files (checksums.txt, \
      *_checksums.txt, SHA256SUMS, sha256.sum, *.sha256) are checked against the files beside \
      them: every line's file must be there and match, and every binary or archive beside one \
      must be listed.

      A Mach-O file is checked as a Mac checks it before running it, every slice of a universal \
      file: built for macOS (not iOS, a simulator or arm64e), its code signature matching its \
      bytes (every page hash recomputed; arm64 must be signed), and an LC_UUID, without which \
      macOS 26's dyld refuses it; and its minos at most the target's macOS (--os-version).

      A PE file is checked as a clean Windows of the target's release (--os-version) loads it: \
      every DLL it imports is part of that Windows or sits beside it (the Visual C++ and MinGW \
      runtimes are not: wine ships its own copies, so a wine run cannot show it), every function \
      it imports is one that release exports (GetTempPath2W needs Server 2022), and its \
      subsystem and OS versions are at most the release's. A Go binary's Go must support the \
      release (Go 1.21 and later need Windows 10, Go 1.25 macOS 12, Go 1.24 Linux 3.2).

      With --by-name, each file is held to the target its name promises rather than one --target: \
      goreleaser's {name}_{version}_{os}_{arch}, a Rust target triple (cargo-dist), a .deb's \
      Architecture, a wheel's platform tag with its glibc, musl or macOS floor (archway targets \
      --names lists every scheme). An archive's members take its name's promise. A binary whose \
      name promises nothing, or an OS verify does not check, is named on standard error and not \
      counted as a pass; if no binary's name promises a target, the exit is 2.

      An ELF file must load on the largest memory pages the target's kernels use (--page-size): \
      64 KiB for arm64 and ppc64le, 16 KiB for loong64, 4 KiB elsewhere. qemu-user runs every \
      guest on 4 KiB pages, so only this check finds a binary linked for 4 KiB.

      Examples:
        archway verify dist/hello --target linux/arm64 --glibc-max 2.31
        archway verify dist/myapp_linux_arm64.tar.gz --target linux/arm64   # the members, as shipped
        archway verify dist/ --by-name      # goreleaser, cargo-dist, .deb and wheel names say each target
        archway verify dist/ --target linux/arm/v7 --libc gnu-2.28 --allow-needed 'libc.so.6,libm.so.6'
        archway verify hello-static --target linux/amd64 --libc static
        archway verify dist/server --target linux/amd64 --cpu x86-64-v2
        archway verify dist/hello --target linux/arm64 --page-size 4k   # only 4 KiB-page kernels
        archway verify dist/hello --target linux/arm64 --env debian-11   # would its libraries load there?
        archway verify app.exe --target windows/amd64 --allow-needed 'KERNEL32.dll,ws2_32.dll'
        archway verify dist/hello-macos --target darwin/arm64 --os-version 13.0
        archway verify dist/win/ --target windows/amd64 --os-version 8.1
        archway verify dist/win/app.exe --target windows/amd64 --signed
      """
  )

  @Option(help: "The platform the binaries must run on (linux/arm64, armhf, darwin/arm64, windows/amd64, …).")
  var target: String?

  @Flag(
    name: .customLong("by-name"),
    help:
      "Hold each file to the target its name promises instead of --target: goreleaser's os_arch, a Rust triple, a .deb's Architecture, a wheel's platform tag (archway targets --names)."
  )
  var byName = false

  @Option(
    help: "The libc: gnu, gnu-X.Y (glibc at most X.Y), musl, musl-X.Y (musl at most X.Y: 1.1, 1.2), static or any.")
  var libc = "any"

  @Option(name: .customLong("glibc-max"), help: "The newest glibc the binaries may require, e.g. 2.31.")
  var glibcMax: String?

  @Option(
    name: .customLong("allow-needed"), help: "Comma-separated libraries (or shell patterns) the binaries may need.")
  var allowNeeded: String?

  @Option(help: "The CPU level the binaries must run on (archway targets --cpu): x86-64-v2, armv6, armv8.2, …")
  var cpu: String?

  @Option(
    name: .customLong("page-size"),
    help:
      "The largest memory page size the target's kernels use: 4k, 16k or 64k (default: the arch's largest, 64k for arm64 and ppc64le, 16k for loong64, else 4k)."
  )
  var pageSize: String?

  @Option(
    name: .customLong("os-version"),
    help: ArgumentHelp(
      "The oldest OS release the binaries must start on: macOS (13.0), Windows (7, 8.1, 10, 11, server-2019, 10.0.17763) or the Linux kernel (5.10). Default: the oldest its vendor supports (macOS 14.0, Windows Server 2016, Linux 3.10).",
      valueName: "V"))
  var osVersion: String?

  @Flag(
    help:
      "Require a release signature: Authenticode on every PE, a certificate's (Developer ID) signature on every Mach-O slice. The certificate is not judged."
  )
  var signed = false

  @Flag(
    name: .customLong("allow-arm64e"),
    help: "Allow arm64e Mach-O slices (only Macs booted with -arm64e_preview_abi run third-party arm64e code).")
  var allowArm64e = false

  @Option(
    help:
      "Also predict the load inside this environment's root filesystem (debian-11, …; built with archway env build).")
  var env: String?

  @OptionGroup var location: EnvLocation

  @Flag(help: "Print a JSON array: per file its path, whether it passed, its violations and facts.")
  var json = false

  @Argument(help: "Files or folders to verify.")
  var paths: [String]

  func policy() throws -> ArtifactPolicy {
    guard let target else {
      throw ValidationError("say --target PLATFORM, or --by-name to take each file's from its name")
    }
    do {
      return try ArtifactPolicy(
        target: target, libc: libc, glibcMax: glibcMax, allowNeeded: allowNeeded, cpu: cpu, pageSize: pageSize,
        osVersion: osVersion, signed: signed, allowArm64e: allowArm64e)
    } catch {
      throw ValidationError(error.description)
    }
  }

  /// The options `--by-name` applies beside each file's promised target.
  var options: ArtifactVerifier.Options {
    var options = ArtifactVerifier.Options()
    (options.libc, options.glibcMax, options.allowNeeded, options.cpu) = (libc, glibcMax, allowNeeded, cpu)
    (options.pageSize, options.osVersion, options.signed, options.allowArm64e) = (
      pageSize, osVersion, signed, allowArm64e
    )
    return options
  }

  func validate() throws {
    if byName {
      guard target == nil else {
        throw ValidationError("--by-name takes each file's target from its name: drop --target")
      }
      if env != nil { throw ValidationError("--env predicts one environment's loads: use it with --target") }
    } else {
      _ = try policy()
    }
  }

  func run() async throws {
    let results = try await BinaryInspector.inspect(paths: paths)
    var verdicts: [ArtifactVerdict]
    var summary: String
    if byName {
      let (checked, unchecked) = ArtifactVerifier.verifyByName(results, options: options)
      for file in unchecked { Output.error("\(file.path): \(file.reason)") }
      verdicts = checked
      summary = "the targets their names promise"
      guard verdicts.contains(where: { $0.facts.archive == nil }) else {
        Output.error(
          "Error: no binary in \(paths.joined(separator: ", ")) has a name that promises a target Archway checks"
            + " (goreleaser's os_arch, a Rust triple, a .deb's architecture, a wheel's tag; archway targets --names)")
        throw ExitCode(2)
      }
    } else {
      let policy = try policy()
      verdicts = ArtifactVerifier.verify(results, against: policy)
      summary = policy.summary
    }
    guard !verdicts.isEmpty else {
      Output.error("Error: " + ArtifactVerifier.nothingVerified(results, paths: paths))
      throw ExitCode(2)
    }
    verdicts += ReleaseChecksums.verify(results)
    verdicts += PackageChecks.verify(results, tagFloors: !byName)
    if let env {
      do {
        verdicts = try ArtifactVerifier.checkLoads(verdicts, in: try location.recipe(env), store: location.store)
      } catch let error as EnvironmentError {
        Output.error("Error: \(error.message)")
        throw ExitCode(error.hostLacksIt ? 3 : 2)
      }
    }
    if json {
      try Output.printJSON(verdicts, symbols: false)
    } else {
      let lines = verdicts.flatMap { verdict in
        let promised = verdict.promise.map { " (\($0.source) promises \($0.summary))" } ?? ""
        return verdict.violations.map { "\(verdict.path): \($0.message)\(promised)\n" }
      }
      Output.text(lines.joined())  // Unbuffered, so the summary on stderr comes after it.
      let failed = verdicts.filter { !$0.passed }.count
      let line = "\(verdicts.count - failed) of \(verdicts.count) binaries fit \(summary)"
      Output.error(failed == 0 ? Output.green(line) : Output.red(line))
    }
    if verdicts.contains(where: { !$0.passed }) { throw ExitCode(1) }
  }
}
