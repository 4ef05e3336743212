import ArchwayKit
import ArchwayTestSupport
import Foundation
import Testing

/// Hostile archives (issue 36): each is refused with a finding naming the archive and what is wrong
/// with it, in bounded memory, and nothing is ever written: no member is unpacked, no link followed.
@Suite struct HostileArchiveTests {
  /// `archway ARGUMENTS` under a Python parent that prints the child's peak resident set (KiB) on
  /// its last line of standard error.
  static func measured(_ arguments: [String]) async throws -> (CommandResult, peakKiB: Int) {
    let script = """
      import resource, subprocess, sys
      code = subprocess.run(sys.argv[1:]).returncode
      print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
      sys.exit(code)
      """
    var environment = ProcessInfo.processInfo.environment
    environment["NO_COLOR"] = "1"
    let result = try await Command.run(
      "python3", ["-c", script, Fixtures.archway] + arguments, environment: environment)
    let peak = Int(result.stderr.split(separator: "\n").last ?? "") ?? -1
    return (result, peak)
  }

  static func python(_ script: String, in folder: String) async throws {
    let result = try await Command.run("python3", ["-c", script], workingDirectory: folder)
    #expect(result.status == 0, "\(result.stderr)")
  }

  static func listing(_ folder: String) -> [String] {
    (FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] ?? []).sorted()
  }

  @Test func pathsAndLinksOutOfTheArchiveDevicesAndFIFOsAreFindings() async throws {
    let folder = Fixtures.scratch("hostile-archive-names")
    let binary = Fixtures.named("c-gcc-linux-arm64").path
    try await Self.python(
      """
      import io, tarfile
      data = open('\(binary)', 'rb').read()
      with tarfile.open('evil.tar.gz', 'w:gz', format=tarfile.GNU_FORMAT) as t:
          def add(name, kind=tarfile.REGTYPE, link='', body=b''):
              info = tarfile.TarInfo(name); info.type = kind; info.linkname = link; info.size = len(body)
              t.addfile(info, io.BytesIO(body) if body else None)
          add('bin/app', body=data)
          add('../escape', body=b'x')
          add('/etc/cron.d/abs', body=b'x')
          add('shadow', tarfile.SYMTYPE, '/etc/shadow')
          add('bin/up', tarfile.SYMTYPE, '../../outside')
          add('hard', tarfile.LNKTYPE, '../../etc/passwd')
          add('dev/null', tarfile.CHRTYPE)
          add('pipe', tarfile.FIFOTYPE)
          add('bin/ok', tarfile.SYMTYPE, 'app')
      """, in: folder)
    let before = Self.listing(folder)
    let (result, _) = try await Self.measured(["verify", folder + "/evil.tar.gz", "--target", "linux/arm64"])
    #expect(result.status == 1)
    let archive = folder + "/evil.tar.gz: "
    for line in [
      "member ../escape leads out of the archive (..)",
      "member /etc/cron.d/abs has an absolute path: unpacking it writes outside the folder",
      "member shadow is a link out of the archive, to /etc/shadow",
      "member bin/up is a link out of the archive, to ../../outside",
      "member hard is a hard link out of the archive, to ../../etc/passwd",
      "member dev/null is a device: a release holds none", "member pipe is a FIFO: a release holds none",
    ] {
      #expect(result.stdout.contains(archive + line + "\n"), "\(line)\n\(result.stdout)")
    }
    #expect(!result.stdout.contains("bin/ok"), "a link inside the archive is no finding")
    #expect(!result.stdout.contains("!bin/app"), "the binary itself fits")
    #expect(Self.listing(folder) == before, "nothing was written")
    #expect(!FileManager.default.fileExists(atPath: (folder as NSString).deletingLastPathComponent + "/escape"))
  }

  @Test func aCutShortStreamAndACorruptZipAreFindingsNotPasses() async throws {
    let folder = Fixtures.scratch("hostile-archive-cut")
    let binary = Fixtures.named("c-gcc-linux-arm64").path
    let made = try await Command.run(
      "/bin/bash",
      [
        "-euo", "pipefail", "-c",
        """
        cp '\(binary)' app && tar -czf whole.tar.gz app && head -c $(( $(stat -c %s whole.tar.gz) / 2 )) whole.tar.gz >cut.tar.gz
        zip -q whole.zip app && cp whole.zip bad.zip && printf 'XXXX' | dd of=bad.zip bs=1 seek=200 conv=notrunc status=none
        """,
      ], workingDirectory: folder)
    #expect(made.status == 0, "\(made.stderr)")
    let cut = try await Command.run(Fixtures.archway, ["verify", folder + "/cut.tar.gz", "--target", "linux/arm64"])
    #expect(cut.status == 1)
    #expect(cut.stdout.contains("cut.tar.gz: cannot be read further: "), "\(cut.stdout)")
    let bad = try await Command.run(Fixtures.archway, ["verify", folder + "/bad.zip", "--target", "linux/arm64"])
    #expect(bad.status == 1)
    #expect(bad.stdout.contains("bad.zip: cannot be read further: member app"), "\(bad.stdout)")
  }

  /// A deflate bomb shaped as a binary (an ELF header, then 400 MiB of zeros: 400 KiB zipped) and a
  /// tar of 100,001 members: each stops at its limit, in bounded memory.
  @Test func aBombAndTooManyMembersStopAtTheirLimits() async throws {
    let folder = Fixtures.scratch("hostile-archive-bomb")
    try await Self.python(
      """
      import tarfile, zipfile
      with zipfile.ZipFile('bomb.zip', 'w', zipfile.ZIP_DEFLATED) as z:
          with z.open('bin/app', 'w', force_zip64=True) as member:
              member.write(b'\\x7fELF\\x02\\x01\\x01' + bytes(57))
              zero = bytes(1 << 20)
              for _ in range(400): member.write(zero)
      with tarfile.open('many.tar', 'w') as t:
          for i in range(100001): t.addfile(tarfile.TarInfo(f'f{i}'))
      """, in: folder)
    let (bomb, bombPeak) = try await Self.measured(["verify", folder + "/bomb.zip", "--target", "linux/amd64"])
    #expect(bomb.status == 1)
    #expect(bomb.stdout.contains("a decompression bomb, not read further"), "\(bomb.stdout)")
    #expect(bombPeak > 0 && bombPeak < 200 * 1024, "peak \(bombPeak) KiB")
    let (many, manyPeak) = try await Self.measured(["inspect", folder + "/many.tar"])
    #expect(many.status == 0)
    #expect(many.stderr.contains("more than 100000 members: not read further"), "\(many.stderr)")
    #expect(manyPeak > 0 && manyPeak < 512 * 1024, "peak \(manyPeak) KiB")
  }

  /// A zip whose central directory gives a second member a zip64 size of 2^63 - 1 (the first is
  /// honest): the sizes of the members read are summed against the limit, and the sum must not
  /// overflow (it trapped: "arithmetic overflow"). Written byte by byte from APPNOTE's layout.
  @Test func aZip64SizeNearTheLimitOfAnIntegerIsAFinding() async throws {
    let folder = Fixtures.scratch("hostile-archive-zip64")
    try await Self.python(
      """
      import struct, zlib
      data = b'\\x7fELF' + bytes(600)
      packer = zlib.compressobj(9, zlib.DEFLATED, -15)
      raw = packer.compress(data) + packer.flush()
      out, central = bytearray(), bytearray()
      for name, size in [(b'bin/a', len(data)), (b'bin/b', 2**63 - 1)]:
          offset, extra = len(out), struct.pack('<HHQQ', 1, 16, size, len(raw))
          out += struct.pack('<IHHHHHIIIHH', 0x04034b50, 45, 0, 8, 0, 0, zlib.crc32(data), 0xFFFFFFFF, 0xFFFFFFFF,
                             len(name), len(extra)) + name + extra + raw
          central += struct.pack('<IHHHHHHIIIHHHHHII', 0x02014b50, 0x031E, 45, 0, 8, 0, 0, zlib.crc32(data),
                                 0xFFFFFFFF, 0xFFFFFFFF, len(name), len(extra), 0, 0, 0, 0o100755 << 16, offset)
          central += name + extra
      start = len(out)
      out += central + struct.pack('<IHHHHIIH', 0x06054b50, 0, 0, 2, 2, len(central), start, 0)
      open('z64.zip', 'wb').write(out)
      """, in: folder)
    let result = try await Command.run(Fixtures.archway, ["inspect", folder + "/z64.zip"])
    #expect(result.status == 0, "\(result.stderr.prefix(300))")
    #expect(result.stderr.contains("z64.zip: cannot be read further: "), "\(result.stderr.prefix(300))")
  }

  /// What the review of the readers found a false pass in, each as Python's zipfile (so pip) and tar
  /// would unpack it: a member compressed with LZMA (not decoded here) is a finding, not a skip; a
  /// binary whose zip mode says "link" is a file; a member past the end record's count is read; a
  /// later entry of a name replaces the file unpacked before it; a Windows program at a zip's top
  /// does not find the DLL lying beside the zip on disk.
  @Test func whatPythonAndTarUnpackIsWhatIsChecked() async throws {
    let folder = Fixtures.scratch("hostile-archive-unpacked")
    let arm64 = Fixtures.named("c-gcc-linux-arm64").path
    try await Self.python(
      """
      import io, struct, tarfile, zipfile
      elf = open('\(arm64)', 'rb').read()
      with zipfile.ZipFile('lzma.zip', 'w', zipfile.ZIP_LZMA) as z:
          z.writestr('bin/app', elf)
      with zipfile.ZipFile('link.zip', 'w') as z:
          info = zipfile.ZipInfo('bin/app'); info.create_system = 3; info.external_attr = 0o120777 << 16
          z.writestr(info, elf)
      with zipfile.ZipFile('count.zip', 'w') as z:
          z.writestr('README', b'notes'); z.writestr('bin/app', elf)
      data = bytearray(open('count.zip', 'rb').read())
      end = data.rfind(b'PK\\x05\\x06'); data[end + 8:end + 12] = struct.pack('<HH', 1, 1)
      open('count.zip', 'wb').write(data)
      with tarfile.open('twice.tar', 'w') as t:
          info = tarfile.TarInfo('bin/app'); info.size = len(elf); t.addfile(info, io.BytesIO(elf))
          info = tarfile.TarInfo('bin/app'); info.type = tarfile.SYMTYPE; info.linkname = 'other'; t.addfile(info)
      """, in: folder)
    let verified = try await Command.run(
      Fixtures.archway,
      ["verify", "--target", "linux/amd64", folder + "/lzma.zip", folder + "/link.zip", folder + "/count.zip"])
    #expect(verified.status == 1)
    for line in [
      "lzma.zip: member bin/app is compressed with method 14: not read, so not checked",
      "link.zip!bin/app: built for arm64", "count.zip!bin/app: built for arm64",
      "count.zip: cannot be read further: its end record says 1 members, its central directory holds 2",
    ] {
      #expect(verified.stdout.contains(line), "\(line)\n\(verified.stdout)")
    }
    #expect(throws: ArchiveError.self) { try ArchiveInspector.extract("bin/app", fromArchiveAt: folder + "/twice.tar") }

    let windows = Fixtures.named("c-zig-windows-greet.exe").path
    let made = try await Command.run(
      "/bin/sh",
      [
        "-c", "cp \"$0\" app.exe && zip -q app.zip app.exe && cp \"$1\" greet.dll", windows,
        Fixtures.named("greet.dll").path,
      ],
      workingDirectory: folder)
    #expect(made.status == 0, "\(made.stderr)")
    let beside = try await Command.run(Fixtures.archway, ["verify", "--target", "windows/amd64", folder + "/app.zip"])
    #expect(beside.stdout.contains("app.zip!app.exe: needs greet.dll"), "\(beside.stdout)")
  }
}
