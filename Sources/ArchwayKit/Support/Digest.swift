/// SHA-1, SHA-256 and SHA-384 of bytes in memory (FIPS 180-4), for the binary readers: a Mach-O
/// code signature hashes every page of the file with one of them. Written here so the readers stay
/// pure functions over bytes that build without a crypto library (the fuzz builds compile them
/// alone); artifacts' checksums use swift-crypto (``Checksums``), which the tests compare these with.
package enum Digest {
  /// The hash functions a Mach-O CodeDirectory names.
  package enum Kind: Sendable, Hashable {
    case sha1, sha256, sha384

    /// The digest's length in bytes.
    package var length: Int {
      switch self {
      case .sha1: 20
      case .sha256: 32
      case .sha384: 48
      }
    }
  }

  /// The digest of `bytes`.
  package static func hash(_ kind: Kind, _ bytes: UnsafeRawBufferPointer) -> [UInt8] {
    switch kind {
    case .sha1: sha1(bytes)
    case .sha256: sha256(bytes)
    case .sha384: sha384(bytes)
    }
  }

  /// `bytes` padded as SHA-1 and SHA-256 pad (`blockSize` 64, a 64-bit length) or SHA-384 (128,
  /// a 128-bit length), handed to `process` one block at a time.
  private static func blocks(
    _ bytes: UnsafeRawBufferPointer, blockSize: Int, _ process: (UnsafeRawBufferPointer) -> Void
  ) {
    let whole = bytes.count / blockSize * blockSize
    var offset = 0
    while offset < whole {
      process(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + blockSize)]))
      offset += blockSize
    }
    var tail = Array(bytes[whole...])
    tail.append(0x80)
    let lengthSize = blockSize / 8
    while (tail.count + lengthSize) % blockSize != 0 { tail.append(0) }
    let bits = UInt64(bytes.count) &* 8
    tail += [UInt8](repeating: 0, count: lengthSize - 8)
    for shift in stride(from: 56, through: 0, by: -8) { tail.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift))) }
    tail.withUnsafeBytes { padded in
      for start in stride(from: 0, to: padded.count, by: blockSize) {
        process(UnsafeRawBufferPointer(rebasing: padded[start..<(start + blockSize)]))
      }
    }
  }

  private static func word32(_ block: UnsafeRawBufferPointer, _ index: Int) -> UInt32 {
    UInt32(bigEndian: block.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self))
  }

  private static func word64(_ block: UnsafeRawBufferPointer, _ index: Int) -> UInt64 {
    UInt64(bigEndian: block.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self))
  }

  private static func bigEndian<T: FixedWidthInteger>(_ words: [T]) -> [UInt8] {
    words.flatMap { word in (0..<(T.bitWidth / 8)).reversed().map { UInt8(truncatingIfNeeded: word >> ($0 * 8)) } }
  }

  static func sha1(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
    var h: [UInt32] = [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0]
    let w = UnsafeMutablePointer<UInt32>.allocate(capacity: 80)
    defer { w.deallocate() }
    blocks(bytes, blockSize: 64) { block in
      for t in 0..<16 { w[t] = word32(block, t) }
      for t in 16..<80 { w[t] = (w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16]).rotatedLeft(1) }
      var (a, b, c, d, e) = (h[0], h[1], h[2], h[3], h[4])
      for t in 0..<80 {
        let (f, k): (UInt32, UInt32) =
          switch t {
          case 0..<20: ((b & c) | (~b & d), 0x5A82_7999)
          case 20..<40: (b ^ c ^ d, 0x6ED9_EBA1)
          case 40..<60: ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC)
          default: (b ^ c ^ d, 0xCA62_C1D6)
          }
        let temp = a.rotatedLeft(5) &+ f &+ e &+ k &+ w[t]
        (e, d, c, b, a) = (d, c, b.rotatedLeft(30), a, temp)
      }
      for (index, value) in [a, b, c, d, e].enumerated() { h[index] &+= value }
    }
    return bigEndian(h)
  }

  private static let k256: [UInt32] = [
    0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
    0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
    0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
    0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
    0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
    0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
    0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
    0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
  ]

  static func sha256(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
    var h: [UInt32] = [
      0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19,
    ]
    let w = UnsafeMutablePointer<UInt32>.allocate(capacity: 64)
    defer { w.deallocate() }
    k256.withUnsafeBufferPointer { k256 in
      blocks(bytes, blockSize: 64) { block in
        for t in 0..<16 { w[t] = word32(block, t) }
        for t in 16..<64 {
          let s0 = w[t - 15].rotatedRight(7) ^ w[t - 15].rotatedRight(18) ^ (w[t - 15] >> 3)
          let s1 = w[t - 2].rotatedRight(17) ^ w[t - 2].rotatedRight(19) ^ (w[t - 2] >> 10)
          w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
        }
        var (a, b, c, d, e, f, g, hh) = (h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7])
        for t in 0..<64 {
          let s1 = e.rotatedRight(6) ^ e.rotatedRight(11) ^ e.rotatedRight(25)
          let t1 = hh &+ s1 &+ ((e & f) ^ (~e & g)) &+ k256[t] &+ w[t]
          let s0 = a.rotatedRight(2) ^ a.rotatedRight(13) ^ a.rotatedRight(22)
          let t2 = s0 &+ ((a & b) ^ (a & c) ^ (b & c))
          (hh, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ t2)
        }
        for (index, value) in [a, b, c, d, e, f, g, hh].enumerated() { h[index] &+= value }
      }
    }
    return bigEndian(h)
  }

  private static let k512: [UInt64] = [
    0x428a_2f98_d728_ae22, 0x7137_4491_23ef_65cd, 0xb5c0_fbcf_ec4d_3b2f, 0xe9b5_dba5_8189_dbbc,
    0x3956_c25b_f348_b538, 0x59f1_11f1_b605_d019, 0x923f_82a4_af19_4f9b, 0xab1c_5ed5_da6d_8118,
    0xd807_aa98_a303_0242, 0x1283_5b01_4570_6fbe, 0x2431_85be_4ee4_b28c, 0x550c_7dc3_d5ff_b4e2,
    0x72be_5d74_f27b_896f, 0x80de_b1fe_3b16_96b1, 0x9bdc_06a7_25c7_1235, 0xc19b_f174_cf69_2694,
    0xe49b_69c1_9ef1_4ad2, 0xefbe_4786_384f_25e3, 0x0fc1_9dc6_8b8c_d5b5, 0x240c_a1cc_77ac_9c65,
    0x2de9_2c6f_592b_0275, 0x4a74_84aa_6ea6_e483, 0x5cb0_a9dc_bd41_fbd4, 0x76f9_88da_8311_53b5,
    0x983e_5152_ee66_dfab, 0xa831_c66d_2db4_3210, 0xb003_27c8_98fb_213f, 0xbf59_7fc7_beef_0ee4,
    0xc6e0_0bf3_3da8_8fc2, 0xd5a7_9147_930a_a725, 0x06ca_6351_e003_826f, 0x1429_2967_0a0e_6e70,
    0x27b7_0a85_46d2_2ffc, 0x2e1b_2138_5c26_c926, 0x4d2c_6dfc_5ac4_2aed, 0x5338_0d13_9d95_b3df,
    0x650a_7354_8baf_63de, 0x766a_0abb_3c77_b2a8, 0x81c2_c92e_47ed_aee6, 0x9272_2c85_1482_353b,
    0xa2bf_e8a1_4cf1_0364, 0xa81a_664b_bc42_3001, 0xc24b_8b70_d0f8_9791, 0xc76c_51a3_0654_be30,
    0xd192_e819_d6ef_5218, 0xd699_0624_5565_a910, 0xf40e_3585_5771_202a, 0x106a_a070_32bb_d1b8,
    0x19a4_c116_b8d2_d0c8, 0x1e37_6c08_5141_ab53, 0x2748_774c_df8e_eb99, 0x34b0_bcb5_e19b_48a8,
    0x391c_0cb3_c5c9_5a63, 0x4ed8_aa4a_e341_8acb, 0x5b9c_ca4f_7763_e373, 0x682e_6ff3_d6b2_b8a3,
    0x748f_82ee_5def_b2fc, 0x78a5_636f_4317_2f60, 0x84c8_7814_a1f0_ab72, 0x8cc7_0208_1a64_39ec,
    0x90be_fffa_2363_1e28, 0xa450_6ceb_de82_bde9, 0xbef9_a3f7_b2c6_7915, 0xc671_78f2_e372_532b,
    0xca27_3ece_ea26_619c, 0xd186_b8c7_21c0_c207, 0xeada_7dd6_cde0_eb1e, 0xf57d_4f7f_ee6e_d178,
    0x06f0_67aa_7217_6fba, 0x0a63_7dc5_a2c8_98a6, 0x113f_9804_bef9_0dae, 0x1b71_0b35_131c_471b,
    0x28db_77f5_2304_7d84, 0x32ca_ab7b_40c7_2493, 0x3c9e_be0a_15c9_bebc, 0x431d_67c4_9c10_0d4c,
    0x4cc5_d4be_cb3e_42b6, 0x597f_299c_fc65_7e2a, 0x5fcb_6fab_3ad6_faec, 0x6c44_198c_4a47_5817,
  ]

  static func sha384(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
    var h: [UInt64] = [
      0xcbbb_9d5d_c105_9ed8, 0x629a_292a_367c_d507, 0x9159_015a_3070_dd17, 0x152f_ecd8_f70e_5939,
      0x6733_2667_ffc0_0b31, 0x8eb4_4a87_6858_1511, 0xdb0c_2e0d_64f9_8fa7, 0x47b5_481d_befa_4fa4,
    ]
    let w = UnsafeMutablePointer<UInt64>.allocate(capacity: 80)
    defer { w.deallocate() }
    k512.withUnsafeBufferPointer { k512 in
      blocks(bytes, blockSize: 128) { block in
        for t in 0..<16 { w[t] = word64(block, t) }
        for t in 16..<80 {
          let s0 = w[t - 15].rotatedRight(1) ^ w[t - 15].rotatedRight(8) ^ (w[t - 15] >> 7)
          let s1 = w[t - 2].rotatedRight(19) ^ w[t - 2].rotatedRight(61) ^ (w[t - 2] >> 6)
          w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
        }
        var (a, b, c, d, e, f, g, hh) = (h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7])
        for t in 0..<80 {
          let s1 = e.rotatedRight(14) ^ e.rotatedRight(18) ^ e.rotatedRight(41)
          let t1 = hh &+ s1 &+ ((e & f) ^ (~e & g)) &+ k512[t] &+ w[t]
          let s0 = a.rotatedRight(28) ^ a.rotatedRight(34) ^ a.rotatedRight(39)
          let t2 = s0 &+ ((a & b) ^ (a & c) ^ (b & c))
          (hh, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ t2)
        }
        for (index, value) in [a, b, c, d, e, f, g, hh].enumerated() { h[index] &+= value }
      }
    }
    return Array(bigEndian(h).prefix(48))
  }
}

// Concrete, not generic over FixedWidthInteger: an unspecialized generic call per rotation made a
// debug build's hashing ten times slower.
extension UInt32 {
  fileprivate func rotatedLeft(_ count: UInt32) -> UInt32 { self << count | self >> (32 - count) }
  fileprivate func rotatedRight(_ count: UInt32) -> UInt32 { self >> count | self << (32 - count) }
}

extension UInt64 {
  fileprivate func rotatedRight(_ count: UInt64) -> UInt64 { self >> count | self << (64 - count) }
}
