import CubeCore

/// How often each pattern is read: weights by pattern, normalized to sum to 1.
public struct Workload: Sendable, Hashable, CustomStringConvertible {
    /// Normalized weights; patterns not named have weight 0.
    public private(set) var weights: [BenchPattern: Double]

    /// The workload when none is given: as many series as slices.
    public static let standard = Workload(normalizing: [.series: 1, .slice: 1])

    /// Normalizes `weights` (they must not all be zero).
    public init(normalizing weights: [BenchPattern: Double]) {
        let total = weights.values.reduce(0, +)
        self.weights = total > 0 ? weights.filter { $0.value > 0 }.mapValues { $0 / total } : [:]
    }

    /// Parses `series=0.8,slice=0.2` (also box and scan; any non-negative numbers, normalized).
    public init(parsing text: String) throws {
        var weights: [BenchPattern: Double] = [:]
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = item.split(separator: "=", omittingEmptySubsequences: false)
            guard parts.count == 2, let pattern = BenchPattern(rawValue: parts[0].trimmingCharacters(in: " ")),
                  let weight = Double(parts[1].trimmingCharacters(in: " ")), weight.isFinite, weight >= 0 else {
                throw CubeError(.invalidArgument, "workload item '\(item)' must be PATTERN=WEIGHT with PATTERN series, slice, box or scan and WEIGHT ≥ 0")
            }
            guard weights[pattern] == nil else {
                throw CubeError(.invalidArgument, "workload names \(pattern.rawValue) twice")
            }
            weights[pattern] = weight
        }
        guard weights.values.contains(where: { $0 > 0 }) else {
            throw CubeError(.invalidArgument, "workload '\(text)' has no positive weight")
        }
        self.init(normalizing: weights)
    }

    /// The patterns with a positive weight, in pattern order.
    public var patterns: [BenchPattern] { BenchPattern.allCases.filter { (weights[$0] ?? 0) > 0 } }

    /// The weight of `pattern`.
    public func weight(_ pattern: BenchPattern) -> Double { weights[pattern] ?? 0 }

    /// `series=0.8,slice=0.2`.
    public var description: String {
        patterns.map { "\($0.rawValue)=\(Self.short(weight($0)))" }.joined(separator: ",")
    }

    static func short(_ value: Double) -> String {
        let rounded = (value * 1000).rounded() / 1000
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}

/// The cost model `--suggest` ranks by: a read costs `chunks × latency + bytes read /
/// bandwidth`, where bytes read are the touched chunks' stored bytes.
public struct CostModel: Sendable, Hashable {
    /// Seconds per chunk touched: opening, fetching and setting up the decode of one object.
    public var latency: Double
    /// Bytes read from storage and decoded per second.
    public var bandwidth: Double

    /// 1 ms per chunk and 200 MB/s: a local disk read cold, with decoding.
    public static let standard = CostModel(latency: 0.001, bandwidth: 200e6)

    /// Creates a model.
    public init(latency: Double, bandwidth: Double) {
        self.latency = latency
        self.bandwidth = bandwidth
    }

    /// The predicted seconds of a read.
    public func seconds(chunks: Double, bytes: Double) -> Double {
        chunks * latency + bytes / bandwidth
    }
}

/// What one pattern is predicted to cost on a candidate layout, per read (expected over
/// the random positions).
public struct PatternPrediction: Sendable, Hashable {
    /// The pattern.
    public var pattern: BenchPattern
    /// Its weight in the workload.
    public var weight: Double
    /// Chunks touched.
    public var chunks: Double
    /// Bytes read from storage (stored bytes of the touched chunks, clipped to the array).
    public var bytesRead: Double
    /// Predicted seconds.
    public var seconds: Double
}

/// One chunk shape considered by `--suggest`, with its predicted costs.
public struct ChunkCandidate: Sendable, Hashable {
    /// The chunk shape.
    public var chunkShape: [Int]
    /// Where it came from: `time-series 4MiB`, `maps 1MiB`, `balanced 4MiB`, `grid`, `current`.
    public var origin: String
    /// Chunks (objects) in the whole array.
    public var objects: Int
    /// Bytes of one chunk decoded.
    public var chunkBytes: Int
    /// Predictions for the workload's patterns, in pattern order.
    public var predictions: [PatternPrediction]
    /// The workload's weighted predicted seconds per read.
    public var cost: Double
}

