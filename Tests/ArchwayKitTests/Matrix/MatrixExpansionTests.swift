import ArchwayKit
import Testing

/// Expansion against the examples in GitHub's documentation of `strategy.matrix`, with the results
/// the documentation states (docs.github.com, "Running variations of jobs in a workflow").
@Suite struct MatrixExpansionTests {
  static let planner = Planner(host: Platform(os: "linux", arch: "amd64"))

  /// The user values of every cell, as `key=value` strings in the cell's order.
  static func expand(_ matrix: String) throws -> [[String]] {
    let file = try MatrixFile.parse(yaml: "matrix:\n" + matrix, file: "test.yml")
    return try planner.plan(file).map { $0.userValues.map { "\($0.key)=\($0.value)" } }
  }

  @Test func aSingleDimensionMatrix() throws {
    #expect(try Self.expand("  version: [10, 12, 14]\n") == [["version=10"], ["version=12"], ["version=14"]])
  }

  @Test func aMultiDimensionMatrixVariesTheFirstAxisSlowest() throws {
    // "the workflow will run six jobs, one for each combination of the os and version variables"
    let cells = try Self.expand("  os-name: [ubuntu-22.04, ubuntu-20.04]\n  version: [10, 12, 14]\n")
    #expect(
      cells == [
        ["os-name=ubuntu-22.04", "version=10"], ["os-name=ubuntu-22.04", "version=12"],
        ["os-name=ubuntu-22.04", "version=14"], ["os-name=ubuntu-20.04", "version=10"],
        ["os-name=ubuntu-20.04", "version=12"], ["os-name=ubuntu-20.04", "version=14"],
      ])
  }

  @Test func expandingOrAddingMatrixConfigurations() throws {
    // The documented fruit/animal example and the six jobs it lists.
    let cells = try Self.expand(
      """
        fruit: [apple, pear]
        animal: [cat, dog]
        include:
          - color: green
          - color: pink
            animal: cat
          - fruit: apple
            shape: circle
          - fruit: banana
          - fruit: banana
            animal: cat

      """)
    #expect(
      cells.map(Set.init) == [
        ["fruit=apple", "animal=cat", "color=pink", "shape=circle"],
        ["fruit=apple", "animal=dog", "color=green", "shape=circle"],
        ["fruit=pear", "animal=cat", "color=pink"],
        ["fruit=pear", "animal=dog", "color=green"],
        ["fruit=banana"],
        ["fruit=banana", "animal=cat"],
      ])
  }

  @Test func expandingSpecificConfigurations() throws {
    // "an additional npm variable with the value of 6" for windows-latest with node 16 only.
    let cells = try Self.expand(
      """
        os-name: [windows-latest, ubuntu-latest]
        node: [14, 16]
        include:
          - os-name: windows-latest
            node: 16
            npm: 6

      """)
    #expect(
      cells == [
        ["os-name=windows-latest", "node=14"], ["os-name=windows-latest", "node=16", "npm=6"],
        ["os-name=ubuntu-latest", "node=14"], ["os-name=ubuntu-latest", "node=16"],
      ])
  }

  @Test func addingConfigurations() throws {
    // Nine jobs from the product, plus one for windows-latest with version 17.
    let cells = try Self.expand(
      """
        os-name: [macos-latest, windows-latest, ubuntu-latest]
        version: [12, 14, 16]
        include:
          - os-name: windows-latest
            version: 17

      """)
    #expect(cells.count == 10)
    #expect(cells.last == ["os-name=windows-latest", "version=17"])
  }

  @Test func includeOnlyMatrix() throws {
    let cells = try Self.expand(
      """
        include:
          - site: production
            datacenter: site-a
          - site: staging
            datacenter: site-b

      """)
    #expect(cells == [["site=production", "datacenter=site-a"], ["site=staging", "datacenter=site-b"]])
  }

  @Test func excludingMatrixConfigurations() throws {
    // "An excluded configuration only has to be a partial match": 12 − 1 − 2 = 9 jobs.
    let cells = try Self.expand(
      """
        os-name: [macos-latest, windows-latest]
        version: [12, 14, 16]
        environment: [staging, production]
        exclude:
          - os-name: macos-latest
            version: 12
            environment: production
          - os-name: windows-latest
            version: 16

      """)
    #expect(cells.count == 9)
    #expect(!cells.contains(["os-name=macos-latest", "version=12", "environment=production"]))
    #expect(!cells.contains { $0.contains("os-name=windows-latest") && $0.contains("version=16") })
  }

  @Test func includeAddsBackWhatExcludeRemoved() throws {
    // "All include combinations are processed after exclude."
    let cells = try Self.expand(
      """
        size: [s, m]
        exclude:
          - size: m
        include:
          - size: m

      """)
    #expect(cells == [["size=s"], ["size=m"]])
  }

  @Test func reservedAxesGiveTheTargetAndIdsAreStable() throws {
    let file = try MatrixFile.parse(
      yaml: """
        matrix:
          platform: [aarch64, linux/arm/v7, windows/amd64]
          opt: [O2]
          include:
            - platform: aarch64
              libc: gnu-2.31
              env: debian-11
        """, file: "m.yml")
    let cells = try Self.planner.plan(file)
    #expect(
      cells.map(\.id) == [
        "linux-arm64-gnu-2.31-debian-11-opt=O2", "linux-arm-v7-gnu-opt=O2", "windows-amd64-system-opt=O2",
      ])
    #expect(
      cells[0].target == CellTarget(platform: Platform(os: "linux", arch: "arm64"), libc: .gnu(DottedVersion("2.31"))))
    #expect(cells[0].env == "debian-11" && cells[1].env == nil)
    #expect(cells[0]["platform"]?.description == "aarch64", "values stay as written")
  }

  @Test func osArchVariantAndDefaults() throws {
    let file = try MatrixFile.parse(
      yaml: """
        matrix:
          arch: [arm64, riscv64]
          include:
            - arch: riscv64
              libc: gnu-2.35
        defaults:
          libc: musl
          opt: O2
        """, file: "m.yml")
    let cells = try Self.planner.plan(file)
    // A default is no cell's own value: it stays out of ids (issue 37), though the target it sets
    // (libc here) is part of every id.
    #expect(cells.map(\.id) == ["linux-arm64-musl", "linux-riscv64-gnu-2.35"])
    #expect(cells.allSatisfy { $0["opt"]?.description == "O2" })
    let host = try Self.planner.plan(try MatrixFile.parse(yaml: "matrix:\n  opt: [O0]\n", file: "m.yml"))
    #expect(host.map(\.id) == ["linux-amd64-gnu-opt=O0"], "no platform anywhere: the host's")
    let split = try Self.planner.plan(
      try MatrixFile.parse(yaml: "matrix:\n  os: [linux]\n  arch: [arm]\n  variant: [v5]\n", file: "m.yml"))
    #expect(split.map(\.target.platform.description) == ["linux/arm/v5"])
  }
}
