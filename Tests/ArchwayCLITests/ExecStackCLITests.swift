import ArchwayKit
import ArchwayTestSupport
import Foundation
import Testing

/// A plugin linked with `-z execstack`, dlopened in Debian 12 (glibc 2.36) and 13 (glibc 2.41)
/// root filesystems and natively: the static `exec-stack` check fails exactly where glibc refuses
/// it (Debian 13, and a `gnu` cell, whose glibc may be the newest), and the runs agree.
@Suite struct ExecStackCLITests {
  @Test func glibc241RefusesWhatTheCheckFails() async throws {
    let folder = RunCLITests.folder("exec-stack")
    try Files.write(
      [
        "plugin.c": "int plugin_answer(void) { return 42; }\n",
        "load.c": """
        #include <dlfcn.h>
        #include <stdio.h>
        int main(int argc, char **argv) {
          void *plugin = dlopen(argv[1], RTLD_NOW);
          if (!plugin) { printf("%s\\n", dlerror()); return 1; }
          puts("loaded");
          return 0;
        }

        """,
        "m.yml": """
        matrix:
          include:
            - {env: debian-12, stack: exec}
            - {env: debian-13, stack: exec}
            - {env: debian-13, stack: noexec}
            - {stack: exec}
        build:
          shell: sh
          script: |
            gcc -O2 -shared -fPIC -Wl,-z,${stack}stack -o "${cell.out}/libplugin.so" \(folder)/plugin.c
            gcc -O2 -o "${cell.out}/load" \(folder)/load.c -ldl
          artifacts: {plugin: "${cell.out}/libplugin.so", load: "${cell.out}/load"}
        run:
          - name: dlopen
            argv: ["${artifact:load}", "${artifact:plugin}"]

        """,
      ], in: folder)
    let out = folder + "/out"
    let result = try await Command.run(
      Fixtures.archway, ["run", folder + "/m.yml", "--out", out], environment: Fixtures.childEnvironment,
      workingDirectory: Fixtures.root)
    #expect(result.status == 1, "\(result.stderr)")
    let report = try Reports.read(out + "/report.json")
    // cell id → (the exec-stack check passes, the dlopen step passes)
    let expected: [String: (Bool, Bool)] = [
      "linux-amd64-gnu-debian-12-stack=exec": (true, true), "linux-amd64-gnu-debian-13-stack=exec": (false, false),
      "linux-amd64-gnu-debian-13-stack=noexec": (true, true), "linux-amd64-gnu-stack=exec": (false, true),
    ]
    #expect(Set(report.cells.map(\.id)) == Set(expected.keys))
    for cell in report.cells {
      let (checkPasses, runPasses) = try #require(expected[cell.id])
      let check = try #require(cell.findings.first { $0.kind == .execStack && $0.subject == .artifact("plugin") })
      let run = try #require(cell.findings.first { $0.kind == .exit })
      #expect((check.verdict == .passed) == checkPasses, "\(cell.id): \(check.message)")
      #expect((run.verdict == .passed) == runPasses, "\(cell.id): \(run.message)")
    }
    let refused = try String(
      contentsOfFile: out + "/linux-amd64-gnu-debian-13-stack=exec/logs/dlopen.stdout.log", encoding: .utf8)
    #expect(refused.contains("cannot enable executable stack as shared object requires"), "\(refused)")
    let older = report.cells.first { $0.id == "linux-amd64-gnu-debian-12-stack=exec" }?.findings.first {
      $0.kind == .execStack
    }
    #expect(older?.message.contains("the target's glibc 2.36 is older than 2.41") == true, "\(older?.message ?? "")")
  }
}