/// The question `--suggest` answers: an array, a workload, limits and a cost model.
public struct SuggestRequest: Sendable {
    /// The array's shape.
    public var shape: [Int]
    /// Dimension names.
    public var dimensions: [String]
    /// The element type.
    public var dataType: DataType
    /// Stored bytes per decoded byte (1 without a store to learn it from).
    public var storedFraction: Double = 1
    /// Weights of the patterns.
    public var workload = Workload.standard
    /// Series dimension, box and window, as for measuring.
    public var settings = BenchSettings()
    /// The largest chunk considered (decoded bytes); smaller sizes are tried down to 1/8.
    public var chunkBytes = ChunkPreset.defaultTargetBytes
    /// At most this many chunks in the array, if set.
    public var maxObjects: Int?
    /// The cost model.
    public var model = CostModel.standard
    /// The chunk shape the array has now, if it exists.
    public var currentChunks: [Int]?

    /// A request with default workload, limits and model.
    public init(shape: [Int], dimensions: [String], dataType: DataType) {
        self.shape = shape
        self.dimensions = dimensions
        self.dataType = dataType
    }
}

/// The ranked answer.
public struct Suggestion: Sendable {
    /// The request answered.
    public var request: SuggestRequest
    /// Candidates within the limits, best (lowest weighted cost) first.
    public var ranked: [ChunkCandidate]
    /// The current layout's prediction and its rank among ``ranked`` (1-based), if known.
    public var current: (candidate: ChunkCandidate, rank: Int)?
    /// Candidates left out by `--max-objects`.
    public var excluded: Int
}

/// Generates chunk-shape candidates for an array, predicts what each pattern costs on each
/// and ranks them by a workload's weighted cost. Pure: nothing is read or written.
public enum ChunkAdvisor {
    /// The sizes tried: the limit and its halves down to an eighth (at least one element).
    public static func sizes(limit: Int, itemSize: Int) -> [Int] {
        var result: [Int] = []
        for divisor in [1, 2, 4, 8] where !result.contains(max(itemSize, limit / divisor)) {
            result.append(max(itemSize, limit / divisor))
        }
        return result
    }

    /// Candidate chunk shapes with their origins, without duplicates: the planner's three
    /// presets at every size, then a grid between them: series lengths `1, 2, 4, …` and
    /// `⌈n/k⌉` for `k ≤ 8`, each with the largest square-ish tile of the other axes that fits
    /// each size.
    public static func candidates(shape: [Int], itemSize: Int, seriesAxis: Int, limit: Int) throws -> [(chunks: [Int], origin: String)] {
        guard !shape.isEmpty else { return [] }
        let names = shape.indices.map { $0 == seriesAxis ? "time" : "axis\($0)" }
        var seen = Set<[Int]>()
        var result: [(chunks: [Int], origin: String)] = []
        func add(_ chunks: [Int], _ origin: String) {
            let clipped = zip(chunks, shape).map { max(1, min($0.0, max($0.1, 1))) }
            if seen.insert(clipped).inserted { result.append((clipped, origin)) }
        }
        let sizes = sizes(limit: limit, itemSize: itemSize)
        for size in sizes {
            for preset in ChunkPreset.allCases {
                add(try RechunkPlanner.chunkPreset(shape: shape, itemSize: itemSize, dimensions: names,
                                                   preset: preset, targetBytes: size),
                    "\(preset.rawValue) \(ByteCount.format(size))")
            }
        }
        let n = max(shape[seriesAxis], 1)
        var lengths = Set<Int>([1, n])
        var power = 2
        while power < n { lengths.insert(power); power *= 2 }
        for k in 2...8 { lengths.insert(ShapeMath.ceilDiv(n, k)) }
        for length in lengths.sorted() {
            for size in sizes {
                var reduced = shape.map { max($0, 1) }
                reduced[seriesAxis] = length
                var chunks = try RechunkPlanner.chunkPreset(shape: reduced, itemSize: itemSize, dimensions: names,
                                                            preset: .timeSeries, targetBytes: size)
                chunks[seriesAxis] = length
                add(chunks, "grid")
            }
        }
        return result
    }

