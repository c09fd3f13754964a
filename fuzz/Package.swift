// swift-tools-version: 6.1
import PackageDescription

/// libFuzzer targets over cube's parsers and decoders: one executable per target in
/// `Sources/fuzz-<name>/`, each a ``FuzzTarget`` whose `test` is called with every input.
///
/// A separate package so the root package's builds and tests never compile fuzzing code. It
/// uses cube through `path: ".."` and is built with
/// `-Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -use-ld=lld`
/// (gold cannot link libFuzzer's runtime); `fuzz/run` builds it, makes the seed corpus from
/// the fixtures (`fuzz/make-corpus`) and runs each target (`make fuzz`).
let package = Package(
    name: "cube-fuzz",
    platforms: [.macOS(.v13)],
    dependencies: [
        // Named, so `package: "cube"` works whatever the checkout's directory is called.
        .package(name: "cube", path: ".."),
    ],
    targets: [
        .systemLibrary(name: "CFuzzer"),
        .target(name: "FuzzSupport", dependencies: [
            "CFuzzer",
            .product(name: "CubeCore", package: "cube"),
            .product(name: "CubeCodecs", package: "cube"),
            .product(name: "CubeZarr", package: "cube"),
        ]),
        fuzzTarget("fuzz-json"),
        fuzzTarget("fuzz-metadata"),
        fuzzTarget("fuzz-consolidated"),
        fuzzTarget("fuzz-codecs"),
        fuzzTarget("fuzz-chunk-key"),
    ],
    swiftLanguageModes: [.v6]
)

/// A fuzz target executable in `Sources/<name>/`, with access to cube's library modules.
func fuzzTarget(_ name: String) -> Target {
    .executableTarget(name: name, dependencies: [
        "FuzzSupport",
        .product(name: "CubeCore", package: "cube"),
        .product(name: "CubeCodecs", package: "cube"),
        .product(name: "CubeZarr", package: "cube"),
    ])
}
