import ArchwayKit
import ArchwayTestSupport
import Foundation
import Testing

/// A release folder as people ship it: archives and packages made by the real tools, read inside
/// by `inspect` and `verify` (issue 36). Every member Archway names is checked against what the
/// real tool unpacks: the same paths, the same bytes.
@Suite struct ReleaseCLITests {
  static func archway(_ arguments: String...) async throws -> CommandResult {
    var environment = ProcessInfo.processInfo.environment
    environment["NO_COLOR"] = "1"
    return try await Command.run(Fixtures.archway, arguments, environment: environment)
  }

  static func shell(_ script: String, in folder: String) async throws {
    let result = try await Command.run("/bin/bash", ["-euo", "pipefail", "-c", script], workingDirectory: folder)
    #expect(result.status == 0, "\(script): \(result.stderr)")
  }

  /// A folder holding `bin/myapp` (`binary`) and a README, packed as tar (plain, gzip, xz, zstd,
  /// bzip2), zip, a wheel, a lone gzip file and a Debian package by tar, zip, gzip and dpkg-deb.
  static func release(_ name: String, binary: String) async throws -> String {
    let folder = Fixtures.scratch(name)
    try await shell(
      """
      mkdir -p src/bin pkg/DEBIAN pkg/usr/bin dist
      cp '\(binary)' src/bin/myapp && cp '\(binary)' pkg/usr/bin/myapp && echo notes > src/README
      printf 'Package: myapp\\nVersion: 1.0\\nArchitecture: arm64\\nMaintainer: A <a@example.org>\\nDepends: libc6 (>= 2.34)\\nDescription: d\\n' >pkg/DEBIAN/control
      tar -cf dist/myapp.tar -C src .
      tar -czf dist/myapp.tar.gz -C src . && tar -cJf dist/myapp.tar.xz -C src .
      tar --zstd -cf dist/myapp.tar.zst -C src . && tar -cjf dist/myapp.tar.bz2 -C src .
      (cd src && zip -qr ../dist/myapp.zip . && zip -qr ../dist/myapp-1.0-py3-none-any.whl .)
      gzip -c src/bin/myapp >dist/myapp.gz
      dpkg-deb -Zxz --root-owner-group -b pkg dist/myapp_1.0_arm64.deb >/dev/null
      """, in: folder)
    return folder
  }

  /// What the real tools unpack: every regular file's SHA-256 by `ARCHIVE!PATH`.
  static func unpacked(_ folder: String) async throws -> [String: String] {
    try await shell(
      """
      for a in dist/*; do
        out="x/$(basename "$a")"; mkdir -p "$out"
        case "$a" in
          *.zip|*.whl) unzip -q "$a" -d "$out" ;;
          *.deb) dpkg-deb -x "$a" "$out" ;;
          *.tar*) tar -xf "$a" -C "$out" ;;
          *.gz) gzip -dc "$a" >"$out/$(basename "$a" .gz)" ;;
        esac
      done
      (cd x && find . -type f -exec sha256sum {} + | sort -k2) >sums
      """, in: folder)
    let text = try String(contentsOfFile: folder + "/sums", encoding: .utf8)
    var sums: [String: String] = [:]
    for line in text.split(separator: "\n") {
      let hash = String(line.prefix(64))
      var parts = line.dropFirst(66).split(separator: "/", maxSplits: 2).map(String.init)  // ./ARCHIVE/PATH
      guard parts.count == 3 else { continue }
      parts.removeFirst()
      sums["dist/\(parts[0])!\(parts[1])"] = hash
    }
    return sums
  }

