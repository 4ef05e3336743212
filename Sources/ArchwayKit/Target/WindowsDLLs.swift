/// The DLLs a clean installation of Windows has, by the first release that ships each, and what to
/// do about the ones it lacks.
///
/// The names are those Microsoft's API reference gives in each function's Requirements table (DLL,
/// minimum supported client), for the DLLs desktop programs import; a DLL not listed here counts
/// as not part of Windows (a false failure, fixed by adding it here, is better than a program that
/// does not start). The Universal CRT (`ucrtbase.dll`, `api-ms-win-crt-*`) is part of Windows from
/// 10 and Server 2016 on; before that update KB2999226, the Visual C++ redistributable or a copy
/// beside the program provides it (Microsoft, "Universal CRT deployment"). API sets (`api-ms-win-*`) are names the loader maps to
/// system DLLs; those of Windows 7 and 8 are listed, and any other one is taken to need Windows 10.
/// Extension sets (`ext-ms-*`) may be absent from a Windows edition and count as missing.
///
/// wine ships its own copy of every DLL here and of the Visual C++ and MinGW runtimes, so a wine run
/// never shows that a clean PC lacks one: these static checks run on wine cells too.
package enum WindowsDLLs {
  /// Whether a clean Windows of a release has a DLL.
  package enum Availability: Equatable {
    /// Part of every Windows from the target's release on.
    case present
    /// Part of Windows from a later release (a ``OSVersion/windowsReleases`` name) than the target's.
    case from(String)
    /// Not part of Windows: the reason and the fix.
    case absent(String)
  }

  /// Whether a clean Windows of `release` has `dll` (any case).
  package static func availability(of dll: String, on release: OSVersion) -> Availability {
    let name = dll.lowercased()
    let first: String?
    if isUniversalCRT(name) {
      first = "10"
    } else if name.hasPrefix("api-ms-win-") {
      let set = name.hasSuffix(".dll") ? String(name.dropLast(4)) : name
      first = windows7Sets.contains(set) ? "7" : (windows8Sets.contains(set) ? "8" : "10")
    } else if name.hasPrefix("ext-ms-") {
      return .absent(
        "an extension API set, which a Windows edition may lack: load it at run time (delay-load it) and handle"
          + " its absence")
    } else if let release = firstRelease[name] {
      first = release
    } else {
      return .absent(runtimeFix(name) ?? "")
    }
    guard let first else { return .present }
    return release.isWindows(atLeast: first) ? .present : .from(first)
  }

  /// Whether `dll` is the Universal CRT: `ucrtbase.dll` or one of its `api-ms-win-crt-*` API sets.
  package static func isUniversalCRT(_ dll: String) -> Bool {
    let name = dll.lowercased()
    return name.hasPrefix("api-ms-win-crt-") || name == "ucrtbase.dll"
  }

  /// The fix for a runtime DLL a compiler's output needs (Visual C++'s, MinGW's), or nil.
  private static func runtimeFix(_ name: String) -> String? {
    let visualCpp = ["vcruntime", "msvcp", "vcomp", "concrt", "vccorlib", "msvcr1", "msvcr7", "msvcr8", "msvcr9"]
    if visualCpp.contains(where: name.hasPrefix) {
      return "the Visual C++ runtime, which a clean Windows does not have: ship Microsoft's Visual C++"
        + " redistributable with it, put the DLL beside the program, or link the runtime statically (/MT)"
    }
    let minGW = [
      "libwinpthread-", "libgcc_s_", "libstdc++-", "libgomp-", "libssp-", "libatomic-", "libquadmath-",
      "libgfortran-", "libc++.dll", "libunwind.dll",
    ]
    if minGW.contains(where: name.hasPrefix) {
      return "a MinGW runtime DLL, which a clean Windows does not have: link with -static (or -static-libgcc"
        + " -static-libstdc++), or ship it beside the program"
    }
    return nil
  }

  /// System DLLs by the first release that ships them; `vista` stands for "every Windows Archway
  /// knows" (each was there by Windows Vista, most long before).
  package static let firstRelease: [String: String] = {
    var table: [String: String] = [:]
    for name in everyRelease { table[name + ".dll"] = "vista" }
    table["winspool.drv"] = "vista"
    for (name, release) in later { table[name + ".dll"] = release }
    return table
  }()

  private static let everyRelease = [
    "activeds", "advapi32", "authz", "avifil32", "avrt", "bcrypt", "cfgmgr32", "comctl32", "comdlg32", "credui",
    "crypt32", "cryptui", "d3d10", "d3d10_1", "d3d9", "dbgeng", "dbghelp", "ddraw", "dhcpcsvc", "dinput8", "dnsapi",
    "dsound", "dwmapi", "dxgi", "dxva2", "esent", "evr", "fwpuclnt", "gdi32", "gdiplus", "glu32", "hid", "httpapi",
    "iphlpapi", "imagehlp", "imm32", "kernel32", "ktmw32", "mpr", "msacm32", "mscms", "msi", "msimg32", "msvcrt",
    "mswsock", "ncrypt", "netapi32", "normaliz", "ntdll", "ntdsapi", "odbc32", "ole32", "oleacc", "oleaut32",
    "oledlg", "opengl32", "pdh", "powrprof", "propsys", "psapi", "rasapi32", "rpcrt4", "rstrtmgr", "secur32",
    "sensapi", "setupapi", "shell32", "shfolder", "shlwapi", "tdh", "urlmon", "user32", "userenv", "usp10", "uxtheme",
    "version", "wevtapi", "windowscodecs", "winhttp", "wininet", "winmm", "winscard", "wintrust", "winusb", "wldap32",
    "ws2_32", "wsock32", "wtsapi32", "xinput9_1_0", "xmllite",
  ]

  private static let later = [
    ("bcryptprimitives", "7"), ("d2d1", "7"), ("d3d11", "7"), ("dwrite", "7"), ("kernelbase", "7"),
    ("sechost", "7"), ("combase", "8"), ("dcomp", "8"), ("shcore", "8"), ("xinput1_4", "8"),
    ("d3d12", "10"), ("ucrtbase", "10"),
  ]

  /// The API sets Windows 7 introduced (version 1.0 of each core contract).
  private static let windows7Sets: Set<String> = Set(
    [
      "console", "datetime", "debug", "delayload", "errorhandling", "fibers", "file", "handle", "heap",
      "interlocked", "io", "libraryloader", "localization", "localregistry", "memory", "misc", "namedpipe",
      "processenvironment", "processthreads", "profile", "rtlsupport", "string", "synch", "sysinfo", "threadpool",
      "util", "xstate",
    ].map { "api-ms-win-core-\($0)-l1-1-0" })

  /// API sets Windows 8 added: `WaitOnAddress` and the `PathCch` functions among them.
  private static let windows8Sets: Set<String> = [
    "api-ms-win-core-synch-l1-2-0", "api-ms-win-core-path-l1-1-0", "api-ms-win-core-winrt-l1-1-0",
    "api-ms-win-core-winrt-string-l1-1-0", "api-ms-win-core-winrt-error-l1-1-0",
  ]
}
