/// What a file is, as `archway inspect --json` reports it: one flat record per file, keys as
/// ARCHITECTURE.md names them. Keys common to every format are always present (null when they do
/// not apply); Mach-O adds `slices`, PE adds `pe_format`, `subsystem`, `subsystem_version`,
/// `os_version`, `dlls`, `imports`, `delay_dlls`, `authenticode`.
public struct BinaryFacts: Sendable, Hashable, Codable {
  /// The file, as given or as found in a folder.
  public var path = ""
  /// The container format.
  public var format: BinaryFormat = .unknown
  /// The platform architecture (`amd64`, `arm64`, `arm`, …); nil for a fat Mach-O (see `slices`).
  public var arch: String?
  /// The architecture variant (`v7`, `v5`), or nil when the binary does not say.
  public var variant: String?
  /// The word size: 32 or 64.
  public var bits: Int?
  /// The byte order.
  public var endian: Endianness?
  /// `executable`, `pie`, `shared-library`, `relocatable`, `core`, `bundle`, …
  public var type: String?
  /// ELF `EI_OSABI` (`sysv`, `gnu`, `freebsd`, …).
  package var osABI: String?
  /// The OS an ELF file is for (`linux`, `android`, `freebsd`, `illumos`, …), from the strongest of
  /// its signals (``OperatingSystemEvidence``); nil when it has none.
  public var os: String?
  /// What says so: `Go build info GOOS=illumos`, `FreeBSD note`, `interpreter /libexec/ld.elf_so`, …
  package var osEvidence: String?
  /// The ABI within the architecture: ARM `eabi5`, RISC-V `lp64d`, PPC64 `elfv2`, MIPS `n64`.
  package var abi: String?
  /// ARM `hard`/`soft`, RISC-V `soft`/`single`/`double`/`quad`.
  package var floatABI: String?
  /// ARM: the Advanced SIMD (NEON) extension its ARM attributes say the code may use (`NEONv1`), as
  /// readelf -A names it; nil when they name none.
  package var armSIMD: String?
  /// The program interpreter (`PT_INTERP`), e.g. `/lib/ld-linux-aarch64.so.1`.
  public var interpreter: String?
  /// Needed libraries: ELF `DT_NEEDED`, a thin Mach-O's dylibs, a PE's DLLs.
  public var needed: [String] = []
  /// A shared library's `DT_SONAME`.
  package var soname: String?
  /// `DT_RPATH` as written (Mach-O: the `LC_RPATH`s joined by `:`).
  public var rpath: String?
  /// `DT_RUNPATH` as written.
  public var runpath: String?
  /// How the program finds its libc, nil for objects and core files.
  public var linkage: Linkage?
  /// The C library family.
  public var libc: LibcFamily = .unknown
  /// The highest `GLIBC_x.y` version required, if any.
  public var glibcFloor: String?
  /// The highest required version per family: `GLIBC`, `GLIBCXX`, `CXXABI`, `GCC`.
  package var floors: [String: String] = [:]
  /// Library → sorted version names it must provide (from `.gnu.version_r`).
  public var versionRequirements: [String: [String]] = [:]
  /// The oldest musl release that has every symbol the file imports (``MuslReleases``); nil for a
  /// file that is not musl's or needs no known release.
  package var muslFloor: String?
  /// Imported symbols that need the floor: bound to the glibc floor version, or, for musl, new in
  /// `musl_floor`.
  public var floorSymbols: [String] = []
  /// Version name → sorted imported symbols bound to it.
  package var versionedSymbols: [String: [String]] = [:]
  /// The version names a shared library defines (`.gnu.version_d`), what a loader matches a
  /// program's `version_requirements` against.
  package var versionDefinitions: [String] = []
  /// The largest page size (4096 to 65536 bytes) on which every `PT_LOAD` segment is aligned and
  /// congruent, offset to address (``PageSize``): what kernels the file loads on. ELF only.
  package var maxPageSize: Int?
  /// The GNU build-id in hex (a Mach-O UUID for Mach-O).
  public var buildID: String?
  /// ELF: the oldest Linux kernel the GNU ABI tag note names (`3.2.0`), which glibc's loader
  /// compares with the running kernel's; nil without one.
  package var kernelFloor: String?
  /// ELF: whether `PT_GNU_STACK` asks for an executable stack; nil when the file has no such header
  /// (which glibc reads as executable on the arches whose default stack is: ``execStackByDefault``).
  package var execStack: Bool?
  /// x86: the ISA level the GNU property note says the file needs (`x86-64-v3`), if it has one.
  package var x86ISANeeded: String?
  /// x86: the ISA level the note says its code uses, where every object recorded it.
  package var x86ISAUsed: String?
  /// Go's build info, for a binary the Go toolchain linked (1.18 and later).
  package var goBuild: GoBuildInfo?
  /// Mach-O only: every slice (one for a thin file).
  package var slices: [MachOSlice]?
  /// PE: `PE32` or `PE32+`.
  package var peFormat: String?
  /// PE: the subsystem (`windows-cui`, `windows-gui`, `efi-application`, …).
  public var subsystem: String?
  /// PE: the subsystem version (`6.0`).
  package var subsystemVersion: String?
  /// PE: the imported DLLs, in import-table order.
  public var dlls: [String]?
  /// PE: the functions imported by name from each DLL of ``dlls`` (the import table's lookup tables).
  package var imports: [String: [String]]?
  /// PE: the DLLs imported through the delay-load table, which the loader resolves only when a
  /// function of one is first called.
  package var delayDLLs: [String]?
  /// PE: the operating system version the header asks for (`6.1`), which Windows compares with its
  /// own beside the subsystem version.
  package var peOSVersion: String?
  /// PE: whether the file carries an Authenticode signature (a certificate table).
  package var authenticode: Bool?
  /// Parts of the file that could not be read although the rest could.
  public var warnings: [String] = []
  /// Why the file could not be read at all, with the byte offset.
  public var error: String?
  /// The file's SHA-256 (only when asked for: `inspect --sha256`; absent from the JSON otherwise).
  public var sha256: String?
  /// An archive's or a package's own facts; its binary members are listed after it.
  public var archive: ArchiveFacts?
  /// An archive member's SHA-256, taken while its bytes were held (its path names no file to hash
  /// later); `sha256` takes it when asked for. Not in the JSON.
  package var memberSHA256: String?