  @Test func everyArchiveKindIsReadAndMatchesWhatItsToolUnpacks() async throws {
    let folder = try await Self.release("release-kinds", binary: Fixtures.named("c-gcc-linux-arm64").path)
    let inspected = try await Self.archway("inspect", "--json", "--sha256", folder + "/dist")
    #expect(inspected.status == 0, "\(inspected.stderr)")
    let facts = try JSONDecoder().decode([BinaryFacts].self, from: Data(inspected.stdout.utf8))
    let members = facts.filter { $0.path.contains("!") }
    var ours: [String: String] = [:]
    for member in members { ours[String(member.path.dropFirst(folder.count + 1))] = member.sha256 }
    // Only binaries are listed: the real tools' files, without the READMEs.
    let theirs = try await Self.unpacked(folder).filter { !$0.key.hasSuffix("README") }
    #expect(ours == theirs)
    #expect(members.count == 9 && members.allSatisfy { $0.arch == "arm64" && $0.glibcFloor == "2.34" })
    let kinds = facts.compactMap { $0.archive.map { "\(($0.kind))" } }.sorted()
    #expect(kinds == ["deb", "gz", "tar", "tar.bz2", "tar.gz", "tar.xz", "tar.zst", "wheel", "zip"])
    // A package's control fields, as dpkg-deb reads them.
    let deb = try #require(facts.first { $0.path.hasSuffix(".deb") }?.archive)
    let field = try await Command.run(
      "dpkg-deb", ["-f", folder + "/dist/myapp_1.0_arm64.deb", "Architecture", "Depends"])
    #expect(
      field.stdout
        == "Architecture: \(deb.metadata?["Architecture"] ?? "")\nDepends: \(deb.metadata?["Depends"] ?? "")\n")
    #expect(deb.binaries == 1 && deb.problems.isEmpty)

