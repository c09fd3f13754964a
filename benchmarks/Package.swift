// swift-tools-version: 6.1
import PackageDescription

/// Micro-benchmarks of cube's hot paths with ordo-one/benchmark: one executable target per
/// concept in `Benchmarks/<Target>/`, run with `swift package benchmark`.
///
/// A separate package so the root package's builds and tests never fetch or compile the
/// benchmark framework. It uses cube through `path: ".."`.
///
/// The `MallocInterposer` trait gives the malloc metrics; it is the only trait enabled, so the
/// Linux/Swift 6.3 ARC runtime interposer (`RuntimeInterposer`, a default trait of the
/// benchmark package) stays off and its package is never fetched.
let package = Package(
    name: "cube-benchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        // Named, so `package: "cube"` works whatever the checkout's directory is called.
        .package(name: "cube", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        /// Deterministic, realistically compressible data shared by the benchmarks.
        .target(name: "BenchmarkFixtures", dependencies: [.product(name: "CubeCore", package: "cube")]),
        benchmark("Planner", dependencies: [.product(name: "CubeCore", package: "cube")]),
        benchmark("Codecs", dependencies: [
            "BenchmarkFixtures",
            .product(name: "CubeCore", package: "cube"),
            .product(name: "CubeCodecs", package: "cube"),
        ]),
        benchmark("RegionCopy", dependencies: ["BenchmarkFixtures", .product(name: "CubeCore", package: "cube")]),
    ],
    swiftLanguageModes: [.v6]
)

/// A benchmark executable in `Benchmarks/<name>/`, with the framework and its boilerplate plugin.
func benchmark(_ name: String, dependencies: [Target.Dependency]) -> Target {
    .executableTarget(
        name: name,
        dependencies: [.product(name: "Benchmark", package: "benchmark")] + dependencies,
        path: "Benchmarks/\(name)",
        plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    )
}
