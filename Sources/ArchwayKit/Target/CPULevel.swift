/// A CPU a cell's binaries must run on, as a matrix's `cpu:` names it: a level of an architecture
/// (`x86-64-v2`, `armv6`, `armv8.2`), with the qemu model that proves it, the compiler flags that
/// build for it and its rank among the arch's levels; or a qemu model by name (`cortex-a53`), which
/// is only run, never ranked.
public struct CPULevel: Sendable, Hashable, Codable, CustomStringConvertible {
  /// The level's name (`x86-64-v3`) or the qemu model as written.
  public let name: String
  /// The OCI architecture it belongs to (`amd64`, `arm`, `arm64`); nil for a named model.
  package let arch: String?
  /// The order among the arch's levels (higher runs more); nil for a named model.
  package let rank: Int?
  /// The qemu-user `-cpu` model that has just this level's features; nil where qemu has none
  /// (TCG emulates no AVX-512, so `x86-64-v4` runs only on a host that has it).
  package let qemuModel: String?
  /// gcc's and clang's `-march=` value (`${target.march}`).
  package let march: String?
  /// Go's `GOAMD64` (`${target.goamd64}`).
  package let goamd64: String?
  /// Go's `GOARM` (`${target.goarm}`).
  package let goarm: String?
  /// Go's `GOARM64` (Go 1.23 and later; `${target.goarm64}`).
  package let goarm64: String?

  enum CodingKeys: String, CodingKey {
    case name, arch, rank, qemuModel = "qemu_model", march, goamd64, goarm, goarm64
  }

  /// The name, as a matrix writes it.
  public var description: String { name }

  /// The ARM variant of an arm level (`v6` for `armv6`).
  package var armVariant: String? { arch == "arm" ? "v" + name.dropFirst(4).prefix { $0 != "+" } : nil }

  /// Every level Archway knows, lowest first within each arch.
  package static let levels: [CPULevel] = [
    level("x86-64", "amd64", 1, qemu: "qemu64,-pni,-cx16,-lahf-lm,-popcnt,-sse4a,-abm", march: "x86-64", goamd64: "v1"),
    level("x86-64-v2", "amd64", 2, qemu: "Nehalem", march: "x86-64-v2", goamd64: "v2"),
    level(
      "x86-64-v3", "amd64", 3, qemu: "Haswell-noTSX,-pcid,-x2apic,-tsc-deadline,-invpcid", march: "x86-64-v3",
      goamd64: "v3"),
    level("x86-64-v4", "amd64", 4, qemu: nil, march: "x86-64-v4", goamd64: "v4"),
    level("armv5", "arm", 5, qemu: "arm926", march: "armv5te", goarm: "5"),
    level("armv6", "arm", 6, qemu: "arm1176", march: "armv6+fp", goarm: "6"),
    level("armv7", "arm", 7, qemu: "cortex-a7", march: "armv7-a+fp", goarm: "7"),
    // Debian armhf's baseline is ARMv7 with VFPv3-D16 and no NEON; most ARMv7 cores have NEON.
    level("armv7+neon", "arm", 8, qemu: "cortex-a8", march: "armv7-a+neon", goarm: "7"),
    level("armv8.0", "arm64", 80, qemu: "cortex-a53", march: "armv8-a", goarm64: "v8.0"),
    level("armv8.2", "arm64", 82, qemu: "neoverse-n1", march: "armv8.2-a", goarm64: "v8.2"),
  ]

  private static func level(
    _ name: String, _ arch: String, _ rank: Int, qemu: String?, march: String, goamd64: String? = nil,
    goarm: String? = nil, goarm64: String? = nil
  ) -> CPULevel {
    CPULevel(
      name: name, arch: arch, rank: rank, qemuModel: qemu, march: march, goamd64: goamd64, goarm: goarm,
      goarm64: goarm64)
  }

