extension BinaryFacts {
  /// `facts` as `inspect --json` prints them: byte for byte what `PrettyJSON.encoder()` gives for
  /// the array (`[]` when empty), written directly (``JSONWriter``). Without `symbols`,
  /// `versioned_symbols` is left out, as with ``PrettyJSON/omitVersionedSymbols``.
  package static func jsonArray(_ facts: [BinaryFacts], symbols: Bool) -> [UInt8] {
    guard !facts.isEmpty else { return Array("[]".utf8) }
    return Array("[".utf8) + jsonElements(facts, symbols: symbols, afterOthers: false) + Array("\n]".utf8)
  }

  /// The part of ``jsonArray(_:symbols:)`` that `facts` make, for an array written as its files
  /// are read: `[`, then each batch's elements (`afterOthers` for all but the first), then `\n]`.
  package static func jsonElements(_ facts: [BinaryFacts], symbols: Bool, afterOthers: Bool) -> [UInt8] {
    var writer = JSONWriter(elementsOfAnArrayAfterOthers: afterOthers)
    for file in facts { file.write(to: &writer, symbols: symbols) }
    return writer.bytes
  }

  /// Writes this value as ``encode(to:)`` does, its keys in sorted order.
  ///
  /// One key after another, in the order the JSON has them: long (one statement a key), but split, the
  /// keys' sorted order would be spread over several functions, and kept whole it reads as the file.
  package func write(to writer: inout JSONWriter, symbols: Bool) {
    writer.object { w in
      w.key("abi")
      w.string(abi)
      if let archive {
        w.key("archive")
        archive.write(to: &w)
      }
      w.key("arch")
      w.string(arch)
      if let armSIMD {
        w.key("arm_simd")
        w.string(armSIMD)
      }
      if let authenticode {
        w.key("authenticode")
        w.bool(authenticode)
      }
      w.key("bits")
      w.int(bits)
      w.key("build_id")
      w.string(buildID)
      w.key("cpu_level")
      w.string(cpuLevel)
      if let delayDLLs {
        w.key("delay_dlls")
        w.strings(delayDLLs)
      }
      if let dlls {
        w.key("dlls")
        w.strings(dlls)
      }
      w.key("endian")
      w.string(endian?.rawValue)
      w.key("error")
      w.string(error)
      w.key("exec_stack")
      if let execStack { w.bool(execStack) } else { w.null() }
      w.key("float_abi")
      w.string(floatABI)
      w.key("floor_symbols")
      w.strings(floorSymbols)
      w.key("floors")
      w.object(floors)
      w.key("format")
      w.string(format.rawValue)
      w.key("glibc_floor")
      w.string(glibcFloor)
      w.key("go_build")
      if let goBuild { goBuild.write(to: &w) } else { w.null() }
      if let imports {
        w.key("imports")
        w.object(imports)
      }
      w.key("interpreter")
      w.string(interpreter)
      w.key("kernel_floor")
      w.string(kernelFloor)
      w.key("libc")
      w.string(libc.rawValue)
      w.key("linkage")
      w.string(linkage?.rawValue)
      w.key("max_page_size")
      w.int(maxPageSize)
      if let muslFloor {
        w.key("musl_floor")
        w.string(muslFloor)
      }
      w.key("needed")
      w.strings(needed)
      w.key("os")
      w.string(os)
      w.key("os_abi")
      w.string(osABI)
      w.key("os_evidence")
      w.string(osEvidence)
      if let peOSVersion {
        w.key("os_version")
        w.string(peOSVersion)
      }
      w.key("path")
      w.string(path)
      if let peFormat {
        w.key("pe_format")
        w.string(peFormat)
      }
      w.key("rpath")
      w.string(rpath)
      w.key("runpath")
      w.string(runpath)
      if let sha256 {
        w.key("sha256")
        w.string(sha256)
      }
      if let slices {
        w.key("slices")
        w.array { w in for slice in slices { slice.write(to: &w) } }
      }
      w.key("soname")
      w.string(soname)
      if let subsystem {
        w.key("subsystem")
        w.string(subsystem)
      }
      if let subsystemVersion {
        w.key("subsystem_version")
        w.string(subsystemVersion)
      }
      w.key("type")
      w.string(type)
      w.key("variant")
      w.string(variant)
      w.key("version_definitions")
      w.strings(versionDefinitions)
      w.key("version_requirements")
      w.object(versionRequirements)
      if symbols {
        w.key("versioned_symbols")
        w.object(versionedSymbols)
      }
      w.key("warnings")
      w.strings(warnings)
      w.key("x86_isa_needed")
      w.string(x86ISANeeded)
      w.key("x86_isa_used")
      w.string(x86ISAUsed)
    }
  }
}

