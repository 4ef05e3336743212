import ArchwayKit
import ArchwayTestSupport
import Foundation
import Testing

/// `runner: ssh` against a real OpenSSH server on the loopback address (``SshServer``): a cell sent
/// there behaves as the same cell run here (outputs compared with a local reference cell, its
/// per-test results coming back), a time limit or an interrupt leaves no process behind there, and
/// a machine that cannot be reached, shows another host key or refuses the login is an
/// infrastructure problem naming it, never a pass. One test at a time: each checks what is left in
/// the machine's /tmp.
@Suite(.serialized) struct SshCLITests {
  /// What the cells run: the page size, a file of the project named by the step, and an exit code.
  static let program = """
    #include <stdio.h>
    #include <stdlib.h>
    #include <unistd.h>
    int main(int argc, char **argv) {
      printf("page %ld\\n", sysconf(_SC_PAGESIZE));
      if (argc > 1) { FILE *f = fopen(argv[1], "r"); char line[80];
        if (!f || !fgets(line, sizeof line, f)) return 4; printf("data %s", line); }
      return argc > 2 ? atoi(argv[2]) : 0;
    }
    """

  /// A matrix of one cell here and one on `host` of the hosts `hosts`, with `steps` (its `run:`).
  static func matrix(hosts: String, host: String = "box", steps: String) -> String {
    """
    hosts:
    \(hosts)
    matrix:
      platform: [linux/amd64]
      where: [here, there]
      include:
        - {where: there, host: \(host)}
    build:
      script: gcc -O2 -o "${cell.out}/probe" probe.c
      artifacts: {probe: "${cell.out}/probe"}
    run:
    \(steps)
    """
  }

  /// The project: the program and a data file, in a folder of its own.
  static func project(_ name: String) throws -> String {
    let folder = Fixtures.scratch("ssh-" + name)
    try program.write(toFile: folder + "/probe.c", atomically: true, encoding: .utf8)
    try "from the project\n".write(toFile: folder + "/data.txt", atomically: true, encoding: .utf8)
    return folder
  }

  static func run(_ matrix: String, in folder: String) async throws -> CommandResult {
    try matrix.write(toFile: folder + "/m.yml", atomically: true, encoding: .utf8)
    return try await Command.run(
      Fixtures.archway, ["run", "m.yml", "--out", "out"], environment: Fixtures.childEnvironment,
      workingDirectory: folder)
  }

  /// Whether `count` processes carrying `marker` run (the step's, there) within 30 seconds.
  static func running(_ marker: String, count: Int) async throws -> Bool {
    for _ in 0..<600 {
      if await Survivors.matching(marker, shells: false).count >= count { return true }
      try await Task.sleep(for: .milliseconds(50))
    }
    return false
  }