  /// Creates a value from its parts.
  package init(path: String = "", format: BinaryFormat = .unknown) {
    self.path = path
    self.format = format
  }

  enum CodingKeys: String, CodingKey {
    case path, format, arch, variant, bits, endian, type, osABI = "os_abi", os, osEvidence = "os_evidence", abi
    case floatABI = "float_abi", armSIMD = "arm_simd"
    case interpreter, needed, soname, rpath, runpath, linkage, libc, glibcFloor = "glibc_floor", floors
    case versionRequirements = "version_requirements", floorSymbols = "floor_symbols"
    case versionedSymbols = "versioned_symbols", versionDefinitions = "version_definitions", buildID = "build_id"
    case x86ISANeeded = "x86_isa_needed", maxPageSize = "max_page_size", execStack = "exec_stack"
    case kernelFloor = "kernel_floor", muslFloor = "musl_floor"
    case x86ISAUsed = "x86_isa_used", goBuild = "go_build", cpuLevel = "cpu_level", slices, peFormat = "pe_format"
    case subsystem, subsystemVersion = "subsystem_version", dlls, imports, delayDLLs = "delay_dlls"
    case peOSVersion = "os_version", authenticode, warnings, error, sha256, archive
  }

  /// Decodes the form ``encode(to:)`` writes.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    path = try c.decode(String.self, forKey: .path)
    format = try c.decode(BinaryFormat.self, forKey: .format)
    arch = try c.decodeIfPresent(String.self, forKey: .arch)
    variant = try c.decodeIfPresent(String.self, forKey: .variant)
    bits = try c.decodeIfPresent(Int.self, forKey: .bits)
    endian = try c.decodeIfPresent(Endianness.self, forKey: .endian)
    type = try c.decodeIfPresent(String.self, forKey: .type)
    osABI = try c.decodeIfPresent(String.self, forKey: .osABI)
    os = try c.decodeIfPresent(String.self, forKey: .os)
    osEvidence = try c.decodeIfPresent(String.self, forKey: .osEvidence)
    abi = try c.decodeIfPresent(String.self, forKey: .abi)
    floatABI = try c.decodeIfPresent(String.self, forKey: .floatABI)
    armSIMD = try c.decodeIfPresent(String.self, forKey: .armSIMD)
    interpreter = try c.decodeIfPresent(String.self, forKey: .interpreter)
    needed = try c.decodeIfPresent([String].self, forKey: .needed) ?? []
    soname = try c.decodeIfPresent(String.self, forKey: .soname)
    rpath = try c.decodeIfPresent(String.self, forKey: .rpath)
    runpath = try c.decodeIfPresent(String.self, forKey: .runpath)
    linkage = try c.decodeIfPresent(Linkage.self, forKey: .linkage)
    libc = try c.decodeIfPresent(LibcFamily.self, forKey: .libc) ?? .unknown
    glibcFloor = try c.decodeIfPresent(String.self, forKey: .glibcFloor)
    floors = try c.decodeIfPresent([String: String].self, forKey: .floors) ?? [:]
    versionRequirements = try c.decodeIfPresent([String: [String]].self, forKey: .versionRequirements) ?? [:]
    muslFloor = try c.decodeIfPresent(String.self, forKey: .muslFloor)
    floorSymbols = try c.decodeIfPresent([String].self, forKey: .floorSymbols) ?? []
    versionedSymbols = try c.decodeIfPresent([String: [String]].self, forKey: .versionedSymbols) ?? [:]
    versionDefinitions = try c.decodeIfPresent([String].self, forKey: .versionDefinitions) ?? []
    buildID = try c.decodeIfPresent(String.self, forKey: .buildID)
    maxPageSize = try c.decodeIfPresent(Int.self, forKey: .maxPageSize)
    execStack = try c.decodeIfPresent(Bool.self, forKey: .execStack)
    kernelFloor = try c.decodeIfPresent(String.self, forKey: .kernelFloor)
    x86ISANeeded = try c.decodeIfPresent(String.self, forKey: .x86ISANeeded)
    x86ISAUsed = try c.decodeIfPresent(String.self, forKey: .x86ISAUsed)
    goBuild = try c.decodeIfPresent(GoBuildInfo.self, forKey: .goBuild)
    slices = try c.decodeIfPresent([MachOSlice].self, forKey: .slices)
    peFormat = try c.decodeIfPresent(String.self, forKey: .peFormat)
    subsystem = try c.decodeIfPresent(String.self, forKey: .subsystem)
    subsystemVersion = try c.decodeIfPresent(String.self, forKey: .subsystemVersion)
    dlls = try c.decodeIfPresent([String].self, forKey: .dlls)
    imports = try c.decodeIfPresent([String: [String]].self, forKey: .imports)
    delayDLLs = try c.decodeIfPresent([String].self, forKey: .delayDLLs)
    peOSVersion = try c.decodeIfPresent(String.self, forKey: .peOSVersion)
    authenticode = try c.decodeIfPresent(Bool.self, forKey: .authenticode)
    warnings = try c.decodeIfPresent([String].self, forKey: .warnings) ?? []
    error = try c.decodeIfPresent(String.self, forKey: .error)
    sha256 = try c.decodeIfPresent(String.self, forKey: .sha256)
    archive = try c.decodeIfPresent(ArchiveFacts.self, forKey: .archive)
  }

  /// Encodes in Archway's documented JSON form.
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(path, forKey: .path)
    try c.encode(format, forKey: .format)
    try c.encode(arch, forKey: .arch)
    try c.encode(variant, forKey: .variant)
    try c.encode(bits, forKey: .bits)
    try c.encode(endian, forKey: .endian)
    try c.encode(type, forKey: .type)
    try c.encode(osABI, forKey: .osABI)
    try c.encode(os, forKey: .os)
    try c.encode(osEvidence, forKey: .osEvidence)
    try c.encode(abi, forKey: .abi)
    try c.encodeIfPresent(archive, forKey: .archive)
    try c.encode(floatABI, forKey: .floatABI)
    try c.encodeIfPresent(armSIMD, forKey: .armSIMD)
    try c.encode(interpreter, forKey: .interpreter)
    try c.encode(needed, forKey: .needed)
    try c.encode(soname, forKey: .soname)
    try c.encode(rpath, forKey: .rpath)
    try c.encode(runpath, forKey: .runpath)
    try c.encode(linkage, forKey: .linkage)
    try c.encode(libc, forKey: .libc)
    try c.encode(glibcFloor, forKey: .glibcFloor)
    try c.encode(floors, forKey: .floors)
    try c.encode(versionRequirements, forKey: .versionRequirements)
    try c.encodeIfPresent(muslFloor, forKey: .muslFloor)
    try c.encode(floorSymbols, forKey: .floorSymbols)
    if encoder.userInfo[PrettyJSON.omitVersionedSymbols] as? Bool != true {
      try c.encode(versionedSymbols, forKey: .versionedSymbols)
    }
    try c.encode(versionDefinitions, forKey: .versionDefinitions)
    try c.encode(buildID, forKey: .buildID)
    try c.encode(maxPageSize, forKey: .maxPageSize)
    try c.encode(execStack, forKey: .execStack)
    try c.encode(kernelFloor, forKey: .kernelFloor)
    try c.encode(x86ISANeeded, forKey: .x86ISANeeded)
    try c.encode(x86ISAUsed, forKey: .x86ISAUsed)
    try c.encode(goBuild, forKey: .goBuild)
    try c.encode(cpuLevel, forKey: .cpuLevel)
    try c.encodeIfPresent(slices, forKey: .slices)
    try c.encodeIfPresent(peFormat, forKey: .peFormat)
    try c.encodeIfPresent(subsystem, forKey: .subsystem)
    try c.encodeIfPresent(subsystemVersion, forKey: .subsystemVersion)
    try c.encodeIfPresent(dlls, forKey: .dlls)
    try c.encodeIfPresent(imports, forKey: .imports)
    try c.encodeIfPresent(delayDLLs, forKey: .delayDLLs)
    try c.encodeIfPresent(peOSVersion, forKey: .peOSVersion)
    try c.encodeIfPresent(authenticode, forKey: .authenticode)
    try c.encode(warnings, forKey: .warnings)
    try c.encode(error, forKey: .error)
    try c.encodeIfPresent(sha256, forKey: .sha256)
  }
}

