import CubeCore

/// One way of reading an array that `cube-bench` measures and `--suggest` predicts.
public enum BenchPattern: String, CaseIterable, Sendable, Comparable {
    /// The full extent along the series dimension at one point of the others.
    case series
    /// Everything at one index of the series dimension.
    case slice
    /// A sub-region of the other dimensions over a window of the series dimension.
    case box
    /// The whole array once, object by object in storage order.
    case scan

    public static func < (a: BenchPattern, b: BenchPattern) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// Parses a comma-separated list such as `series,slice` (`all` for every pattern).
    public static func parseList(_ text: String) throws -> [BenchPattern] {
        if text.trimmingCharacters(in: " ") == "all" { return allCases }
        var result: [BenchPattern] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let name = item.trimmingCharacters(in: " ")
            guard let pattern = BenchPattern(rawValue: name) else {
                throw CubeError(.invalidArgument, "unknown pattern '\(name)': use series, slice, box or scan")
            }
            if !result.contains(pattern) { result.append(pattern) }
        }
        return result.sorted()
    }
}

extension StringProtocol {
    func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s.removeFirst() }
        while s.last == set { s.removeLast() }
        return String(s)
    }
}

/// What to measure: how many points, how often, which patterns and their sizes.
public struct BenchSettings: Sendable {
    /// Random points per pattern (series, slice, box); the scan has one.
    public var points = 20
    /// Timed repetitions per point.
    public var repeats = 1
    /// Seed of the points.
    public var seed: UInt64 = 0
    /// Threads fetching and decoding the chunks of one read at once (Zarr arrays; other
    /// sources read on one thread).
    public var jobs = 1
    /// Whether cached pages are dropped before every timed read.
    public var cold = true
    /// The series dimension by name (default: `time`, else the first).
    public var along: String?
    /// Box lengths by dimension name (`-1`: the full length); others default to ``defaultBox``.
    public var box: [String: Int] = [:]
    /// The series-dimension window of a box (default ``defaultWindow`` or the length).
    public var window: Int?
    /// The patterns measured, in order.
    public var patterns = BenchPattern.allCases

    /// Box length along dimensions the box spec does not name.
    public static let defaultBox = 10
    /// Box window along the series dimension when not given.
    public static let defaultWindow = 30

    /// The defaults.
    public init() {}

    /// Parses a box spec such as `lat=10,lon=10` (chunk-spec syntax: `-1` is the full length).
    public static func parseBox(_ text: String) throws -> [String: Int] {
        let request = try ChunkRequest(parsing: [text])
        guard request.byVariable.isEmpty else {
            throw CubeError(.invalidArgument, "box spec '\(text)' names a variable; write it like lat=10,lon=10")
        }
        return request.byDimension
    }
}

/// An array's geometry as the patterns see it: shape, names, element size, the unit that is
/// decoded (chunk, or inner chunk when sharded) and the unit that is stored (chunk or shard).
public struct BenchLayout: Sendable, Hashable {
    /// The array's shape.
    public var shape: [Int]
    /// One name per dimension.
    public var dimensions: [String]
    /// Bytes per element.
    public var itemSize: Int
    /// The decode unit (chunk, inner chunk of a shard); the whole shape when contiguous.
    public var chunkShape: [Int]
    /// The stored object (chunk, shard, or the whole variable in a file).
    public var objectShape: [Int]
    /// Whether the data is stored contiguously (one unchunked run, read by region).
    public var contiguous: Bool

    /// Creates a layout; `objectShape` defaults to `chunkShape`.
    public init(shape: [Int], dimensions: [String], itemSize: Int, chunkShape: [Int], objectShape: [Int]? = nil,
                contiguous: Bool = false) {
        self.shape = shape
        self.dimensions = dimensions
        self.itemSize = itemSize
        self.chunkShape = chunkShape.map { max(1, $0) }
        self.objectShape = (objectShape ?? chunkShape).map { max(1, $0) }
        self.contiguous = contiguous
    }