  /// The machine's cell folders (`mktemp -d` in its /tmp).
  static func remoteFolders() -> Set<String> {
    Set(((try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? []).filter { $0.hasPrefix("archway.") })
  }

  @Test func aCellOnTheMachineBehavesAsTheSameCellHere() async throws {
    let server = try SshServer.start("same")
    defer { server.stop() }
    let folder = try Self.project("same")
    let before = Self.remoteFolders()
    let steps = """
        - name: probe
          argv: ["${artifact:probe}", "\(folder)/data.txt", "3"]
          expect:
            exit: 3
            reference: linux-amd64-gnu-where=here
        - name: where
          shell: sh
          script: pwd; echo "$ARCHWAY_CELL_OUT"; echo "$GREETING"
          env: {GREETING: "hi there"}
        - name: input
          argv: [cat]
          stdin: "from stdin"
        - name: suite
          shell: sh
          script: printf '1..2\\nok 1 - first\\nok 2 - second\\n' > "${cell.out}/results.tap"
          tests: {format: tap, file: "${cell.out}/results.tap"}
      """
    let result = try await Self.run(Self.matrix(hosts: server.hostEntry("box"), steps: steps), in: folder)
    #expect(result.status == 0, "\(result.stderr)")
    let report = try Reports.read(folder + "/out/report.json")
    let here = try #require(report.cells.first { $0.id.hasSuffix("where=here") })
    let there = try #require(report.cells.first { $0.id.hasSuffix("where=there") })
    #expect(there.runner.kind == .ssh && there.runner.remoteHost?.name == "box", "\(there.runner)")
    #expect(here.runner.kind == .native)
    #expect(there.verdict == .passed && here.verdict == .passed, "\(there.findings.map(\.message))")
    // The same program's output, compared with the local cell's by the report itself.
    let probe = try #require(there.steps.first { $0.name == "probe" })
    let pageSize = try await Command.run("getconf", ["PAGESIZE"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(probe.process.stdoutHead == "page \(pageSize)\ndata from the project\n")
    #expect(probe.process.status == .exited(3))
    #expect(there.findings.contains { $0.kind == .reference && $0.verdict == .passed }, "compared with the local cell")
    // It ran in a folder of its own there (the project's path under it, as here), with the step's variables.
    let lines = try #require(there.steps.first { $0.name == "where" }).process.stdoutHead.split(separator: "\n")
    #expect(lines.count == 3 && lines[0].hasPrefix("/tmp/archway.") && lines[0].hasSuffix(folder), "\(lines)")
    #expect(lines.count == 3 && lines[1] == lines[0] + "/out/\(there.id)" && lines[2] == "hi there", "\(lines)")
    let local = try #require(here.steps.first { $0.name == "where" }).process.stdoutHead.split(separator: "\n")
    #expect(
      local.first.map(String.init) == folder && local.dropFirst().first.map(String.init) == "\(folder)/out/\(here.id)")
    #expect(there.steps.first { $0.name == "input" }?.process.stdoutHead == "from stdin", "its stdin went there")
    // Its per-test results came back.
    let tests = there.findings.filter { $0.kind == .test }
    #expect(tests.map(\.subjectName) == ["suite › first", "suite › second"], "\(tests.map(\.message))")
    #expect(FileManager.default.fileExists(atPath: "\(folder)/out/\(there.id)/results.tap"))
    // The machine's own fingerprint, and the same artifact checked as the local one.
    #expect(there.fingerprint?.pageSize == pageSize, "\(String(describing: there.fingerprint))")
    let json = try JSONSerialization.jsonObject(
      with: Data(contentsOf: URL(fileURLWithPath: folder + "/out/report.json")))
    let cells = (json as? [String: Any])?["cells"] as? [[String: Any]] ?? []
    let printed = cells.first { ($0["id"] as? String) == there.id }?["fingerprint"] as? [String: Any]
    #expect(printed?["page_size"] as? String == pageSize, "the report's key is snake_case: \(printed ?? [:])")
    #expect(there.artifacts.map(\.sha256) == here.artifacts.map(\.sha256))
    #expect(Self.remoteFolders().subtracting(before).isEmpty, "its folder there was removed")
  }

  @Test func aSignalAndATimeLimitThereAreReportedAndLeaveNothingRunning() async throws {
    let server = try SshServer.start("limits")
    defer { server.stop() }
    let folder = try Self.project("limits")
    let marker = "27\(Int.random(in: 100_000...999_999))"
    let before = Self.remoteFolders()
    let steps = """
        - name: segv
          shell: sh
          script: kill -s SEGV $$
        - name: hang
          argv: [sh, -c, "sleep \(marker) & sleep \(marker); wait"]
          timeout: 2
        - name: own255
          shell: sh
          script: exit 255
          expect: {exit: 255}
        - name: after
          argv: ["${artifact:probe}"]
      """
    let result = try await Self.run(Self.matrix(hosts: server.hostEntry("box"), steps: steps), in: folder)
    #expect(result.status == 1, "\(result.stderr)")
    let report = try Reports.read(folder + "/out/report.json")
    for cell in report.cells {
      #expect(cell.verdict == .failed, "\(cell.id)")
      #expect(cell.steps.first { $0.name == "segv" }?.process.status == .signaled("SIGSEGV"), "\(cell.id)")
      #expect(cell.steps.first { $0.name == "hang" }?.process.status == .timedOut(seconds: 2), "\(cell.id)")
      #expect(cell.steps.first { $0.name == "own255" }?.process.status == .exited(255), "the program's, not ssh's")
      #expect(cell.steps.first { $0.name == "after" }?.process.status == .exited(0), "\(cell.id)")
    }
    let left = await Survivors.matching(marker, shells: false)
    #expect(left.isEmpty, "the process group there was ended: \(left)")
    #expect(Self.remoteFolders().subtracting(before).isEmpty)
  }

  @Test func anInterruptEndsTheStepThereAndRemovesItsFolder() async throws {
    let server = try SshServer.start("sigint")
    defer { server.stop() }
    let folder = try Self.project("sigint")
    let marker = "31\(Int.random(in: 100_000...999_999))"
    let before = Self.remoteFolders()
    let steps = """
        - name: wait
          argv: [sh, -c, "sleep \(marker) & sleep \(marker); wait"]
      """
    try Self.matrix(hosts: server.hostEntry("box"), steps: steps).write(
      toFile: folder + "/m.yml", atomically: true, encoding: .utf8)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: Fixtures.archway)
    process.arguments = ["run", "m.yml", "--filter", "where=there", "--out", "out"]
    process.environment = Fixtures.childEnvironment
    process.currentDirectoryURL = URL(fileURLWithPath: folder)
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    #expect(try await Self.running(marker, count: 2), "the step was running there")
    kill(process.processIdentifier, SIGINT)
    _ = await process.exited()
    #expect(process.terminationStatus == 130)
    let report = try Reports.read(folder + "/out/report.json")
    #expect(report.interrupted && report.cells.first?.outcome == .interrupted)
    #expect(report.cells.first?.verdict == .error, "interrupted is never a pass")
    let left = await Survivors.matching(marker, shells: false)
    #expect(left.isEmpty, "\(left)")
    #expect(Self.remoteFolders().subtracting(before).isEmpty, "its folder there was removed")
  }

  /// The connection drops mid-step (the server's processes for it are killed): an infrastructure
  /// problem naming the host, and what the step left running there is ended.
  @Test func aConnectionDroppedMidStepIsAnInfrastructureProblem() async throws {
    let server = try SshServer.start("drop")
    defer { server.stop() }
    let folder = try Self.project("drop")
    let marker = "28\(Int.random(in: 100_000...999_999))"
    let steps = """
        - name: wait
          argv: [sh, -c, "sleep \(marker); true"]
      """
    try Self.matrix(hosts: server.hostEntry("box"), steps: steps).write(
      toFile: folder + "/m.yml", atomically: true, encoding: .utf8)
    async let result = Command.run(
      Fixtures.archway, ["run", "m.yml", "--filter", "where=there", "--out", "out"],
      environment: Fixtures.childEnvironment, workingDirectory: folder)
    #expect(try await Self.running(marker, count: 1), "the step was running there")
    server.dropConnections()
    let ended = try await result
    #expect(ended.status == 3, "nothing could be checked: \(ended.stderr)")
    let report = try Reports.read(folder + "/out/report.json")
    let cell = try #require(report.cells.first)
    #expect(cell.outcome == .infrastructure && cell.verdict == .error)
    let said = cell.steps.map(\.process.status.description).joined(separator: "\n")
    #expect(said.contains("host box (127.0.0.1:\(server.port)): the connection failed during the step"), "\(said)")
    try await Task.sleep(for: .milliseconds(300))
    let left = await Survivors.matching(marker, shells: false)
    #expect(left.isEmpty, "\(left)")
  }

  /// Nothing listens on port 1; another host key; a key the server does not know.
  @Test func aMachineThatCannotBeReachedOrTrustedIsAnInfrastructureProblem() async throws {
    let server = try SshServer.start("refused")
    defer { server.stop() }
    let folder = try Self.project("refused")
    let hosts = [
      server.hostEntry("gone", port: 1), server.hostEntry("impostor", knownHosts: "wrong_known_hosts"),
      server.hostEntry("locked").replacingOccurrences(of: "/client", with: "/other"),
    ].joined(separator: "\n")
    let expected = [
      "gone": "host gone (127.0.0.1:1): ssh: connect to host 127.0.0.1 port 1: Connection refused",
      "impostor": "host impostor (127.0.0.1:\(server.port)): its host key is not the one in \(server.folder)"
        + "/wrong_known_hosts: refused",
      "locked": "host locked (127.0.0.1:\(server.port)): it refused the login of the local user with the key"
        + " \(server.folder)/other",
    ]
    for (name, message) in expected {
      let steps = """
          - name: greet
            argv: ["${artifact:probe}"]
        """
      let result = try await Self.run(Self.matrix(hosts: hosts, host: name, steps: steps), in: folder)
      #expect(result.status == 1, "\(name): \(result.stderr)")
      let report = try Reports.read(folder + "/out/report.json")
      let cell = try #require(report.cells.first { $0.id.hasSuffix("where=there") })
      #expect(cell.outcome == .infrastructure && cell.verdict == .error, "\(name): never a pass or a failure")
      let said = cell.steps.map(\.process.status.description).joined(separator: "\n")
      #expect(said.contains(message), "\(name): \(said)")
      #expect(report.cells.first { $0.id.hasSuffix("where=here") }?.verdict == .passed)
    }
  }

  /// A darwin cell goes to the host whose `platform:` is darwin/arm64, instead of being built and
  /// checked statically only; the machine here is linux/amd64, so the cell is an infrastructure
  /// problem that says so, never a pass. `doctor` says the same of the host, and which cells go where.
  @Test func aDarwinCellGoesToItsMachineWhichMustBeWhatItSays() async throws {
    let server = try SshServer.start("darwin")
    defer { server.stop() }
    let folder = try Self.project("darwin")
    let hosts = server.hostEntry("mac") + "\n    platform: darwin/arm64"
    let matrix = """
      hosts:
      \(hosts)
      matrix:
        platform: [darwin/arm64]
      build:
        script: cp "\(Fixtures.directory)/c-zig-darwin-arm64" "${cell.out}/hello"
        artifacts: {hello: "${cell.out}/hello"}
      run:
        - name: greet
          argv: ["${artifact:hello}"]
      """
    let without = try await Self.run(matrix.replacingOccurrences(of: "hosts:\n\(hosts)\n", with: ""), in: folder)
    let alone = try Reports.read(folder + "/out/report.json")
    #expect(without.status == 0 && alone.cells.first?.runner.kind == RunnerKind.none, "\(without.stderr)")
    let result = try await Self.run(matrix, in: folder)
    #expect(result.status == 3, "\(result.stderr)")
    let report = try Reports.read(folder + "/out/report.json")
    let cell = try #require(report.cells.first)
    #expect(cell.runner.kind == .ssh && cell.runner.remoteHost?.name == "mac", "\(cell.runner)")
    #expect(cell.outcome == .infrastructure && cell.verdict == .error)
    let uname = try await Command.run("uname", ["-sm"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    let said = cell.steps.map(\.process.status.description).joined(separator: "\n")
    #expect(
      said.contains("host mac (127.0.0.1:\(server.port)): it is linux/amd64 (uname -sm: \(uname)), not darwin/arm64"),
      "\(said)")
    let plan = try await Command.run(
      Fixtures.archway, ["plan", "m.yml"], environment: Fixtures.childEnvironment, workingDirectory: folder)
    #expect(
      plan.stdout.contains("HOST") && plan.stdout.contains("darwin-arm64-system  darwin/arm64  system  -    mac"),
      "plan shows where its steps go: \(plan.stdout)")
    let doctor = try await Command.run(
      Fixtures.archway, ["doctor", "--matrix", "m.yml"], environment: Fixtures.childEnvironment,
      workingDirectory: folder)
    #expect(
      doctor.stdout.contains("missing host mac: 127.0.0.1:\(server.port): \(uname), page size"), "\(doctor.stdout)")
    #expect(doctor.stdout.contains("; but its platform: says darwin/arm64"), "\(doctor.stdout)")
    #expect(
      doctor.stdout.contains("ssh     darwin-arm64-system: the machine mac (127.0.0.1:\(server.port)) runs it"),
      "\(doctor.stdout)")
  }

  /// `hosts:` and `host:` are checked when the matrix is planned, at the line and column of the value.
  @Test func aBadHostIsAPlanError() async throws {
    let server = try SshServer.start("plan")
    defer { server.stop() }
    let folder = try Self.project("plan")
    let cases: [(String, String)] = [
      (
        Self.matrix(hosts: server.hostEntry("box"), host: "bx", steps: "  - {name: a, argv: [true]}"),
        "m.yml:11:28: 'host' names no machine of 'hosts:': 'bx'; did you mean 'box'?"
      ),
      (
        Self.matrix(
          hosts: server.hostEntry("box").replacingOccurrences(
            of: "    known_hosts: \(server.folder)/known_hosts", with: ""),
          steps: "  - {name: a, argv: [true]}"),
        "m.yml:2:3: host 'box' has no 'known_hosts:'"
      ),
      (
        Self.matrix(hosts: server.hostEntry("box", port: 70000), steps: "  - {name: a, argv: [true]}"),
        "'port' of host 'box' must be 1 to 65535, not '70000'"
      ),
    ]
    for (text, message) in cases {
      try text.write(toFile: folder + "/m.yml", atomically: true, encoding: .utf8)
      let result = try await Command.run(
        Fixtures.archway, ["plan", "m.yml"], environment: Fixtures.childEnvironment, workingDirectory: folder)
      #expect(result.status == 2 && result.stderr.contains(message), "\(result.stderr)")
    }
  }
}