  /// The level `name` names for `arch`, a named qemu model, or a ``TargetError`` quoting the value:
  /// a level of another arch (`armv7` for amd64), or a word that cannot be a qemu model.
  public static func parse(_ written: String, arch: String) throws(TargetError) -> CPULevel {
    let name = written.trimmingCharacters(in: .whitespaces)
    let aliases = ["x86-64-v1": "x86-64", "v1": "x86-64", "v2": "x86-64-v2", "v3": "x86-64-v3", "v4": "x86-64-v4"]
    let canonical = aliases[name.lowercased()] ?? (name.lowercased() == "armv8" ? "armv8.0" : name.lowercased())
    let ownLevels = levels.filter { $0.arch == arch }
    if let level = ownLevels.first(where: { $0.name == canonical }) { return level }
    if let other = levels.first(where: { $0.name == canonical }) {
      let known = ownLevels.map(\.name)
      throw TargetError(
        "cpu '\(written)' is a level of \(other.arch!), not \(arch)"
          + (known.isEmpty ? "" : "; \(arch) has \(known.joined(separator: ", "))"))
    }
    let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-+")
    guard !name.isEmpty, name.count <= 64, name.allSatisfy(allowed.contains) else {
      throw TargetError("cpu '\(written)' is neither a CPU level nor a qemu CPU model name")
    }
    if let near = Suggestion.closest(to: canonical, among: levels.map(\.name)), near != canonical {
      // `x86-64v3`, `armv7a`: a typo of a level must not silently become an unknown qemu model.
      throw TargetError("unknown cpu '\(written)'; did you mean '\(near)'? (a qemu model is written as qemu lists it)")
    }
    return CPULevel(
      name: name, arch: nil, rank: nil, qemuModel: name, march: nil, goamd64: nil, goarm: nil, goarm64: nil)
  }

  /// The level a binary's facts claim (`cpu_level`: an x86-64 level, an ARM variant as `armv7`),
  /// ranked; nil for a name that is not a level.
  package static func known(_ name: String) -> CPULevel? { levels.first { $0.name == name } }

  /// The level of an ARM variant (`v7` → `armv7`).
  package static func arm(variant: String) -> CPULevel? { known("arm" + variant) }

  /// The qemu model an emulated cell runs under when its matrix names no `cpu:`: the oldest CPU the
  /// target promises, so that code needing more dies under emulation as it would on that machine
  /// (qemu-user's default, `max`, runs every instruction it knows).
  /// - arm: the variant's model (`cortex-a7` for v7, `arm1176` for v6, `arm926` for v5);
  /// - arm64: `cortex-a53`, ARMv8.0-A, Debian's and Go's baseline (`GOARM64=v8.0`): no LSE atomics
  ///   (ARMv8.1), which a Raspberry Pi 4's Cortex-A72 lacks too;
  /// - ppc64le: `power8`, the ppc64el baseline of Debian, RHEL and Go (`GOPPC64=power8`);
  /// - riscv64: RV64GC, the baseline of Debian, Fedora and Go (`GORISCV64=rva20u64`): qemu's `rv64`
  ///   without the bit-manipulation extensions (Zba, Zbb, Zbc, Zbs) that its default turns on and
  ///   `-march=rv64gc_zbb` code uses, which the Allwinner D1's and other C906/C910 boards lack (qemu
  ///   7.2's `rv64` ran such code; `cpu: rv64` asks for it again);
  /// - others (s390x, mips64le, loong64): qemu's default. s390x's named models (`z13`) do not run
  ///   under TCG ("Some features requested in the CPU model are not available"), so its baseline
  ///   is not modelled; `cpu:` names another.
  package static let riscv64Baseline = "rv64,zba=false,zbb=false,zbc=false,zbs=false"

  package static func defaultModel(arch: String, variant: String?) -> String? {
    switch arch {
    case "arm": variant.flatMap { CPULevel.arm(variant: $0)?.qemuModel }
    case "arm64": "cortex-a53"
    case "ppc64le": "power8"
    case "riscv64": riscv64Baseline
    default: nil
    }
  }
}
