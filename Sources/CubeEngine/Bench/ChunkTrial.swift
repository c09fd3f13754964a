import CubeCore
import CubeZarr
import Foundation

/// One candidate written and measured by `--trial`.
public struct TrialOutcome: Sendable {
    /// The candidate as ranked (chunk shape of the full array).
    public var candidate: ChunkCandidate
    /// Its rank among the suggestions (1-based).
    public var rank: Int
    /// The chunk shape used on the sample (clipped to it).
    public var sampleChunks: [Int]
    /// The trial store, as an input (its directory is deleted when the trial ends).
    public var input: BenchInput
    /// What was measured.
    public var result: BenchArrayResult
    /// The workload's weighted median seconds per read, measured.
    public var measuredCost: Double
}

/// The outcome of `--trial`.
public struct TrialResult: Sendable {
    /// The shape of the sample written in each candidate.
    public var sampleShape: [Int]
    /// Its decoded size.
    public var sampleBytes: Int
    /// Where the data came from: the source array's path, or `synthetic`.
    public var origin: String
    /// One entry per candidate tried, in rank order.
    public var outcomes: [TrialOutcome]
}

/// Writes a sample of an array in the best candidates with cube's own Zarr writer, measures
/// the workload on each, and deletes them.
public enum ChunkTrial {
    /// The default sample size limit, 64 MiB decoded.
    public static let defaultSampleBytes = 64 << 20

    /// The leading corner of `shape` of at most `limit` bytes, every axis shrunk by about
    /// the same factor.
    public static func sampleShape(_ shape: [Int], itemSize: Int, limit: Int) -> [Int] {
        var sample = shape.map { max($0, 1) }
        let item = max(itemSize, 1)
        let total = Double(ShapeMath.product(sample)) * Double(item)
        guard total > Double(limit), !sample.isEmpty else { return sample }
        let factor = Foundation.pow(Double(limit) / total, 1 / Double(sample.count))
        sample = sample.map { max(1, Int((Double($0) * factor).rounded(.down))) }
        while ShapeMath.product(sample) * item > limit, let axis = sample.indices.max(by: { sample[$0] < sample[$1] }),
              sample[axis] > 1 {
            sample[axis] -= 1
        }
        return sample
    }

    /// Tries the first `count` candidates of `suggestion`: writes the sample (read from
    /// `source`, or synthetic data of the request's type drawn from `settings.seed`) into a
    /// store per candidate under a new directory in `temporaryDirectory`, measures the
    /// workload's patterns there, and removes the directory, also on failure. A directory
    /// that would lie inside (or be) one of `inputs` is refused before anything is read.
    public static func run(_ suggestion: Suggestion, source: BenchArray?, settings: BenchSettings, count: Int = 3,
                           sampleLimit: Int = defaultSampleBytes, temporaryDirectory: String? = nil, inputs: [String] = [],
                           progress: (@Sendable (String) -> Void)? = nil) throws -> TrialResult {
        let request = suggestion.request
        let dataType = request.dataType
        guard DataType.numericTypes.contains(dataType) else {
            throw CubeError(.invalidArgument, "trial stores hold numeric arrays only, not \(dataType)")
        }
        let base = temporaryDirectory ?? FileManager.default.temporaryDirectory.path
        let directory = URL(fileURLWithPath: base).appendingPathComponent("cube-bench-trial-\(UUID().uuidString)").path
        try OutputOverlap.check(directory, role: "directory for the trial stores", inputs: inputs)
        let sample = sampleShape(request.shape, itemSize: dataType.itemSize, limit: sampleLimit)
        progress?("reading a sample of \(sample.map(String.init).joined(separator: "×"))")
        let data: ArrayBuffer
        if let source {
            data = try source.open().source.read(Region(start: [Int](repeating: 0, count: sample.count), count: sample))
        } else {
            data = try synthetic(dataType, shape: sample, seed: settings.seed)
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw CubeError(.io, "cannot create a directory for the trial stores: \(error.localizedDescription)", context: base)
        }
        defer { try? FileManager.default.removeItem(atPath: directory) }

        var trialSettings = settings
        trialSettings.patterns = request.workload.patterns
        let template = source?.zarrMetadata.flatMap { $0.innerChunkShape == nil ? $0 : nil }
        var outcomes: [TrialOutcome] = []
        for (index, candidate) in suggestion.ranked.prefix(count).enumerated() {
            let chunks = zip(candidate.chunkShape, sample).map { min($0.0, $0.1) }
            let path = directory + "/candidate-\(index + 1).zarr"
            progress?("writing candidate \(index + 1): chunks \(chunks.map(String.init).joined(separator: "×"))")
            let store = try DirectoryStore(path: path, create: true)
            var metadata: ArrayMetadata
            if var copy = template {
                copy.shape = sample
                copy.chunkShape = chunks
                copy.attributes = .object([])
                copy.dimensionNames = request.dimensions
                metadata = copy
            } else {
                metadata = ArrayMetadata(format: .v3, shape: sample, chunkShape: chunks, dataType: dataType,
                                         fillValueJSON: fillJSON(dataType), dimensionNames: request.dimensions)
                try CodecSpec.zarrPythonDefault.apply(to: &metadata)
            }
            let array = try ZarrArray.create(store, path: "", metadata: metadata, overwrite: true)
            try array.write(data, at: [Int](repeating: 0, count: sample.count))
            let report = try Inspector.report(store: store, path: "", metadata: metadata)
            let layout = BenchLayout(shape: sample, dimensions: request.dimensions, itemSize: dataType.itemSize, chunkShape: chunks)
            let name = source?.path ?? "synthetic"
            let bench = BenchArray(path: name, layout: layout, dataType: dataType, shardShape: nil, chunked: true,
                                   storedBytes: report.storedBytes, codecs: metadata.codecSummary, zarrMetadata: metadata) {
                let counter = CountingStore(try DirectoryStore(path: path))
                let opened = try ZarrArray.open(counter, path: "")
                counter.reset()
                return OpenedBenchArray(source: opened, counter: counter)
            }
            let dropper = settings.cold ? try PageCacheDropper(path: path, flush: true) : nil
            let measurements = try BenchRunner.run(bench, settings: trialSettings, dropper: dropper, progress: progress)
            let cost = measurements.reduce(0) { $0 + request.workload.weight($1.pattern) * $1.median }
            let input = BenchInput(argument: "#\(index + 1) " + chunks.map(String.init).joined(separator: "×"),
                                   location: path, kind: .zarr, format: "Zarr \(metadata.format)", arrays: [bench])
            outcomes.append(TrialOutcome(candidate: candidate, rank: index + 1, sampleChunks: chunks, input: input,
                                         result: BenchArrayResult(array: bench, measurements: measurements), measuredCost: cost))
        }
        return TrialResult(sampleShape: sample, sampleBytes: ShapeMath.product(sample) * dataType.itemSize,
                           origin: source?.path ?? "synthetic", outcomes: outcomes)
    }