extension BinaryFacts {
  /// The lowest CPU level the file says it needs, in `cpu:` axis names (``CPULevel``): for amd64
  /// the higher of its ISA note's `NEEDED` level and Go's `GOAMD64`; for arm its variant (`armv7`,
  /// `armv7+neon` when its attributes name NEON);
  /// for arm64 Go's `GOARM64`.
  /// Nil when the file does not say (a C program built without `-mneeded` or `-z x86-64-vN`).
  package var cpuLevel: String? {
    switch arch {
    case "amd64":
      let claims = [x86ISANeeded, goBuild?.amd64Level].compactMap { $0.flatMap(CPULevel.known) }
      return claims.max { ($0.rank ?? 0) < ($1.rank ?? 0) }?.name
    case "arm":
      // ARMv7 code that may use NEON needs more than Debian armhf's baseline (VFPv3-D16).
      let level = variant.flatMap(CPULevel.arm(variant:))?.name
      return level == "armv7" && armSIMD != nil ? "armv7+neon" : level
    case "arm64": return goBuild?.arm64Level  // Go 1.23's GOARM64
    default: return nil
    }
  }
}

/// The container format of a file.
public enum BinaryFormat: String, Sendable, Hashable, Codable {
  case elf, macho, machoFat = "macho-fat", pe, unknown
}

