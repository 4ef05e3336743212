import ArchwayKit
import ArchwayTestSupport
import Foundation
import Testing

/// The loader's search, in made-up root filesystems of real libraries: `ld.so.conf` and its
/// includes, a library of another arch passed over, symbolic links followed inside the root and
/// never out of it, loops and FIFOs that end the search instead of hanging it.
@Suite struct LoadPredictionTests {
  static let program = Fixtures.named("c-gcc-linux-amd64").path
  static let libc = "/lib/x86_64-linux-gnu/libc.so.6"
  static let loader = "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"

  /// A root with the host's loader (and `/lib64`'s link to it) and, unless `libc` is false, its libc.
  static func root(_ name: String, libc: Bool = true) throws -> String {
    let root = Fixtures.scratch("loads-\(name)")
    let manager = FileManager.default
    try manager.createDirectory(atPath: root + "/lib/x86_64-linux-gnu", withIntermediateDirectories: true)
    try manager.createDirectory(atPath: root + "/lib64", withIntermediateDirectories: true)
    try manager.createDirectory(atPath: root + "/etc", withIntermediateDirectories: true)
    try manager.copyItem(atPath: loader, toPath: root + loader)
    // An absolute link, as Debian's: it must lead to the root's own /lib, not the host's.
    try manager.createSymbolicLink(atPath: root + "/lib64/ld-linux-x86-64.so.2", withDestinationPath: loader)
    if libc { try manager.copyItem(atPath: Self.libc, toPath: root + Self.libc) }
    return root
  }

  static func facts(_ path: String) throws -> BinaryFacts { try BinaryInspector.inspectFile(atPath: path) }

  @Test func aProgramLoadsWithTheRootsOwnLibc() throws {
    let root = try Self.root("plain")
    let prediction = LoadPredictor.predict(Self.program, facts: try Self.facts(Self.program), root: root)
    #expect(prediction.loads, "\(prediction.problems)")
    #expect(prediction.found["libc.so.6"] == Self.libc)
    let bare = try Self.root("bare", libc: false)
    let missing = LoadPredictor.predict(Self.program, facts: try Self.facts(Self.program), root: bare)
    #expect(missing.problems == ["libc.so.6, needed by c-gcc-linux-amd64, is not found"])
  }

  /// A library needed by its absolute path (what linking with the file's path writes) inside a
  /// folder bound into the root (the cell's) is looked for at that path, as the loader there sees it.
  @Test func aNeededPathInABoundFolderIsFoundThere() async throws {
    let root = try Self.root("bound-path")
    let cell = Fixtures.scratch("loads-bound-cell")
    try "int greet(int x) { return x + 1; }\n".write(toFile: cell + "/g.c", atomically: true, encoding: .utf8)
    try "int greet(int);\nint main(void) { return greet(-1); }\n".write(
      toFile: cell + "/m.c", atomically: true, encoding: .utf8)
    for argv in [
      ["-shared", "-fPIC", "-o", cell + "/libg.so", cell + "/g.c"],
      ["-o", cell + "/m", cell + "/m.c", cell + "/libg.so"],
    ] {
      let built = try await Command.run("gcc", argv)
      #expect(built.status == 0, "\(built.stderr)")
    }
    let facts = try Self.facts(cell + "/m")
    #expect(facts.needed.contains(cell + "/libg.so"), "the link wrote the path: \(facts.needed)")
    let prediction = LoadPredictor.predict(cell + "/m", facts: facts, root: root, bound: [cell])
    #expect(prediction.loads, "\(prediction.problems)")
    let unbound = LoadPredictor.predict(cell + "/m", facts: facts, root: root)
    #expect(unbound.problems == ["\(cell)/libg.so, needed by m, is not found"])
  }

  @Test func ldSoConfIncludesAreFollowedAndAnotherArchIsPassedOver() throws {
    let root = try Self.root("conf", libc: false)
    let manager = FileManager.default
    try manager.createDirectory(atPath: root + "/etc/ld.so.conf.d", withIntermediateDirectories: true)
    try "include /etc/ld.so.conf.d/*.conf\ninclude /etc/ld.so.conf\n".write(
      toFile: root + "/etc/ld.so.conf", atomically: true, encoding: .utf8)
    try "# first the arm64 one, then ours\n/opt/arm\n/opt/amd64\n".write(
      toFile: root + "/etc/ld.so.conf.d/opt.conf", atomically: true, encoding: .utf8)
    for folder in ["/opt/arm", "/opt/amd64"] {
      try manager.createDirectory(atPath: root + folder, withIntermediateDirectories: true)
    }
    try manager.copyItem(atPath: "/usr/aarch64-linux-gnu/lib/libc.so.6", toPath: root + "/opt/arm/libc.so.6")
    try manager.copyItem(atPath: Self.libc, toPath: root + "/opt/amd64/libc.so.6")
    let prediction = LoadPredictor.predict(Self.program, facts: try Self.facts(Self.program), root: root)
    #expect(prediction.loads, "\(prediction.problems)")
    #expect(prediction.found["libc.so.6"] == "/opt/amd64/libc.so.6")
  }

  @Test func linksStayInsideTheRootAndLoopsOrFIFOsEndTheSearch() throws {
    let root = try Self.root("links", libc: false)
    let manager = FileManager.default
    // `..` above the root is the root: this link is itself, a loop, and never the host's libc.
    try manager.createSymbolicLink(
      atPath: root + Self.libc, withDestinationPath: "/../../../../../lib/x86_64-linux-gnu/libc.so.6")
    #expect(LoadPredictor.locate(Self.libc, in: root) == nil)
    try manager.createDirectory(atPath: root + "/usr/lib", withIntermediateDirectories: true)
    try manager.createSymbolicLink(atPath: root + "/usr/lib/a", withDestinationPath: "b")
    try manager.createSymbolicLink(atPath: root + "/usr/lib/b", withDestinationPath: "a")
    #expect(LoadPredictor.locate("/usr/lib/a", in: root) == nil)
    #expect(mkfifo(root + "/usr/lib/libc.so.6", 0o644) == 0)
    let started = Date()
    let prediction = LoadPredictor.predict(Self.program, facts: try Self.facts(Self.program), root: root)
    #expect(!prediction.loads && prediction.problems.first?.hasPrefix("libc.so.6") == true, "\(prediction.problems)")
    #expect(Date().timeIntervalSince(started) < 30, "a FIFO must not be opened for reading")
    #expect(LoadPredictor.locate("/lib64/ld-linux-x86-64.so.2", in: root) == root + Self.loader)
  }

  @Test func aStaticProgramLoadsAnywhere() throws {
    let program = Fixtures.named("c-musl-static-amd64").path
    let prediction = LoadPredictor.predict(program, facts: try Self.facts(program), root: "/nonexistent")
    #expect(prediction.loads && prediction.found.isEmpty)
  }
}