    let verified = try await Self.archway("verify", folder + "/dist", "--target", "linux/arm64")
    #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
    #expect(verified.stderr.contains("9 of 9 binaries fit linux/arm64"), "\(verified.stderr)")
  }

  /// The issue's false pass: `myapp_linux_arm64.tar.gz` holding an amd64 binary, in a folder with
  /// checksums.txt, passed as "0 of 0 binaries fit" (then exited 2 with nothing checked).
  @Test func aWrongArchMemberFailsNamingArchiveAndMember() async throws {
    let folder = Fixtures.scratch("release-wrong-arch")
    try await Self.shell(
      """
      mkdir -p dist && cp '\(Fixtures.named("c-gcc-linux-amd64").path)' myapp
      tar -czf dist/myapp_linux_arm64.tar.gz myapp && echo '0123  myapp_linux_arm64.tar.gz' >dist/checksums.txt
      """, in: folder)
    let result = try await Self.archway("verify", folder + "/dist", "--target", "linux/arm64")
    #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
    #expect(
      result.stdout.hasPrefix(
        "\(folder)/dist/myapp_linux_arm64.tar.gz!myapp: built for amd64 (EM_X86_64, 64-bit, little-endian) but the"
          + " target is linux/arm64"), "\(result.stdout)")
    let json = try await Self.archway(
      "verify", "--json", folder + "/dist/myapp_linux_arm64.tar.gz", "--target", "arm64")
    let verdicts = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
    #expect(verdicts.map { $0["path"] as? String } == ["\(folder)/dist/myapp_linux_arm64.tar.gz!myapp"])
  }

  /// Nothing to check is still never a pass: archives of text, and an archive named itself that
  /// holds no binary.
  @Test func anArchiveWithoutBinariesIsNoPass() async throws {
    let folder = Fixtures.scratch("release-no-binary")
    try await Self.shell("mkdir -p dist && echo notes >README && tar -czf dist/docs.tar.gz README", in: folder)
    let inFolder = try await Self.archway("verify", folder + "/dist", "--target", "linux/arm64")
    #expect(inFolder.status == 2 && inFolder.stderr.contains("found no binary to verify"), "\(inFolder.stderr)")
    let named = try await Self.archway("verify", folder + "/dist/docs.tar.gz", "--target", "linux/arm64")
    #expect(named.status == 1)
    #expect(named.stdout.contains("docs.tar.gz: holds no binary among its 1 members (tar.gz)"), "\(named.stdout)")
  }

  /// Real wheels from PyPI (MarkupSafe 3.0.2, fetched by Scripts/fetch-projects.sh), each held to
  /// its tag: all pass, a Windows extension's python312.dll and VCRUNTIME140.dll included (CPython
  /// ships them beside python.exe). Renamed, each planted defect fails naming the tag.
  @Test func realWheelsAreHeldToTheirTags() async throws {
    let wheels = Fixtures.root + "/.build-projects/wheels/markupsafe"
    let folder = Fixtures.scratch("release-wheels")
    let copied = try await Command.run("/bin/cp", ["-r", wheels, folder + "/dist"])
    #expect(copied.status == 0, "run Scripts/fetch-projects.sh: \(copied.stderr)")
    let sound = try await Self.archway("verify", folder + "/dist", "--by-name")
    #expect(sound.status == 0, "\(sound.stdout)\(sound.stderr)")
    #expect(sound.stderr.contains("5 of 5 binaries fit the targets their names promise"), "\(sound.stderr)")
    // Each member's arch as `file` reads the unzipped extension module.
    let inspected = try await Self.archway("inspect", "--json", folder + "/dist")
    let facts = try JSONDecoder().decode([BinaryFacts].self, from: Data(inspected.stdout.utf8))
    try await Self.shell(
      "mkdir x && for w in dist/*.whl; do unzip -q -d \"x/$(basename \"$w\")\" \"$w\"; done", in: folder)
    let words = ["arm64": ["aarch64", "arm64"], "amd64": ["x86-64"]]
    for member in facts where member.path.contains("!") {
      let parts = member.path.dropFirst(folder.count + "/dist/".count).split(separator: "!")
      let described = try await Command.run("file", ["-b", "\(folder)/x/\(parts[0])/\(parts[1])"])
      #expect(
        words[member.arch ?? ""]?.contains { described.stdout.contains($0) } == true,
        "\(member.path): \(described.stdout)")
    }

    let base = "\(folder)/dist/MarkupSafe-3.0.2-cp312-cp312-"
    let renames = [
      // An aarch64 wheel named for x86_64; its glibc 2.17 floor named 2.12; a musl wheel named manylinux.
      ("manylinux_2_17_aarch64.manylinux2014_aarch64", "manylinux_2_17_x86_64"),
      ("manylinux_2_17_x86_64.manylinux2014_x86_64", "manylinux_2_12_x86_64"),
      ("musllinux_1_2_x86_64", "manylinux_2_28_x86_64"),
    ]
    // A cp312 extension in a wheel named for cp311: its python312.dll is not the wheel's Python's.
    try FileManager.default.moveItem(
      atPath: "\(base)win_amd64.whl", toPath: "\(folder)/dist/MarkupSafe-3.0.2-cp311-cp311-win_amd64.whl")
    for (from, to) in renames {
      try FileManager.default.moveItem(atPath: "\(base)\(from).whl", toPath: "\(base)\(to).whl")
    }
    let planted = try await Self.archway("verify", folder + "/dist", "--by-name")
    #expect(planted.status == 1)
    let lines = planted.stdout.split(separator: "\n").map(String.init)
    let expected = [
      "manylinux_2_17_x86_64.whl!markupsafe/_speedups.cpython-312-aarch64-linux-gnu.so: built for arm64",
      "manylinux_2_12_x86_64.whl!markupsafe/_speedups.cpython-312-x86_64-linux-gnu.so: requires GLIBC_2.14",
      "manylinux_2_28_x86_64.whl!markupsafe/_speedups.cpython-312-x86_64-linux-musl.so: links musl",
    ]
    for text in expected { #expect(lines.contains { $0.contains(text) }, "\(text)\n\(planted.stdout)") }
    #expect(planted.stdout.contains("(the wheel tag manylinux_2_12_x86_64 promises linux/amd64, glibc ≤ 2.12)"))
    // The musl wheel named manylinux also needs a library manylinux's policy does not allow.
    #expect(planted.stdout.contains("_speedups.cpython-312-x86_64-linux-musl.so needs libc.musl-x86_64.so.1, which"))
    #expect(
      planted.stdout.contains("cp311-cp311-win_amd64.whl!markupsafe/_speedups.cp312-win_amd64.pyd: needs python312.dll")
    )
    #expect(planted.stderr.contains("1 of 6 binaries fit"), "\(planted.stderr)")
  }

  /// goreleaser's and cargo-dist's names, built from real zig, gcc and Go binaries: a wrong-arch
  /// archive fails naming its name's promise, another OS is named and not counted, a name that
  /// promises nothing is named, and a folder of such names alone exits 2.
  @Test func goreleaserAndRustNamesAreHeldToTheirPromises() async throws {
    let folder = Fixtures.scratch("release-names")
    func fixture(_ name: String) -> String { Fixtures.named(name).path }
    try await Self.shell(
      """
      mkdir -p dist none
      pack() { cp "$1" myapp && tar -czf "dist/$2" myapp && rm myapp; }
      pack '\(fixture("c-gcc-linux-arm64"))' myapp_1.0_linux_arm64.tar.gz
      pack '\(fixture("c-gcc-linux-arm64"))' myapp_1.0_Linux_x86_64.tar.gz
      pack '\(fixture("c-zig-arm64-musl"))' myapp-aarch64-unknown-linux-musl.tar.gz
      pack '\(fixture("go-freebsd-amd64"))' myapp_1.0_freebsd_amd64.tar.gz
      cp '\(fixture("c-zig-windows-amd64.exe"))' myapp.exe && zip -q dist/myapp_1.0_windows_amd64.zip myapp.exe
      cp '\(fixture("c-gcc-linux-amd64"))' dist/myapp
      cp '\(fixture("c-gcc-linux-amd64"))' none/myapp
      """, in: folder)
    let result = try await Self.archway("verify", folder + "/dist", "--by-name")
    #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
    #expect(
      result.stdout
        == "\(folder)/dist/myapp_1.0_Linux_x86_64.tar.gz!myapp: built for arm64 (EM_AARCH64, 64-bit, little-endian) but"
        + " the target is linux/amd64 (the name's linux_amd64 promises linux/amd64)\n")
    #expect(
      result.stderr.contains(
        "myapp_1.0_freebsd_amd64.tar.gz!myapp: the name's freebsd_amd64 promises freebsd/amd64, which verify does not check"
      ))
    #expect(result.stderr.contains("dist/myapp: its name promises no target: not checked"), "\(result.stderr)")
    #expect(result.stderr.contains("3 of 4 binaries fit the targets their names promise"), "\(result.stderr)")
    // A name's promise never loosens the command line's: a gnu triple promises glibc, any glibc,
    // and --glibc-max 2.17 still holds its binary, which needs GLIBC_2.34.
    try await Self.shell(
      "mkdir strict && cp '\(fixture("c-gcc-linux-arm64"))' myapp && tar -czf strict/myapp-aarch64-unknown-linux-gnu.tar.gz myapp",
      in: folder)
    let stricter = try await Self.archway("verify", folder + "/strict", "--by-name", "--glibc-max", "2.17")
    #expect(stricter.status == 1)
    #expect(
      stricter.stdout.contains("myapp-aarch64-unknown-linux-gnu.tar.gz!myapp: requires GLIBC_2.34"),
      "\(stricter.stdout)")
    let nothing = try await Self.archway("verify", folder + "/none", "--by-name")
    #expect(nothing.status == 2)
    let both = try await Self.archway("verify", folder + "/dist", "--by-name", "--target", "arm64")
    #expect(both.status == 2 && both.stderr.contains("drop --target"), "\(both.stderr)")
  }

  /// Checksum files as goreleaser (`*_checksums.txt`) and cargo-dist (`.sha256` per archive) write
  /// them, made by sha256sum itself: sound, they pass; each planted defect is a finding naming the
  /// file and the line's name.
  @Test func checksumFilesAreCheckedAgainstTheFilesBesideThem() async throws {
    let folder = Fixtures.scratch("release-checksums")
    try await Self.shell(
      """
      mkdir -p dist && cp '\(Fixtures.named("c-gcc-linux-arm64").path)' myapp
      for n in linux_arm64 linux_arm64v8 other; do tar -czf "dist/myapp_1.0_$n.tar.gz" myapp; done
      (cd dist && sha256sum myapp_1.0_linux_arm64.tar.gz myapp_1.0_linux_arm64v8.tar.gz myapp_1.0_other.tar.gz \
        >myapp_1.0_checksums.txt && sha256sum myapp_1.0_other.tar.gz >myapp_1.0_other.tar.gz.sha256)
      """, in: folder)
    let sound = try await Self.archway("verify", folder + "/dist", "--target", "linux/arm64")
    #expect(sound.status == 0, "\(sound.stdout)\(sound.stderr)")

    try await Self.shell(
      """
      cd dist && echo changed >>myapp_1.0_other.tar.gz && rm myapp_1.0_linux_arm64v8.tar.gz
      tar -czf myapp_1.0_unlisted.tar.gz ../myapp 2>/dev/null
      printf '%0128d  myapp_1.0_linux_arm64.tar.gz\n' 0 >>myapp_1.0_checksums.txt
      """, in: folder)
    let planted = try await Self.archway("verify", folder + "/dist", "--target", "linux/arm64")
    #expect(planted.status == 1)
    let sums = "\(folder)/dist/myapp_1.0_checksums.txt: "
    let other = try await Command.run("sha256sum", [folder + "/dist/myapp_1.0_other.tar.gz"])
    for line in [
      sums + "line 4 is not a SHA-256 line (a SHA-512 line: not checked): '\(String(repeating: "0", count: 80))'",
      sums + "lists myapp_1.0_linux_arm64v8.tar.gz, which is not there",
      sums + "says myapp_1.0_other.tar.gz has SHA-256 ",
      "\(folder)/dist/myapp_1.0_other.tar.gz.sha256: says myapp_1.0_other.tar.gz has SHA-256 ",
      "but it has \(other.stdout.prefix(64))",
      "\(folder)/dist/myapp_1.0_unlisted.tar.gz: is listed in no checksum file beside it",
    ] {
      #expect(planted.stdout.contains(line), "\(line)\n\(planted.stdout)")
    }
  }

  /// goreleaser's `dist/artifacts.json` and cargo-dist's `dist-manifest.json`, written in their
  /// documented shapes, map each artifact exactly, before its name: an archive whose manifest says
  /// arm64 fails with its amd64 member whatever its name says; a listed file that is not there is a
  /// finding; an archive the manifest does not list is named.
  @Test func releaseManifestsMapArtifactsExactly() async throws {
    let folder = Fixtures.scratch("release-manifests")
    try await Self.shell(
      """
      mkdir -p dist/myapp_linux_amd64_v1 cargo
      cp '\(Fixtures.named("c-gcc-linux-amd64").path)' dist/myapp_linux_amd64_v1/myapp
      cp '\(Fixtures.named("c-gcc-linux-amd64").path)' myapp && tar -czf dist/myapp_1.0_linux_x86_64.tar.gz myapp
      tar -czf dist/extra_linux_amd64.tar.gz myapp && tar -cJf cargo/myapp-x86_64-unknown-linux-gnu.tar.xz myapp
      cat >dist/artifacts.json <<'JSON'
      [
        {"name": "myapp", "path": "dist/myapp_linux_amd64_v1/myapp", "goos": "linux", "goarch": "amd64",
         "goamd64": "v1", "target": "linux_amd64_v1", "type": "Binary", "extra": {"Binary": "myapp"}},
        {"name": "myapp_1.0_linux_x86_64.tar.gz", "path": "dist/myapp_1.0_linux_x86_64.tar.gz", "goos": "linux",
         "goarch": "arm64", "target": "linux_arm64_v8.0", "type": "Archive", "extra": {"Format": "tar.gz"}},
        {"name": "myapp_1.0_linux_riscv64.tar.gz", "path": "dist/myapp_1.0_linux_riscv64.tar.gz", "goos": "linux",
         "goarch": "riscv64", "type": "Archive"},
        {"name": "checksums.txt", "path": "dist/checksums.txt", "type": "Checksum"}
      ]
      JSON
      cat >cargo/dist-manifest.json <<'JSON'
      {"dist_version": "0.28.0", "artifacts": {
        "myapp-x86_64-unknown-linux-gnu.tar.xz": {"name": "myapp-x86_64-unknown-linux-gnu.tar.xz",
          "kind": "executable-zip", "target_triples": ["aarch64-unknown-linux-gnu"],
          "assets": [{"name": "myapp", "path": "myapp", "kind": "executable"}]},
        "source.tar.gz": {"name": "source.tar.gz", "kind": "source-tarball"}}}
      JSON
      """, in: folder)
    let result = try await Command.run(
      Fixtures.archway, ["verify", "dist", "cargo", "--by-name"], workingDirectory: folder)
    #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
    let lines = result.stdout.split(separator: "\n").map(String.init)
    #expect(
      lines.contains(
        "dist/myapp_1.0_linux_x86_64.tar.gz!myapp: built for amd64 (EM_X86_64, 64-bit, little-endian) but the target is"
          + " linux/arm64 (goreleaser's artifacts.json (linux/arm64) promises linux/arm64)"), "\(result.stdout)")
    #expect(lines.contains("dist/artifacts.json: lists myapp_1.0_linux_riscv64.tar.gz, which is not there"))
    #expect(
      lines.contains {
        $0.hasPrefix("cargo/myapp-x86_64-unknown-linux-gnu.tar.xz!myapp: built for amd64")
          && $0.hasSuffix("(cargo-dist's dist-manifest.json (aarch64-unknown-linux-gnu) promises linux/arm64, glibc)")
      }, "\(result.stdout)")
    #expect(!result.stdout.contains("myapp_linux_amd64_v1/myapp:"), "the Binary artifact fits its linux/amd64")
    #expect(
      result.stderr.contains("dist/extra_linux_amd64.tar.gz: is listed in no manifest beside it (artifacts.json)"))
    #expect(result.stderr.contains("2 of 5 binaries fit"), "\(result.stderr)")
  }

  /// A package's metadata against its binaries. The glibc a `.deb` must depend on is what Debian's
  /// own dpkg-shlibdeps computes for its binary; a wheel's libraries against auditwheel's policy,
  /// with a library built here (gcc) that the wheel does not carry, then carries.
  @Test func packageMetadataMustAgreeWithItsBinaries() async throws {
    let folder = Fixtures.scratch("release-metadata")
    let binary = Fixtures.named("c-gcc-linux-amd64").path
    try await Self.shell(
      """
      mkdir -p dist debian && printf 'Source: x\\n\\nPackage: x\\nArchitecture: any\\n' >debian/control
      cp '\(binary)' app && dpkg-shlibdeps -O -e app 2>/dev/null | sed 's/^shlibs:Depends=//' >shlibdeps
      deb() {
        mkdir -p "p$1/DEBIAN" "p$1/usr/bin" && cp app "p$1/usr/bin/myapp"
        printf 'Package: myapp\\nVersion: 1.0\\nArchitecture: amd64\\nMaintainer: A <a@b>\\n%bDescription: d\\n' "$2" \
          >"p$1/DEBIAN/control"
        dpkg-deb --root-owner-group -b "p$1" "dist/myapp_1.0-$1_amd64.deb" >/dev/null
      }
      deb low 'Depends: libc6 (>= 2.31)\\n' && deb none '' && deb right "Depends: $(cat shlibdeps)\\n"
      printf 'int helper(void) { return 1; }\\n' >helper.c && gcc -shared -fPIC -o libhelper.so.1 helper.c
      printf 'int helper(void); int ext(void) { return helper(); }\\n' >ext.c
      gcc -shared -fPIC -o ext.so ext.c -L. -l:libhelper.so.1
      mkdir -p w/pkg w2/pkg/pkg.libs && cp ext.so w/pkg/ && cp ext.so w2/pkg/ && cp libhelper.so.1 w2/pkg/pkg.libs/
      (cd w && zip -qr ../dist/pkg-1.0-cp312-cp312-manylinux_2_17_x86_64.whl pkg)
      (cd w2 && zip -qr ../dist/vendored-1.0-cp312-cp312-manylinux_2_34_x86_64.whl pkg)
      """, in: folder)
    let shlibdeps = try String(contentsOfFile: folder + "/shlibdeps", encoding: .utf8)
    #expect(shlibdeps == "libc6 (>= 2.34)\n", "dpkg-shlibdeps: \(shlibdeps)")
    let result = try await Self.archway("verify", folder + "/dist", "--target", "linux/amd64")
    #expect(result.status == 1)
    let dist = folder + "/dist/"
    for line in [
      dist + "myapp_1.0-low_amd64.deb: usr/bin/myapp needs GLIBC_2.34, but its Depends: says libc6 (>= 2.31): apt"
        + " installs it where it cannot run",
      dist + "myapp_1.0-none_amd64.deb: usr/bin/myapp needs GLIBC_2.34, but its Depends: names no libc6",
      dist
        + "pkg-1.0-cp312-cp312-manylinux_2_17_x86_64.whl: pkg/ext.so needs libhelper.so.1, which manylinux_2_17_x86_64's"
        + " policy (auditwheel's) does not allow and the wheel does not carry",
      dist + "pkg-1.0-cp312-cp312-manylinux_2_17_x86_64.whl: pkg/ext.so needs GLIBC_2.2.5",
    ] {
      #expect(result.stdout.contains(line) == !line.hasSuffix("GLIBC_2.2.5"), "\(line)\n\(result.stdout)")
    }
    #expect(!result.stdout.contains("right_amd64.deb:") && !result.stdout.contains("vendored"), "\(result.stdout)")
  }

  /// A cell whose artifact is a member of the archive its build made runs and verifies that member,
  /// byte for byte what tar packed (`tar -xO` reads it back); a rebuild's archive differs (tar
  /// records times, under faketime a year ahead) but its member does not, and is compared. An
  /// archive that ships an arm64 binary as the amd64 one fails its cell.
  @Test func aCellRunsAndVerifiesTheMemberItShips() async throws {
    let folder = Fixtures.scratch("release-member")
    let amd64 = Fixtures.named("c-gcc-linux-amd64").path
    let arm64 = Fixtures.named("c-gcc-linux-arm64").path
    try """
    matrix:
      platform: [linux/amd64]
      ships: [\(amd64), \(arm64)]
    build:
      argv:
        - sh
        - -c
        - mkdir -p "${cell.out}/stage/bin" "${cell.out}/dist" && cp "$0" "${cell.out}/stage/bin/app" && tar -czf "${cell.out}/dist/app_linux_amd64.tar.gz" -C "${cell.out}/stage" bin
        - ${ships}
      artifacts: {app: "${cell.out}/dist/app_linux_amd64.tar.gz!bin/app"}
    run:
      - name: hello
        argv: ["${artifact:app}"]
    verify:
      reproducible: {builds: 2, vary: [time]}
    """.write(toFile: folder + "/m.yml", atomically: true, encoding: .utf8)
    let run = try await Command.run(
      Fixtures.archway, ["run", folder + "/m.yml", "--out", folder + "/out", "--jobs", "1"])
    #expect(run.status == 1, "\(run.stderr)")
    let report = try Reports.read(folder + "/out/report.json")
    let good = try #require(report.cells.first { $0.id.contains("amd64") && !$0.id.contains("arm64") })
    let bad = try #require(report.cells.first { $0.id.contains("c-gcc-linux-arm64") })
    #expect(good.verdict == .passed, "\(good.findings.filter { $0.verdict != .passed }.map(\.message))")
    let artifact = try #require(good.artifacts.first)
    let out = "\(folder)/out/\(good.id)"
    let archive = "\(out)/dist/app_linux_amd64.tar.gz"
    #expect(artifact.member == archive + "!bin/app")
    #expect(artifact.path == "\(out)/.archway/members/app/app")
    let packed = try await Command.run("/bin/sh", ["-c", "tar -xzOf \"$0\" bin/app | sha256sum", archive])
    #expect(artifact.sha256 == String(packed.stdout.prefix(64)), "\(packed.stdout)")
    let reproducible = good.findings.first { $0.kind == .reproducible }
    #expect(reproducible?.verdict == .passed, "\(String(describing: reproducible?.message))")
    let archives = try await Command.run(
      "cmp", ["-s", archive, "\(out)/rebuild-2/dist/app_linux_amd64.tar.gz"])
    #expect(archives.status == 1, "the archives themselves differ: only the member is compared")
    #expect(bad.verdict == .failed)
    #expect(bad.findings.contains { $0.kind == .arch && $0.verdict == .failed }, "\(bad.findings.map(\.message))")
  }

  /// A member path that could lead out of the archive, or an artifact name that could lead out of
  /// Archway's folder for it, is an error at its line and column, before anything runs.
  @Test func aMemberArtifactThatCouldLeadOutIsAPlanError() async throws {
    let folder = Fixtures.scratch("release-member-plan")
    for (name, member) in [("app", "../etc/passwd"), ("app", "/bin/sh"), ("../x", "bin/app"), ("app", "")] {
      try """
      matrix:
        platform: [linux/amd64]
      build:
        argv: ["true"]
        artifacts: {"\(name)": "${cell.out}/dist/a.tar.gz!\(member)"}
      """.write(toFile: folder + "/m.yml", atomically: true, encoding: .utf8)
      let plan = try await Command.run(Fixtures.archway, ["plan", folder + "/m.yml"])
      #expect(plan.status == 2, "\(name) \(member): \(plan.stdout)")
      #expect(plan.stderr.contains("m.yml:5:"), "\(plan.stderr)")
      #expect(plan.stderr.contains("must name a file inside the archive"), "\(plan.stderr)")
    }
  }

  /// An archive inside an archive is read too, its binaries counted once, each member named by the
  /// whole path; a cell may run such a member (`outer.zip!inner.tar.gz!bin/app`).
  @Test func anArchiveInsideAnArchiveIsRead() async throws {
    let folder = Fixtures.scratch("release-nested")
    try await Self.shell(
      """
      mkdir -p bin && cp '\(Fixtures.named("c-gcc-linux-amd64").path)' bin/app && tar -czf inner.tar.gz bin
      zip -q outer.zip inner.tar.gz
      """, in: folder)
    let inspected = try await Self.archway("inspect", "--json", folder + "/outer.zip")
    let facts = try JSONDecoder().decode([BinaryFacts].self, from: Data(inspected.stdout.utf8))
    #expect(
      facts.map { String($0.path.dropFirst(folder.count + 1)) } == [
        "outer.zip", "outer.zip!inner.tar.gz", "outer.zip!inner.tar.gz!bin/app",
      ])
    #expect(facts[0].archive?.binaries == 1 && facts[1].archive?.binaries == 1)
    let verified = try await Self.archway("verify", folder + "/outer.zip", "--target", "linux/arm64")
    #expect(
      verified.stdout.hasPrefix("\(folder)/outer.zip!inner.tar.gz!bin/app: built for amd64"), "\(verified.stdout)")
    let bytes = try ArchiveInspector.extract("inner.tar.gz!bin/app", fromArchiveAt: folder + "/outer.zip")
    #expect(Data(bytes) == FileManager.default.contents(atPath: folder + "/bin/app"))
  }

  /// RPM packages built by rpmbuild: the member is what rpm2cpio and cpio unpack, the Requires what
  /// `rpm -qp --requires` lists; a package built without rpm's automatic Requires misses glibc's
  /// floor and a library, and one built for aarch64 around an amd64 binary fails its Arch.
  @Test func rpmPackagesAreReadAndHeldToTheirRequires() async throws {
    let folder = Fixtures.scratch("release-rpm")
    try await Self.shell(
      """
      mkdir -p top/SOURCES dist
      cp '\(Fixtures.named("c-gcc-linux-amd64").path)' top/SOURCES/myapp
      printf 'int helper(void) { return 1; }\\n' >helper.c && gcc -shared -fPIC -o top/SOURCES/libhelper.so.1 helper.c
      printf 'int helper(void); int main(void) { return helper() - 1; }\\n' >uses.c
      gcc -o top/SOURCES/uses uses.c -Ltop/SOURCES -l:libhelper.so.1
      spec() {
        printf '%s\\n' "Name: $1" 'Version: 1.0' 'Release: 1' 'Summary: s' 'License: MIT' "$2" \
          '%global debug_package %{nil}' '%global __strip /bin/true' '%description' 'd' '%install' \
          'mkdir -p %{buildroot}/usr/bin' "cp %{_sourcedir}/$3 %{buildroot}/usr/bin/" '%files' "/usr/bin/$3" >"$1.spec"
        rpmbuild -bb -D "_topdir $PWD/top" -D "_rpmdir $PWD/rpms" --target "$4" "$1.spec" >"$1.log" 2>&1
        find rpms -name "$1-*.rpm" -exec mv {} dist/ \\;
      }
      spec sound '' myapp x86_64
      spec bare $'AutoReqProv: no\\nRequires: libc.so.6()(64bit)' uses x86_64
      spec foreign '' myapp aarch64
      """, in: folder)
    let sound = "\(folder)/dist/sound-1.0-1.x86_64.rpm"
    let inspected = try await Self.archway("inspect", "--json", "--sha256", sound)
    let facts = try JSONDecoder().decode([BinaryFacts].self, from: Data(inspected.stdout.utf8))
    let unpacked = try await Command.run(
      "/bin/sh", ["-c", "rpm2cpio \"$0\" | cpio -i --quiet --to-stdout ./usr/bin/myapp | sha256sum", sound])
    #expect(
      facts.map { String($0.path.dropFirst(folder.count + 6)) } == [
        "sound-1.0-1.x86_64.rpm", "sound-1.0-1.x86_64.rpm!usr/bin/myapp",
      ])
    #expect(facts.last?.sha256 == String(unpacked.stdout.prefix(64)), "\(unpacked.stdout)")
    let requires = try await Command.run("rpm", ["-qp", "--qf", "[%{REQUIRENAME}\\n]", sound])
    let listed = requires.stdout.split(separator: "\n").map(String.init)
    #expect(facts.first?.archive?.metadata?["Requires"] == listed.joined(separator: ", "), "\(requires.stdout)")
    #expect(listed.contains("libc.so.6(GLIBC_2.34)(64bit)"))

    let result = try await Self.archway("verify", folder + "/dist", "--by-name")
    #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
    let dist = folder + "/dist/"
    for line in [
      dist + "bare-1.0-1.x86_64.rpm: usr/bin/uses needs libhelper.so.1, which its Requires: do not name",
      dist + "bare-1.0-1.x86_64.rpm: usr/bin/uses needs GLIBC_2.34, but its Requires: name no GLIBC version",
      dist + "foreign-1.0-1.aarch64.rpm!usr/bin/myapp: built for amd64 (EM_X86_64, 64-bit, little-endian) but the"
        + " target is linux/arm64 (the RPM's Arch: aarch64 promises linux/arm64, glibc)",
    ] {
      #expect(result.stdout.contains(line), "\(line)\n\(result.stdout)")
    }
    #expect(!result.stdout.contains("sound-1.0-1"), "\(result.stdout)")
  }
}
