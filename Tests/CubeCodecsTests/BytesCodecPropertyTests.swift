import CubeCore
import Testing
@testable import CubeCodecs

/// Properties every bytes→bytes codec must have: exact round trips, honest size bounds,
/// and errors (never crashes) on truncated, corrupted or mislabelled input.
@Suite struct BytesCodecPropertyTests {
    @Test(arguments: allBytesCodecs)
    func roundTripsEverySize(_ test: CodecCase) throws {
        let codec = test.codec
        for (i, size) in Samples.sizes.enumerated() {
            for input in [Samples.smooth(size, seed: UInt64(i)), Samples.random(size, seed: UInt64(i))] {
                let encoded = try codec.encode(input)
                #expect(encoded.count <= codec.encodedSizeBound(size), "size \(size)")
                #expect(try codec.decode(encoded, decodedSize: size) == input, "size \(size)")
                #expect(try codec.decode(encoded, decodedSize: nil) == input, "size \(size)")
            }
        }
    }

    @Test(arguments: allBytesCodecs)
    func rejectsWrongExpectedSize(_ test: CodecCase) throws {
        let input = Samples.smooth(1000)
        let encoded = try test.codec.encode(input)
        expectCubeError(.corrupt) { try test.codec.decode(encoded, decodedSize: 999) }
        expectCubeError(.corrupt) { try test.codec.decode(encoded, decodedSize: 1001) }
        expectCubeError(.invalidArgument) { try test.codec.decode(encoded, decodedSize: -1) }
    }

    @Test(arguments: allBytesCodecs)
    func rejectsTruncatedInput(_ test: CodecCase) throws {
        let codec = test.codec
        // The shuffle filter has no framing: any length decodes.
        guard !(codec is ShuffleCodec) else { return }
        for input in [Samples.smooth(5000), Samples.random(5000), Samples.random(10)] {
            let encoded = try codec.encode(input)
            var cuts = Set([0, 1, 3, 4, 15, 16, encoded.count / 2, encoded.count - 1])
            cuts = cuts.filter { $0 < encoded.count }
            for cut in cuts.sorted() {
                let truncated = Array(encoded.prefix(cut))
                expectCubeError(.corrupt) { try codec.decode(truncated, decodedSize: input.count) }
                expectCubeError(.corrupt) { try codec.decode(truncated, decodedSize: nil) }
            }
        }
    }

    /// Random byte flips must give an error or some output, never a crash; with the
    /// expected size given, any output must have that size.
    @Test(arguments: allBytesCodecs)
    func survivesCorruption(_ test: CodecCase) throws {
        let codec = test.codec
        var rng = SplitMix64(seed: 42)
        for input in [Samples.smooth(20_000), Samples.random(3000)] {
            let encoded = try codec.encode(input)
            for _ in 0..<300 {
                var damaged = encoded
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    let at = Int.random(in: 0..<damaged.count, using: &rng)
                    damaged[at] = UInt8.random(in: 0...255, using: &rng)
                }
                do {
                    let output = try codec.decode(damaged, decodedSize: input.count)
                    #expect(output.count == input.count)
                } catch let error as CubeError {
                    #expect(error.kind == .corrupt || error.kind == .unsupported, "\(error)")
                }
                _ = try? codec.decode(damaged, decodedSize: nil)
            }
        }
    }

    @Test(arguments: allBytesCodecs)
    func survivesGarbage(_ test: CodecCase) throws {
        for seed in 0..<200 {
            let garbage = Samples.random(Int(seed % 40) + Int(seed), seed: UInt64(seed) + 1000)
            _ = try? test.codec.decode(garbage, decodedSize: nil)
            _ = try? test.codec.decode(garbage, decodedSize: 64)
        }
    }

    /// Many chunks encoded and decoded at once on the cooperative thread pool (c-blosc's
    /// context API, one zstd/zlib stream per call: no shared state).
    @Test func codecsAreThreadSafe() async throws {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for test in allBytesCodecs {
                for k in 0..<6 {
                    group.addTask {
                        let input = Samples.smooth(40_000 + 997 * k, seed: UInt64(k))
                        let encoded = try test.codec.encode(input)
                        return try test.codec.decode(encoded, decodedSize: input.count) == input
                    }
                }
            }
            for try await ok in group { #expect(ok) }
        }
    }
}