    /// The series axis: `along` by name, else the dimension named `time` (any case), else 0.
    /// A name that is not a dimension is an ``CubeError/Kind/invalidArgument``.
    public func seriesAxis(along: String?) throws -> Int {
        if let along {
            guard let axis = dimensions.firstIndex(of: along) else {
                throw CubeError(.invalidArgument, "no dimension named '\(along)' (dimensions: \(dimensions.joined(separator: ", ")))")
            }
            return axis
        }
        return RechunkPlanner.timeAxis(dimensions: dimensions)
    }

    /// The shape of one read of `pattern` (for the scan, the whole array).
    public func readShape(_ pattern: BenchPattern, settings: BenchSettings) throws -> [Int] {
        let axis = try seriesAxis(along: settings.along)
        return shape.indices.map { d in
            switch pattern {
            case .series: d == axis ? shape[d] : min(1, shape[d])
            case .slice: d == axis ? min(1, shape[d]) : shape[d]
            case .box: boxLength(d, axis: axis, settings: settings)
            case .scan: shape[d]
            }
        }
    }

    private func boxLength(_ d: Int, axis: Int, settings: BenchSettings) -> Int {
        let asked = settings.box[dimensions[d]]
        let length: Int
        if d == axis {
            length = settings.window ?? asked ?? BenchSettings.defaultWindow
        } else {
            length = asked ?? BenchSettings.defaultBox
        }
        return length == -1 ? shape[d] : min(max(length, 1), shape[d])
    }

    /// The timed reads of `pattern`: one region each for series, slice and box (at
    /// `settings.points` random positions drawn from `seed`), and for the scan one read made
    /// of every stored object's region in C order of the object grid.
    ///
    /// Positions depend only on the seed, the pattern and the shape, so two stores of the
    /// same array are read at the same points.
    public func reads(_ pattern: BenchPattern, settings: BenchSettings) throws -> [[Region]] {
        guard !shape.isEmpty, !shape.contains(0) else { return [] }
        let size = try readShape(pattern, settings: settings)
        if pattern == .scan {
            let grid = try ChunkGrid(shape: shape, chunkShape: scanUnit)
            var regions: [Region] = []
            grid.forEachChunkCoordinate { regions.append(grid.region(ofChunk: $0)) }
            return [regions]
        }
        var random = SplitMix64.stream(pattern.rawValue, seed: settings.seed)
        return (0..<settings.points).map { _ in
            let start = shape.indices.map { d in random.index(below: shape[d] - size[d] + 1) }
            return [Region(start: start, count: size)]
        }
    }

    /// What the scan reads at a time: one stored object, or for contiguous storage slabs
    /// along the first axis of at most 16 MiB.
    var scanUnit: [Int] {
        guard contiguous, shape.count > 0 else { return objectShape }
        let limit = 16 << 20
        let rowBytes = max(1, ShapeMath.product(Array(shape.dropFirst())) * max(itemSize, 1))
        var unit = shape
        unit[0] = max(1, min(shape[0], limit / rowBytes))
        return unit
    }

    /// Decode units that intersect `region`.
    public func chunks(in region: Region) -> Int {
        units(in: region, of: chunkShape)
    }

    /// Stored objects that intersect `region`.
    public func objects(in region: Region) -> Int {
        units(in: region, of: objectShape)
    }

    private func units(in region: Region, of unit: [Int]) -> Int {
        if region.count.contains(0) { return 0 }
        var total = 1
        for d in region.start.indices {
            let first = region.start[d] / unit[d]
            let last = (region.start[d] + region.count[d] - 1) / unit[d]
            total *= last - first + 1
        }
        return total
    }

    /// Decode units in the whole array.
    public var chunkCount: Int { zip(shape, chunkShape).reduce(1) { $0 * ShapeMath.ceilDiv($1.0, $1.1) } }

    /// Bytes of the whole array decoded.
    public var decodedBytes: Int { ShapeMath.product(shape) * itemSize }
}
