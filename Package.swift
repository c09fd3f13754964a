// swift-tools-version: 6.1
import PackageDescription

/// A system C library exposed through a module map and pkg-config.
func systemLibrary(_ name: String, pkgConfig: String, apt: String) -> Target {
    .systemLibrary(name: name, pkgConfig: pkgConfig, providers: [.apt([apt])])
}

/// Whether the S3 store is built. `CUBE_WITHOUT_S3=1` leaves it out, with async-http-client,
/// swift-nio and swift-crypto under it, for the sanitizer and fuzz builds, which check the
/// engine, the codecs and the stores on disk; the S3 code is tested by the ordinary build.
let withS3 = Context.environment["CUBE_WITHOUT_S3"] == nil

let package = Package(
    name: "cube",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "cube-convert", targets: ["cube-convert"]),
        .executable(name: "cube-info", targets: ["cube-info"]),
        .executable(name: "cube-rechunk", targets: ["cube-rechunk"]),
        .executable(name: "cube-consolidate", targets: ["cube-consolidate"]),
        .executable(name: "cube-bench", targets: ["cube-bench"]),
        .library(name: "CubeZarr", targets: ["CubeZarr"]),
        .library(name: "CubeCore", targets: ["CubeCore"]),
        .library(name: "CubeCodecs", targets: ["CubeCodecs"]),
    ] + (withS3 ? [.library(name: "CubeS3", targets: ["CubeS3"])] : []),
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ] + (withS3 ? [
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        // Already required by async-http-client; named so CubeS3 may import NIOCore, NIOPosix, NIOHTTP1.
        .package(url: "https://github.com/apple/swift-nio", from: "2.100.0"),
    ] : []),
    targets: [
        systemLibrary("CNetCDF", pkgConfig: "netcdf", apt: "libnetcdf-dev"),
        systemLibrary("CHDF5", pkgConfig: "hdf5", apt: "libhdf5-dev"),
        systemLibrary("CBlosc", pkgConfig: "blosc", apt: "libblosc-dev"),
        systemLibrary("CZstd", pkgConfig: "libzstd", apt: "libzstd-dev"),
        systemLibrary("CZlib", pkgConfig: "zlib", apt: "zlib1g-dev"),
        systemLibrary("CLZ4", pkgConfig: "liblz4", apt: "liblz4-dev"),
        systemLibrary("CDeflate", pkgConfig: "libdeflate", apt: "libdeflate-dev"),
        .systemLibrary(name: "CMalloc"),
        .systemLibrary(name: "CDirectIO"),

        .target(name: "CubeCore"),
        .target(name: "CubeCodecs", dependencies: ["CubeCore", "CBlosc", "CZstd", "CZlib", "CLZ4", "CDeflate"]),
        .target(name: "CubeZarr", dependencies: ["CubeCore", "CubeCodecs", "CDirectIO"]),
        .target(name: "CubeNetCDF", dependencies: ["CubeCore", "CubeHDF5", "CNetCDF"]),
        .target(name: "CubeHDF5", dependencies: ["CubeCore", "CubeCodecs", "CHDF5", "CDeflate"]),
        .target(name: "CubeEngine", dependencies: ["CubeCore", "CubeCodecs", "CubeZarr", "CubeNetCDF", "CubeHDF5"]),
        .target(name: "CubeCLI", dependencies: [
            "CubeCore", "CubeZarr", "CubeEngine", "CMalloc",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ] + (withS3 ? ["CubeS3"] : [])),
        .executableTarget(name: "cube-convert", dependencies: ["CubeCLI"]),
        .executableTarget(name: "cube-info", dependencies: ["CubeCLI"]),
        .executableTarget(name: "cube-rechunk", dependencies: ["CubeCLI"]),
        .executableTarget(name: "cube-consolidate", dependencies: ["CubeCLI"]),
        .executableTarget(name: "cube-bench", dependencies: ["CubeCLI"]),

        .target(name: "CubeTestSupport", path: "Tests/CubeTestSupport"),
        // The store conformance checks, callable for any store (memory, directory, S3).
        .target(name: "CubeStoreConformance", dependencies: ["CubeCore", "CubeZarr"], path: "Tests/CubeStoreConformance"),
        // Kills a command after its Nth task, for the resume tests (see Tests/CrashRunner/main.swift).
        .executableTarget(name: "crash-runner", dependencies: ["CubeCLI", "CubeEngine"], path: "Tests/CrashRunner"),
        .testTarget(name: "CubeCoreTests", dependencies: ["CubeCore"]),
        .testTarget(name: "CubeCodecsTests", dependencies: ["CubeCodecs"]),
        .testTarget(name: "CubeZarrTests", dependencies: ["CubeZarr", "CubeTestSupport", "CubeStoreConformance", "CDirectIO"]),
        .testTarget(name: "CubeNetCDFTests", dependencies: ["CubeNetCDF", "CubeHDF5", "CNetCDF"]),
        .testTarget(name: "CubeHDF5Tests", dependencies: ["CubeHDF5", "CHDF5"]),
        .testTarget(name: "CubeEngineTests", dependencies: ["CubeEngine"]),
        .testTarget(name: "CubeCLITests", dependencies: ["CubeCLI", "CubeTestSupport"]),
    ] + (withS3 ? [
        .target(name: "CubeS3", dependencies: [
            "CubeCore", "CubeZarr",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        .testTarget(name: "CubeS3Tests", dependencies: ["CubeS3", "CubeZarr", "CubeTestSupport", "CubeStoreConformance"]),
    ] : []),
    swiftLanguageModes: [.v6]
)