extension GoBuildInfo {
  /// Writes this value as its synthesized `Encodable` does (absent optionals left out).
  func write(to writer: inout JSONWriter) {
    writer.object { w in
      if let module {
        w.key("module")
        w.string(module)
      }
      if let moduleVersion {
        w.key("module_version")
        w.string(moduleVersion)
      }
      if let path {
        w.key("path")
        w.string(path)
      }
      w.key("settings")
      w.object(settings)
      w.key("version")
      w.string(version)
    }
  }
}

extension MachOSlice {
  /// Writes this value as its synthesized `Encodable` does (absent optionals left out).
  func write(to writer: inout JSONWriter) {
    writer.object { w in
      w.key("arch")
      w.string(arch)
      w.key("bits")
      w.int(bits)
      w.key("cpu")
      w.string(cpu)
      w.key("dylibs")
      w.strings(dylibs)
      if let goBuild {
        w.key("go_build")
        goBuild.write(to: &w)
      }
      if let minos {
        w.key("minos")
        w.string(minos)
      }
      w.key("offset")
      w.int(offset)
      if let platform {
        w.key("platform")
        w.string(platform)
      }
      w.key("rpaths")
      w.strings(rpaths)
      if let sdk {
        w.key("sdk")
        w.string(sdk)
      }
      if let signature {
        w.key("signature")
        signature.write(to: &w)
      }
      w.key("signed")
      w.bool(signed)
      w.key("size")
      w.int(size)
      w.key("type")
      w.string(type)
      if let uuid {
        w.key("uuid")
        w.string(uuid)
      }
      w.key("weak_dylibs")
      w.strings(weakDylibs)
    }
  }
}

extension CodeSignature {
  /// Writes this value as its synthesized `Encodable` does (absent optionals left out).
  func write(to writer: inout JSONWriter) {
    writer.object { w in
      w.key("code_directories")
      w.array { w in for directory in codeDirectories { directory.write(to: &w) } }
      if let firstBadPage {
        w.key("first_bad_page")
        w.int(firstBadPage)
      }
      w.key("hardened_runtime")
      w.bool(hardenedRuntime)
      if let identifier {
        w.key("identifier")
        w.string(identifier)
      }
      w.key("kind")
      w.string(kind.rawValue)
      w.key("pages_checked")
      w.int(pagesChecked)
      if let problem {
        w.key("problem")
        w.string(problem)
      }
      w.key("special_slots")
      w.strings(specialSlots)
      if let teamID {
        w.key("team_id")
        w.string(teamID)
      }
    }
  }
}

extension CodeDirectory {
  /// Writes this value as its synthesized `Encodable` does (absent optionals left out).
  func write(to writer: inout JSONWriter) {
    writer.object { w in
      w.key("code_limit")
      w.int(codeLimit)
      w.key("code_slots")
      w.int(codeSlots)
      if let execSegment {
        w.key("exec_segment")
        w.object { w in
          w.key("base")
          w.int(execSegment.base)
          w.key("flags")
          w.strings(execSegment.flags)
          w.key("limit")
          w.int(execSegment.limit)
        }
      }
      w.key("flags")
      w.strings(flags)
      w.key("hash_size")
      w.int(hashSize)
      w.key("hash_type")
      w.string(hashType)
      w.key("page_size")
      w.int(pageSize)
      w.key("special_slots")
      w.int(specialSlots)
      w.key("version")
      w.string(version)
    }
  }
}