    /// Expected chunks touched and elements covered along one axis of length `n` with chunks
    /// of `c`, by a window of `w` starting uniformly at random in `0...n-w` (exact).
    public static func axisCost(length n: Int, chunk c: Int, window w: Int) -> (chunks: Double, covered: Double) {
        let n = max(n, 1), c = max(c, 1), w = min(max(w, 1), n)
        let positions = n - w + 1
        // Sample evenly when there are very many positions; the average is then approximate.
        let step = max(1, positions / 65_536)
        var chunks = 0.0, covered = 0.0, count = 0.0
        var s = 0
        while s < positions {
            let first = s / c, last = (s + w - 1) / c
            chunks += Double(last - first + 1)
            covered += Double(min((last + 1) * c, n) - first * c)
            count += 1
            s += step
        }
        return (chunks / count, covered / count)
    }

    /// The prediction of `pattern` on chunks `chunks`.
    public static func predict(_ pattern: BenchPattern, request: SuggestRequest, chunks: [Int], weight: Double) throws -> PatternPrediction {
        let layout = BenchLayout(shape: request.shape, dimensions: request.dimensions,
                                 itemSize: request.dataType.itemSize, chunkShape: chunks)
        let window = try layout.readShape(pattern, settings: request.settings)
        var touched = 1.0, covered = 1.0
        for d in request.shape.indices {
            let axis = axisCost(length: request.shape[d], chunk: layout.chunkShape[d], window: window[d])
            touched *= axis.chunks
            covered *= axis.covered
        }
        let bytes = covered * Double(request.dataType.itemSize) * request.storedFraction
        return PatternPrediction(pattern: pattern, weight: weight, chunks: touched, bytesRead: bytes,
                                 seconds: request.model.seconds(chunks: touched, bytes: bytes))
    }

    /// The candidate for `chunks`, with its predictions.
    public static func evaluate(_ chunks: [Int], origin: String, request: SuggestRequest) throws -> ChunkCandidate {
        let predictions = try request.workload.patterns.map {
            try predict($0, request: request, chunks: chunks, weight: request.workload.weight($0))
        }
        let objects = zip(request.shape, chunks).reduce(1) { $0 * ShapeMath.ceilDiv(max($1.0, 1), max($1.1, 1)) }
        return ChunkCandidate(chunkShape: chunks, origin: origin, objects: objects,
                              chunkBytes: ShapeMath.product(chunks) * request.dataType.itemSize,
                              predictions: predictions,
                              cost: predictions.reduce(0) { $0 + $1.weight * $1.seconds })
    }

    /// Ranks every candidate within the limits: lowest weighted cost first, then fewer
    /// objects, then the earlier candidate (presets before the grid).
    public static func suggest(_ request: SuggestRequest) throws -> Suggestion {
        guard !request.shape.isEmpty, !request.shape.contains(0) else {
            throw CubeError(.invalidArgument, "shape \(request.shape) has nothing to chunk")
        }
        let itemSize = request.dataType.itemSize
        guard itemSize > 0 else { throw CubeError(.invalidArgument, "data type \(request.dataType) has no fixed size") }
        let layout = BenchLayout(shape: request.shape, dimensions: request.dimensions, itemSize: itemSize, chunkShape: request.shape)
        let axis = try layout.seriesAxis(along: request.settings.along)
        var all: [(order: Int, candidate: ChunkCandidate)] = []
        for (order, item) in try candidates(shape: request.shape, itemSize: itemSize, seriesAxis: axis, limit: request.chunkBytes).enumerated() {
            all.append((order, try evaluate(item.chunks, origin: item.origin, request: request)))
        }
        let limit = request.maxObjects ?? Int.max
        let within = all.filter { $0.candidate.objects <= limit }
        guard !within.isEmpty else {
            let fewest = all.map { $0.candidate.objects }.min() ?? 0
            throw CubeError(.invalidArgument, "no candidate has at most \(request.maxObjects ?? 0) chunks; the fewest is \(fewest) with chunks of up to \(ByteCount.format(request.chunkBytes)): allow more chunks or larger ones")
        }
        let ranked = within.sorted { a, b in
            if a.candidate.cost != b.candidate.cost { return a.candidate.cost < b.candidate.cost }
            if a.candidate.objects != b.candidate.objects { return a.candidate.objects < b.candidate.objects }
            return a.order < b.order
        }.map { $0.candidate }
        var current: (ChunkCandidate, Int)?
        if let chunks = request.currentChunks, chunks.count == request.shape.count {
            let candidate = try evaluate(chunks, origin: "current", request: request)
            let rank = (ranked.firstIndex { $0.cost > candidate.cost } ?? ranked.count) + 1
            current = (candidate, rank)
        }
        return Suggestion(request: request, ranked: ranked, current: current, excluded: all.count - within.count)
    }
}
