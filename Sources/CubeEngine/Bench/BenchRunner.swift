import CubeCore
import Foundation

/// The measurements of one pattern on one array.
public struct BenchMeasurement: Sendable {
    /// The pattern.
    public var pattern: BenchPattern
    /// The series dimension.
    public var dimension: String
    /// The shape of one read (the whole array for the scan).
    public var readShape: [Int]
    /// Seconds of every timed read (points × repetitions).
    public var seconds: [Double]
    /// The regions of each point's read, in the order timed: ``seconds`` holds each point's
    /// repetitions in turn.
    public var points: [[Region]]
    /// Array bytes returned, summed over the reads.
    public var bytesReturned: Int
    /// Decode units the reads covered, summed.
    public var chunks: Int
    /// Stored objects the reads fetched from (measured for Zarr, from the grid otherwise), summed.
    public var objects: Int
    /// Requests to the store that returned data (Zarr only), summed.
    public var requests: Int?
    /// Bytes read from storage, summed: counted for Zarr, estimated otherwise (nil if unknown).
    public var bytesRead: Int?
    /// Whether ``bytesRead`` was counted (true) or estimated from the average stored chunk.
    public var bytesReadMeasured: Bool

    /// Number of timed reads.
    public var reads: Int { seconds.count }

    /// The median read time.
    public var median: Double { Self.percentile(seconds, 0.5) }

    /// The 95th-percentile read time (nearest rank).
    public var p95: Double { Self.percentile(seconds, 0.95) }

    /// Megabytes (10⁶ bytes) of array data returned per second over all reads.
    public var megabytesPerSecond: Double {
        let total = seconds.reduce(0, +)
        return total > 0 ? Double(bytesReturned) / total / 1e6 : 0
    }

    /// A per-read average.
    public func perRead(_ total: Int) -> Double { reads > 0 ? Double(total) / Double(reads) : 0 }

    /// The median for `fraction` 0.5 (mean of the middle two when even), else the nearest rank.
    public static func percentile(_ values: [Double], _ fraction: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        if fraction == 0.5 {
            let mid = sorted.count / 2
            return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
        }
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}

/// What was measured on one array of one input.
public struct BenchArrayResult: Sendable {
    /// The array.
    public var array: BenchArray
    /// One entry per pattern, in pattern order.
    public var measurements: [BenchMeasurement]

    /// Wraps the measurements of one array.
    public init(array: BenchArray, measurements: [BenchMeasurement]) {
        self.array = array
        self.measurements = measurements
    }
}

/// Times the access patterns on arrays, cold (cached pages dropped before each read) or warm.
public enum BenchRunner {
    /// Measures every pattern of `settings` on `array`; `dropper` drops the pages of the
    /// input's files before each timed read when reads are cold. `progress` hears each pattern.
    public static func run(_ array: BenchArray, settings: BenchSettings, dropper: PageCacheDropper?,
                           progress: (@Sendable (String) -> Void)? = nil) throws -> [BenchMeasurement] {
        let axis = try array.layout.seriesAxis(along: settings.along)
        var results: [BenchMeasurement] = []
        for pattern in settings.patterns {
            progress?("\(array.path): \(pattern.rawValue)")
            let reads = try array.layout.reads(pattern, settings: settings)
            results.append(try measure(pattern, reads: reads, array: array, settings: settings, dropper: dropper,
                                       dimension: array.layout.dimensions[axis],
                                       readShape: try array.layout.readShape(pattern, settings: settings)))
        }
        return results
    }

    private static func measure(_ pattern: BenchPattern, reads: [[Region]], array: BenchArray, settings: BenchSettings,
                                dropper: PageCacheDropper?, dimension: String, readShape: [Int]) throws -> BenchMeasurement {
        let layout = array.layout
        if !settings.cold {
            // One untimed pass, so the timed ones find the pages cached.
            let opened = try array.open()
            for read in reads { for region in read { _ = try opened.source.read(region, concurrency: settings.jobs) } }
        }
        var result = BenchMeasurement(pattern: pattern, dimension: dimension, readShape: readShape, seconds: [], points: reads,
                                      bytesReturned: 0, chunks: 0, objects: 0, requests: nil, bytesRead: nil,
                                      bytesReadMeasured: false)
        let clock = ContinuousClock()
        for read in reads {
            let chunks = read.reduce(0) { $0 + layout.chunks(in: $1) }
            let gridObjects = read.reduce(0) { $0 + layout.objects(in: $1) }
            let returned = read.reduce(0) { $0 + $1.elementCount * layout.itemSize }
            for _ in 0..<settings.repeats {
                if settings.cold { dropper?.drop() }
                let opened = try array.open()
                let start = clock.now
                for region in read { _ = try opened.source.read(region, concurrency: settings.jobs) }
                let elapsed = clock.now - start
                result.seconds.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
                result.bytesReturned += returned
                result.chunks += chunks
                if let counter = opened.counter {
                    let counts = counter.snapshot
                    result.objects += counts.objects
                    result.requests = (result.requests ?? 0) + counts.requests
                    result.bytesRead = (result.bytesRead ?? 0) + counts.bytes
                    result.bytesReadMeasured = true
                } else {
                    result.objects += gridObjects
                    // Contiguous data is read as the region's runs; chunks whole, at their average stored size.
                    if let estimate = array.chunked ? array.estimatedBytes(chunks: chunks) : returned {
                        result.bytesRead = (result.bytesRead ?? 0) + estimate
                    }
                }
            }
        }
        return result
    }
}
