// swift-tools-version: 6.2
import PackageDescription

let package = Package(
  name: "Archway",
  platforms: [.macOS(.v13)],
  products: [
    .library(name: "ArchwayKit", targets: ["ArchwayKit"]),
    .executable(name: "archway", targets: ["archway"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.0"),
    .package(url: "https://github.com/apple/swift-system", from: "1.4.0"),
    .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
  ],
  targets: [
    .target(
      name: "ArchwayKit",
      dependencies: [
        "ArchwaySpawn",
        "ArchwayCodecs",
        "Yams",
        .product(name: "Subprocess", package: "swift-subprocess"),
        .product(name: "SystemPackage", package: "swift-system"),
        .product(name: "Crypto", package: "swift-crypto"),
      ]
    ),
    // The commit Scripts/install.sh builds from, for `archway --version` (a C define: SwiftPM has no other).
    .target(name: "ArchwayBuildInfo"),
    // Starting a step's process born in its control group (clone3), which Swift cannot do safely.
    .target(name: "ArchwaySpawn"),
    // Decoding what archives and packages are compressed with, by the system's own libraries
    // (Debian: zlib1g-dev, liblzma-dev, libzstd-dev, libbz2-dev; Scripts/setup-host.sh installs them).
    .target(
      name: "ArchwayCodecs",
      linkerSettings: [
        .linkedLibrary("z"), .linkedLibrary("lzma"), .linkedLibrary("zstd"), .linkedLibrary("bz2"),
      ]
    ),
    .executableTarget(
      name: "archway",
      dependencies: [
        "ArchwayKit",
        "ArchwayBuildInfo",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .target(name: "ArchwayTestSupport", dependencies: ["ArchwayKit"], path: "Tests/Support"),
    .testTarget(name: "ArchwayKitTests", dependencies: ["ArchwayKit", "ArchwayTestSupport"]),
    .testTarget(name: "ArchwayCLITests", dependencies: ["ArchwayKit", "ArchwayTestSupport", "archway"]),
    .testTarget(
      name: "HostileTests", dependencies: ["ArchwayKit", "ArchwayTestSupport", "archway"], path: "Tests/Hostile"),
  ],
  swiftLanguageModes: [.v6]
)
