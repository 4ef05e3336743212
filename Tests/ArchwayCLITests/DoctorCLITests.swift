import ArchwayKit
import ArchwayTestSupport
import Foundation
import Testing

/// `archway doctor` against what the host's tools say of themselves.
@Suite struct DoctorCLITests {
  /// Waited for on a thread of its own: doctor starts containers, seconds that would hold one of the
  /// test process's few cooperative threads.
  static func doctor(_ arguments: String..., environment: [String: String]? = nil) async throws -> CommandResult {
    try await Command.run(
      Fixtures.archway, ["doctor"] + arguments, environment: environment, workingDirectory: Fixtures.root)
  }

  @Test func checksAgreeWithTheToolsThemselves() async throws {
    let result = try await Self.doctor("--json")
    #expect(result.status == 0)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    let checks = try #require(object["checks"] as? [[String: Any]])
    for check in checks where (check["name"] as? String)?.hasPrefix("qemu ") == true && check["ok"] as? Bool == true {
      let detail = check["detail"] as? String ?? ""
      let emulator = String(detail.prefix { $0 != ":" })
      let version =
        try await Command.run(emulator, ["--version"]).stdout.split(separator: "\n").first.map(String.init) ?? "?"
      #expect(detail.contains(version), "\(detail) vs \(version)")
    }
    let binfmt = try #require(checks.first { $0["name"] as? String == "binfmt_misc" })
    let mounted = FileManager.default.fileExists(atPath: "/proc/sys/fs/binfmt_misc/status")
    if !mounted {
      #expect(binfmt["ok"] as? Bool == false && (binfmt["fix"] as? String)?.hasPrefix("mount -t binfmt_misc") == true)
    }
    for check in checks where (check["name"] as? String)?.hasPrefix("gcc ") == true {
      #expect((check["ok"] as? Bool == true) == (check["detail"] as? String)?.hasPrefix("/") ?? false)
    }
    let missing = checks.filter { $0["ok"] as? Bool == false }
    #expect(missing.allSatisfy { $0["fix"] is String }, "every missing piece says how to fix it")
  }

  /// The `podman run` check against podman itself: the same image and flags start a container
  /// exactly when the check says they do (this host's podman needs its flags; without them it fails).
  @Test(arguments: [Fixtures.engineArguments, []])
  func theContainerStartCheckAgreesWithPodman(engineArguments: [String]) async throws {
    var environment = ProcessInfo.processInfo.environment
    environment["ARCHWAY_ENGINE_ARGS"] = engineArguments.joined(separator: " ")
    let listImages = {
      try await Command.run("podman", ["images", "--format", "{{.Repository}}:{{.Tag}}"]).stdout
        .split(separator: "\n").map(String.init).filter { $0.contains("archway/") && $0.hasSuffix(":amd64") }.sorted()
    }
    // Other tests build images side by side: the images doctor saw are the ones there before and
    // after it ran, the same (one more try when a build landed in between).
    var check: [String: Any] = [:]
    var images: [String] = []
    for _ in 0..<3 {
      let before = try await listImages()
      let result = try await Self.doctor("--json", environment: environment)
      let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
      let checks = try #require(object["checks"] as? [[String: Any]])
      check = try #require(checks.first { $0["name"] as? String == "podman run" }, "\(checks)")
      images = try await listImages()
      if images == before { break }
    }
    let detail = check["detail"] as? String ?? ""
    guard let image = images.first else {
      #expect(check["ok"] as? Bool == false && (check["fix"] as? String)?.hasPrefix("archway env build") == true)
      return
    }
    #expect(detail.contains(image), "\(detail)")
    let podman = try await Command.run(
      "podman", ["run", "--rm", "--network", "none"] + engineArguments + [image, "true"])
    #expect(check["ok"] as? Bool == (podman.status == 0), "\(detail) / podman: \(podman.stderr)")
  }