    /// The v3 fill value written for a new trial array.
    static func fillJSON(_ type: DataType) -> JSON {
        switch type {
        case .bool: false
        case .complex64, .complex128: [0.0, 0.0]
        case .float16, .float32, .float64: "NaN"
        default: 0
        }
    }

    /// A deterministic smooth field with a little noise, converted to `type`: compresses
    /// about as well as typical gridded data, unlike constant or purely random values.
    public static func synthetic(_ type: DataType, shape: [Int], seed: UInt64) throws -> ArrayBuffer {
        let count = ShapeMath.product(shape)
        var random = SplitMix64.stream("synthetic", seed: seed)
        var index = [Int](repeating: 0, count: shape.count)
        var bytes = [UInt8]()
        bytes.reserveCapacity(count * type.itemSize)
        // Per-axis waves, precomputed: the value is their sum plus noise.
        let waves: [[Double]] = shape.enumerated().map { axis, n in
            (0..<max(n, 1)).map { i in 10 * Foundation.sin(Double(i) * 0.07 * Double(axis + 1)) }
        }
        for _ in 0..<count {
            var value = 280.0
            for axis in index.indices { value += waves[axis][index[axis]] }
            value += (random.unit() - 0.5) * 0.5
            append(value, as: type, to: &bytes)
            var axis = index.count - 1
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < shape[axis] { break }
                index[axis] = 0
                axis -= 1
            }
        }
        return try ArrayBuffer(dataType: type, shape: shape, bytes: bytes)
    }

    private static func append(_ value: Double, as type: DataType, to bytes: inout [UInt8]) {
        func put<T>(_ v: T) { withUnsafeBytes(of: v) { bytes.append(contentsOf: $0) } }
        func clamp<T: FixedWidthInteger>(_: T.Type) -> T {
            let v = value.rounded()
            if v <= Double(T.min) { return T.min }
            if v >= Double(T.max) { return T.max }
            return T(v)
        }
        switch type {
        case .bool: put(UInt8(value > 280 ? 1 : 0))
        case .int8: put(clamp(Int8.self))
        case .int16: put(clamp(Int16.self))
        case .int32: put(clamp(Int32.self))
        case .int64: put(clamp(Int64.self))
        case .uint8: put(clamp(UInt8.self))
        case .uint16: put(clamp(UInt16.self))
        case .uint32: put(clamp(UInt32.self))
        case .uint64: put(clamp(UInt64.self))
        case .float16:
            #if !(os(macOS) && arch(x86_64))
            put(Float16(value))
            #else
            put(UInt16(0))
            #endif
        case .float32: put(Float(value))
        case .float64: put(value)
        case .complex64:
            put(Float(value))
            put(Float(0))
        case .complex128:
            put(value)
            put(Double(0))
        case .bytes, .unicode, .string, .structured: bytes.append(contentsOf: [UInt8](repeating: 0, count: type.itemSize))
        }
    }
}
