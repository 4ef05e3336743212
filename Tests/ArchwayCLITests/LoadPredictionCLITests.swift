import ArchwayKit
import ArchwayTestSupport
import Foundation
import Testing

/// Load prediction against the real run: `Matrix/load-prediction.yml` runs six programs (bookworm
/// gcc, zig for glibc 2.17, g++ needing GLIBCXX_3.4.29, musl, a library nobody ships, the same
/// shipped beside it) inside Debian 11, 12, 13 and the musl environment. In every cell the
/// prediction and the run agree, and each agrees with what those distributions carry.
@Suite struct LoadPredictionCLITests {
  /// Where each flavor loads, from what the distributions ship: Debian 11 has glibc 2.31 and GCC 10's
  /// libstdc++ (GLIBCXX_3.4.28); only debian-12-musl has musl's loader; nobody has libgreet.
  static let loadsIn: [String: Set<String>] = [
    "gcc": ["debian-12", "debian-13", "debian-12-musl"],
    "zig": ["debian-11", "debian-12", "debian-13", "debian-12-musl"],
    "cxx": ["debian-12", "debian-13", "debian-12-musl"],
    "musl": ["debian-12-musl"],
    "missing": [],
    "origin": ["debian-12", "debian-13", "debian-12-musl"],  // Built by bookworm's gcc: not 11.
  ]

  @Test func predictionsAgreeWithTheRunInEveryEnvironment() async throws {
    let out = RunCLITests.folder("load-prediction")
    let result = try await Command.run(
      Fixtures.archway, ["run", "Matrix/load-prediction.yml", "--out", out, "--jobs", "2"],
      environment: Fixtures.childEnvironment, workingDirectory: Fixtures.root)
    #expect(result.status == 1, "\(result.stderr)")
    let report = try Reports.read(out + "/report.json")
    #expect(report.cells.count == 24)
    for cell in report.cells {
      let flavor = try #require(cell.values["flavor"])
      let env = try #require(cell.env)
      let loads = try #require(cell.findings.first { $0.kind == .loads }, "\(cell.id): no prediction")
      let exit = try #require(cell.findings.first { $0.kind == .exit })
      #expect(cell.runner.kind == .rootfs, "\(cell.id): \(cell.runner.reason)")
      #expect(loads.verdict != .error, "\(cell.id): the prediction and the run disagree: \(loads.message)")
      #expect((loads.verdict == .passed) == (exit.verdict == .passed), "\(cell.id): \(loads.message) / \(exit.message)")
      let expected = Self.loadsIn[flavor]?.contains(env) == true
      #expect((loads.verdict == .passed) == expected, "\(cell.id): \(loads.message)")
    }
    let named = { (id: String) in
      report.cells.first { $0.id == id }?.findings.first { $0.kind == .loads }?.message ?? ""
    }
    #expect(named("linux-amd64-gnu-debian-11-flavor=cxx").contains("GLIBCXX_3.4.29 (_ZNSt7__cxx1112basic_string"))
    // Every missing version names the program's symbols bound to it, not only the floor's.
    #expect(named("linux-amd64-gnu-debian-11-flavor=origin").contains("GLIBC_2.33 (stat)"))
    #expect(named("linux-amd64-gnu-debian-11-flavor=cxx").contains("goes up to GLIBCXX_3.4.28"))
    #expect(named("linux-amd64-gnu-debian-13-flavor=missing").contains("libgreet.so.1, needed by prog, is not found"))

    // The same predictions for a program outside any matrix: `env compat` and `verify --env`.
    let gcc = out + "/linux-amd64-gnu-debian-12-flavor=gcc/prog"
    let compat = try await Command.run(
      Fixtures.archway, ["env", "compat", gcc], workingDirectory: Fixtures.root)
    #expect(compat.status == 0, "\(compat.stderr)")
    // Other built environments (debian-11-gcc, …) may stand between these.
    let runsOn = compat.stdout.components(separatedBy: "runs on ").dropFirst().first?.components(separatedBy: ";").first
    let listed = Set((runsOn ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
    #expect(listed.isSuperset(of: ["debian-12", "debian-12-musl", "debian-13"]), "\(compat.stdout)")
    #expect(!listed.contains("debian-11"), "\(compat.stdout)")
    #expect(compat.stdout.contains("not debian-11: GLIBC_2.34 (__libc_start_main)"), "\(compat.stdout)")
    // Missing versions are named newest first, as verify names a floor (issue 37: env compat
    // named GLIBC_2.33 first, verify GLIBC_2.34).
    let origin = out + "/linux-amd64-gnu-debian-12-flavor=origin/prog"
    let both = try await Command.run(Fixtures.archway, ["env", "compat", origin], workingDirectory: Fixtures.root)
    #expect(both.stdout.contains("not debian-11: GLIBC_2.34 (__libc_start_main), needed by prog"), "\(both.stdout)")
    let old = try await Command.run(
      Fixtures.archway, ["verify", gcc, "--target", "linux/amd64", "--env", "debian-11"],
      workingDirectory: Fixtures.root)
    #expect(old.status == 1 && old.stdout.contains("would not load in debian-11/amd64: GLIBC_2.34"), "\(old.stdout)")
    let new = try await Command.run(
      Fixtures.archway, ["verify", gcc, "--target", "linux/amd64", "--env", "debian-13"],
      workingDirectory: Fixtures.root)
    #expect(new.status == 0, "\(new.stdout)\(new.stderr)")
    // What the prediction found is what the loader itself lists inside the root filesystem (ldd).
    for flavor in ["origin", "cxx"] {
      let cell = try #require(report.cells.first { $0.id == "linux-amd64-gnu-debian-12-flavor=\(flavor)" })
      let root = try #require(cell.runner.sysroot)
      let folder = "\(out)/\(cell.id)"
      let program = folder + "/prog"
      let json = try await Command.run(
        Fixtures.archway, ["env", "compat", "--json", program], workingDirectory: Fixtures.root)
      let predictions = try JSONDecoder().decode([CompatResult].self, from: Data(json.stdout.utf8))
      let found = try #require(predictions.first?.environments.first { $0.env == "debian-12" }?.prediction.found)
      let ldd = try await Command.run(
        "bwrap",
        [
          "--ro-bind", root, "/", "--tmpfs", "/tmp", "--ro-bind", folder, folder, "--dev", "/dev", "--proc", "/proc",
          "ldd", program,
        ])
      #expect(ldd.status == 0, "\(ldd.stderr)")
      let listed = ldd.stdout.split(separator: "\n").compactMap { line -> (String, String)? in
        let parts = line.trimmingCharacters(in: .whitespaces).components(separatedBy: " => ")
        guard parts.count == 2, let path = parts[1].split(separator: " ").first else { return nil }
        return (parts[0], String(path))
      }
      #expect(!listed.isEmpty, "\(ldd.stdout)")
      for (name, path) in listed {
        #expect(found[name] == path, "\(flavor): ldd finds \(name) at \(path), Archway at \(found[name] ?? "nothing")")
      }
    }
    let typo = try await Command.run(
      Fixtures.archway, ["verify", gcc, "--target", "linux/amd64", "--env", "debian-14"],
      workingDirectory: Fixtures.root)
    #expect(typo.status == 2, "\(typo.stderr)")
  }

  /// `env compat --json`'s record of one program.
  struct CompatResult: Decodable {
    var path: String
    var environments: [LoadPredictor.Compatibility]
  }
}