  @Test func aMatrixNothingHereCanRunExitsThree() async throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("doctor-\(getpid()).yml").path
    try "matrix:\n  platform: [linux/arm64, linux/riscv64]\n  libc: [musl]\n".write(
      toFile: path, atomically: true, encoding: .utf8)
    let result = try await Self.doctor("--matrix", path)
    #expect(result.status == 3)
    #expect(result.stdout.contains("none    linux-arm64-musl: no musl sysroot for linux/arm64 here"))
    #expect(try await Self.doctor("--matrix", "Matrix/archway.yml").status == 0)
  }

  /// A toolchain built for another arch (an arm64 `go` or `gcc` first on PATH) is named, with the
  /// arch `file(1)` sees in it; the host's own ones pass as one check.
  @Test func aToolchainOfAnotherArchIsNamed() async throws {
    let folder = Fixtures.scratch("doctor-foreign")
    for name in ["go", "gcc"] {
      try FileManager.default.copyItem(atPath: Fixtures.named("c-gcc-linux-arm64").path, toPath: "\(folder)/\(name)")
    }
    var environment = ProcessInfo.processInfo.environment
    environment["PATH"] = folder + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
    let result = try await Self.doctor("--json", environment: environment)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    let checks = try #require(object["checks"] as? [[String: Any]])
    for name in ["go", "gcc"] {
      let check = try #require(checks.first { $0["name"] as? String == "toolchain \(name)" }, "\(checks)")
      #expect(check["ok"] as? Bool == false)
      #expect((check["detail"] as? String)?.contains("\(folder)/\(name) is built for arm64") == true, "\(check)")
      await #expect(try Oracle.file("\(folder)/\(name)").contains("ARM aarch64"), "file(1) agrees it is arm64")
    }
    #expect(checks.first { $0["name"] as? String == "toolchains" }?["ok"] as? Bool == false)
    let plain = try await Self.doctor("--json")
    let own = try #require(try JSONSerialization.jsonObject(with: Data(plain.stdout.utf8)) as? [String: Any])
    let summary = (own["checks"] as? [[String: Any]])?.first { $0["name"] as? String == "toolchains" }
    #expect(summary?["ok"] as? Bool == true, "\(String(describing: summary))")
    #expect((summary?["detail"] as? String)?.contains("gcc") == true)
  }
}

/// `doctor` warns about qemu builds known to crash: fake emulators on a PATH of their own, one a
/// static build without PIE (`gcc -static -no-pie`, as `file` says), one naming itself 9.2.0.
@Suite struct EmulatorAdvisoryCLITests {
  @Test func doctorWarnsAboutKnownBadQemuBuilds() async throws {
    let folder = Fixtures.scratch("bad-qemu")
    try "#include <stdio.h>\nint main(void) { puts(\"qemu-aarch64 version 8.2.2 (built without PIE)\"); return 0; }\n"
      .write(toFile: folder + "/fake.c", atomically: true, encoding: .utf8)
    let built = try await Command.run(
      "gcc", ["-static", "-no-pie", "-o", folder + "/qemu-aarch64-static", folder + "/fake.c"])
    #expect(built.status == 0, "\(built.stderr)")
    #expect(
      try await Command.run("file", ["-b", folder + "/qemu-aarch64-static"]).stdout.contains("statically linked"))
    try "#!/bin/sh\necho 'qemu-riscv64 version 9.2.0'\n".write(
      toFile: folder + "/qemu-riscv64", atomically: true, encoding: .utf8)
    chmod(folder + "/qemu-riscv64", 0o755)
    var environment = ProcessInfo.processInfo.environment
    environment["PATH"] = folder
    let result = try await Command.run(Fixtures.archway, ["doctor", "--json"], environment: environment)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    let checks = try #require(object["checks"] as? [[String: Any]])
    let check = { (name: String) in checks.first { $0["name"] as? String == name } ?? [:] }
    #expect((check("qemu linux/arm64")["warning"] as? String)?.hasPrefix("a static build without PIE") == true)
    #expect((check("qemu linux/riscv64")["warning"] as? String)?.hasPrefix("qemu 9.2.0 to 9.2.2 segfault") == true)
    // Debian's qemu-user-static (7.2, static-pie) is none of them.
    let real = try await DoctorCLITests.doctor("--json")
    let host = try #require(try JSONSerialization.jsonObject(with: Data(real.stdout.utf8)) as? [String: Any])
    let hostChecks = try #require(host["checks"] as? [[String: Any]])
    #expect(
      hostChecks.filter { ($0["name"] as? String)?.hasPrefix("qemu ") == true }.allSatisfy { $0["warning"] == nil })
    let text = try await Command.run(Fixtures.archway, ["doctor"], environment: environment)
    #expect(text.stdout.contains("warn    qemu linux/riscv64") && text.stdout.contains("known problem: qemu 9.2.0"))
  }
}
