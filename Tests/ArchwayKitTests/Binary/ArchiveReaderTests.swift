import Foundation
import Testing

@testable import ArchwayKit

/// Hostile archive headers written byte by byte (POSIX pax, cpio's new ASCII format inside an RPM,
/// RPM's header structures): each is read to a problem, never a trap or an unbounded walk.
@Suite struct ArchiveReaderTests {
  /// A 512-byte tar header with a valid checksum.
  static func tarHeader(_ name: String, type: Character, size: Int) -> [UInt8] {
    var block = [UInt8](repeating: 0, count: 512)
    for (index, byte) in name.utf8.enumerated() { block[index] = byte }
    for (index, byte) in String(format: "%011o", size).utf8.enumerated() { block[124 + index] = byte }
    block[156] = type.asciiValue!
    for (index, byte) in "ustar\u{0}00".utf8.enumerated() { block[257 + index] = byte }
    for index in 148..<156 { block[index] = 0x20 }
    let sum = block.reduce(0) { $0 + Int($1) }
    for (index, byte) in String(format: "%06o\u{0} ", sum).utf8.enumerated() { block[148 + index] = byte }
    return block
  }

  static func padded(_ bytes: [UInt8]) -> [UInt8] {
    bytes + [UInt8](repeating: 0, count: (512 - bytes.count % 512) % 512)
  }

  static func facts(_ bytes: [UInt8]) -> [BinaryFacts] {
    bytes.withUnsafeBytes { ArchiveInspector.inspect($0, path: "hostile") }
  }

  /// A pax record shorter than its own length prefix, and one whose length is Int.max.
  @Test(arguments: ["2 a=b\n", "6 a=b\n9223372036854775807 x=y\n"])
  func aPaxRecordThatLiesAboutItsLengthIsNoTrap(records: String) {
    let content = Array(records.utf8)
    let tar =
      Self.tarHeader("pax", type: "x", size: content.count) + Self.padded(content)
      + Self.tarHeader("bin/app", type: "0", size: 4) + Self.padded(Array("\u{7f}ELF".utf8))
    let facts = Self.facts(tar)
    #expect(facts.first?.archive?.members == 1, "\(facts.map(\.path))")
  }

  /// An RPM: the lead, an empty signature header, `header` as the main one, then `payload`.
  static func rpm(header: [UInt8], payload: [UInt8]) -> [UInt8] {
    var lead = [UInt8](repeating: 0, count: 96)
    lead[0...3] = [0xED, 0xAB, 0xEE, 0xDB]
    let empty: [UInt8] = [0x8E, 0xAD, 0xE8, 0x01, 0, 0, 0, 0] + [UInt8](repeating: 0, count: 8)
    return lead + empty + header + payload
  }

  static func bigEndian(_ value: Int) -> [UInt8] { withUnsafeBytes(of: UInt32(value).bigEndian) { Array($0) } }

  /// A cpio size of `-0000005` (hex digits after a sign `Int(_:radix:)` would accept).
  @Test func aCpioSizeWithASignIsAProblem() {
    let empty: [UInt8] = [0x8E, 0xAD, 0xE8, 0x01, 0, 0, 0, 0] + [UInt8](repeating: 0, count: 8)
    var header = "070701"
    for (index, value) in ["00000001", "000081ED", "0", "0", "1", "0", "-0000005", "0", "0", "0", "0", "00000008", "0"]
      .enumerated()
    {
      header += index == 6 || value.count == 8 ? value : String(repeating: "0", count: 8)
    }
    let cpio = Array(header.utf8) + Array("bin/app\u{0}".utf8) + [0, 0] + Array("\u{7f}ELF".utf8)
    let facts = Self.facts(Self.rpm(header: empty, payload: cpio))
    #expect(
      facts.first?.archive?.problems.contains { $0.contains("not hex") } == true,
      "\(facts.first?.archive?.problems ?? [])")
  }

  /// 50 Requires entries of 10,000 strings each, all pointing at the same 10,000: the header's
  /// strings are bounded, not read 500,000 times.
  @Test func anRpmHeaderThatRepeatsItsStringsIsBounded() {
    let store = Array(String(repeating: "a\u{0}", count: 10_000).utf8)
    var index: [UInt8] = []
    for _ in 0..<50 { index += Self.bigEndian(1049) + Self.bigEndian(8) + Self.bigEndian(0) + Self.bigEndian(10_000) }
    let header =
      [0x8E, 0xAD, 0xE8, 0x01, 0, 0, 0, 0] + Self.bigEndian(50) + Self.bigEndian(store.count) + index + store
    let facts = Self.facts(Self.rpm(header: header, payload: []))
    #expect(
      facts.first?.archive?.problems.contains { $0.contains("strings") } == true,
      "\(facts.first?.archive?.problems ?? [])")
  }
}
