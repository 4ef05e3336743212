import ArchwayKit
import ArchwayTestSupport
import Foundation
import Testing

/// Properties over many random matrices: shards partition the plan, filters only select.
@Suite struct PlanPropertyTests {
  /// A random but valid matrix: up to four user axes, sometimes a platform axis, includes and excludes.
  static func randomMatrix(_ random: inout SplitMix64) -> String {
    var yaml = "matrix:\n"
    var axes: [(String, [String])] = []
    if random.next() % 2 == 0 {
      axes.append(
        (
          "platform",
          ["linux/amd64", "linux/arm64", "linux/riscv64", "armhf"].shuffled(using: &random)
            .prefix(1 + Int(random.next() % 4)).map { $0 }
        ))
    }
    for axis in 0..<(1 + Int(random.next() % 4)) {
      axes.append(("a\(axis)", (0..<(1 + Int(random.next() % 4))).map { "v\($0)" }))
    }
    for (name, values) in axes { yaml += "  \(name): [\(values.joined(separator: ", "))]\n" }
    if random.next() % 2 == 0, let (name, values) = axes.last, values.count > 1 {
      yaml += "  exclude:\n    - \(name): \(values[0])\n"
    }
    if random.next() % 2 == 0 {
      yaml += "  include:\n    - extra: x\n    - a0: v9\n"
    }
    return yaml
  }

  static func cells(_ seed: UInt64) throws -> [Cell] {
    var random = SplitMix64(seed: seed)
    let file = try MatrixFile.parse(yaml: randomMatrix(&random), file: "random.yml")
    return try Planner(host: Platform(os: "linux", arch: "amd64")).plan(file)
  }

  @Test(arguments: 0..<200)
  func shardsAreDisjointAndTogetherThePlan(seed: Int) throws {
    let cells = try Self.cells(UInt64(seed))
    #expect(Set(cells.map(\.id)).count == cells.count, "ids are unique")
    var random = SplitMix64(seed: UInt64(seed) &+ 7)
    let durations = Dictionary(uniqueKeysWithValues: cells.map { ($0.id, Double(random.next() % 100) + 1) })
    for count in 1...7 {
      for recorded in [[:], durations] {
        let shards = (1...count).map { Shard(index: $0, count: count).select(cells, durations: recorded) }
        let all = shards.flatMap { $0.map(\.id) }
        #expect(all.count == cells.count && Set(all) == Set(cells.map(\.id)), "disjoint and complete")
        for shard in shards {  // Each shard keeps plan order.
          let positions = shard.map { cell in cells.firstIndex { $0.id == cell.id }! }
          #expect(positions == positions.sorted())
        }
        if recorded.isEmpty {
          let sizes = shards.map(\.count)
          #expect(sizes.max()! - sizes.min()! <= 1, "balanced by count: \(sizes)")
        } else {
          let loads = shards.map { $0.reduce(0) { $0 + recorded[$1.id]! } }
          #expect(loads.max()! - loads.min()! <= recorded.values.max()!, "balanced by time: \(loads)")
        }
      }
    }
  }

  @Test(arguments: 0..<200)
  func filtersNeverInventCells(seed: Int) throws {
    let cells = try Self.cells(UInt64(seed))
    let keys = ["arch", "platform", "libc", "a0", "a1", "extra", "id", "missing"]
    let patterns = ["v0", "v*", "arm*", "linux/*", "gnu", "x", "*"]
    var random = SplitMix64(seed: UInt64(seed) &+ 99)
    for _ in 0..<10 {
      let key = keys[Int(random.next() % UInt64(keys.count))]
      let pattern = patterns[Int(random.next() % UInt64(patterns.count))]
      let kept = cells.filter(try CellFilter("\(key)=\(pattern)").matches)
      let dropped = cells.filter(try CellFilter("\(key)!=\(pattern)").matches)
      #expect(Set(kept.map(\.id)).isSubset(of: Set(cells.map(\.id))))
      #expect(kept.count + dropped.count == cells.count, "= and != split the plan")
      #expect(Set(kept.map(\.id)).isDisjoint(with: Set(dropped.map(\.id))))
    }
  }

  @Test func filterExamples() throws {
    let file = try MatrixFile.parse(
      yaml:
        "matrix:\n  platform: [linux/arm64, linux/amd64, armhf]\n  libc: [gnu, gnu-2.31, musl]\n  env: [debian-11, debian-12]\n",
      file: "m.yml")
    let cells = try Planner(host: Platform(os: "linux", arch: "amd64")).plan(file)
    let selected = cells.filter(try CellFilter("arch=arm64,libc=gnu*,env!=debian-11").matches)
    #expect(selected.map(\.id) == ["linux-arm64-gnu-debian-12", "linux-arm64-gnu-2.31-debian-12"])
    #expect(cells.filter(try CellFilter("id=linux-arm64-gnu-debian-12").matches).count == 1)
    #expect(try CellFilter("id=a-cc=gcc").conditions == [.init(key: "id", pattern: "a-cc=gcc", negated: false)])
    #expect(try CellFilter("cc!=gcc").conditions == [.init(key: "cc", pattern: "gcc", negated: true)])
    #expect(throws: MatrixError.self) { try CellFilter("=x") }
    #expect(throws: MatrixError("filter 'arch' is not KEY=VALUE or KEY!=VALUE (e.g. 'arch=arm64,libc=gnu*')", at: nil))
    {
      try CellFilter("arch")
    }
    #expect(throws: MatrixError("shard '5/4' is not I/N with 1 ≤ I ≤ N (e.g. '2/4')", at: nil)) { try Shard("5/4") }
  }

  @Test func durationsComeFromAReport() throws {
    let report = #"{"cells": [{"id": "a", "duration": 12.5}, {"id": "b", "duration": 3}, {"id": "c"}]}"#
    #expect(try Shard.durations(fromReport: Data(report.utf8), named: "r.json") == ["a": 12.5, "b": 3])
    #expect(throws: MatrixError.self) { try Shard.durations(fromReport: Data("[]".utf8), named: "r.json") }
  }
}