/// How a program finds its libc at run time.
public enum Linkage: String, Sendable, Hashable, Codable {
  case `static`, staticPIE = "static-pie", dynamic
}

/// The C library family a binary was built against.
public enum LibcFamily: String, Sendable, Hashable, Codable {
  case glibc, musl, bionic, none, system, unknown
}

/// One architecture slice of a Mach-O file.
package struct MachOSlice: Sendable, Hashable, Codable {
  /// The platform architecture: `arm64`, `amd64`, `386`, `arm`, `ppc`.
  package var arch: String
  /// The CPU as Apple names it, with its subtype: `arm64`, `arm64e`, `x86_64`, `x86_64h`, `i386`.
  package var cpu: String
  /// The word size: 32 or 64.
  package var bits: Int
  /// The Mach-O file type (`executable`, `pie`, `shared-library`, `bundle`, …).
  package var type: String
  /// `macos`, `ios`, … from `LC_BUILD_VERSION` or `LC_VERSION_MIN_*`.
  package var platform: String?
  /// The oldest OS version the slice runs on.
  package var minos: String?
  /// The SDK version it was built with.
  package var sdk: String?
  /// `LC_LOAD_DYLIB` (and re-exported, lazy and upward) libraries.
  package var dylibs: [String]
  /// `LC_LOAD_WEAK_DYLIB` libraries.
  package var weakDylibs: [String]
  /// The `LC_RPATH` entries.
  package var rpaths: [String]
  /// Whether an `LC_CODE_SIGNATURE` is present.
  package var signed: Bool
  /// The `LC_UUID`, upper-case and dashed.
  package var uuid: String?
  /// The slice's file offset and size within a fat file (0 and the file size when thin).
  package var offset: Int
  /// The slice's size in bytes.
  package var size: Int
  /// Go's build info, when the Go toolchain linked the slice (a thin file's is the file's too).
  package var goBuild: GoBuildInfo? = nil
  /// The code signature, read and its hashes checked (kind `unsigned` without `LC_CODE_SIGNATURE`).
  package var signature: CodeSignature? = nil

  enum CodingKeys: String, CodingKey {
    case arch, cpu, bits, type, platform, minos, sdk, dylibs, weakDylibs = "weak_dylibs", rpaths, signed, uuid
    case offset, size, goBuild = "go_build", signature
  }
}
