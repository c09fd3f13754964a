import ArgumentParser
import CubeCore
import CubeEngine
import Foundation

/// `cube-bench`: measure access patterns on real stores, and choose chunk shapes from them.
public struct BenchCommand: CubeCommand {
    public static let configuration = CommandConfiguration(
        commandName: "cube-bench",
        abstract: "Measure access patterns on Zarr stores and NetCDF/HDF5 files, and suggest chunk shapes for a workload.",
        discussion: """
        cube-bench times how long typical reads take on each array of every STORE given, so \
        that chunk layouts can be compared on real data. A STORE is a Zarr v2 or v3 directory \
        store, in which every array of two or more dimensions is measured, or a NetCDF or \
        HDF5 file, whose variables are measured the same way. Name one array with --array, \
        or by appending its path: era.zarr/t2m, model.nc/t2m.

        PATTERNS
        series: the full extent along the series dimension (--along; default the dimension \
        named time, else the first) at --points random points of the other dimensions. \
        slice: everything at --points random indices of the series dimension. box: a block \
        of --box lengths (default 10 along every other dimension) over a --window of the \
        series dimension (default 30), at --points random places. scan: the whole array \
        once, object by object in storage order. Points come from a small deterministic \
        generator (SplitMix64) seeded by --seed, so runs, machines and stores of the same \
        shape are read at the same places.

        MEASURES
        Per pattern and store: the median and 95th-percentile latency of one read, MB/s of \
        array data returned (10^6 bytes per second over all reads), chunks decoded per read \
        (inner chunks for sharded arrays, with the shards touched beside them) and bytes \
        read from storage per read. For Zarr the bytes and objects are counted as they are \
        fetched; for NetCDF/HDF5 chunks come from the chunk grid and bytes are estimated \
        from the stored size (marked ~). With several stores, each pattern also gets the \
        ratio of every store's median latency to the first store's.

        COLD AND WARM READS
        By default every timed read is cold: the cached pages of every file of the store \
        (or of the NetCDF/HDF5 file) are dropped first with posix_fadvise(POSIX_FADV_DONTNEED), \
        which needs no privileges, and each read opens the array afresh (cube keeps no \
        decoded chunks). --warm skips the dropping and makes one untimed pass first. \
        --repeat times each point several times.

        SUGGESTING CHUNKS
        --suggest ranks chunk shapes for a workload instead of measuring: the array's \
        shape and data type come from the first STORE (all its arrays, or the one named), \
        or from --shape, --dtype and --dims without a store. Candidates are cube-rechunk's \
        presets (time-series, maps, balanced) at --chunk-size and at a half, a quarter and \
        an eighth of it, and a grid between them: series lengths 1, 2, 4, ... and the whole \
        axis divided by 2 to 8, each with the largest square-ish tile of the other \
        dimensions that fits each size. Candidates with more than --max-objects chunks are \
        left out. For every candidate and pattern of the --workload, the expected chunks \
        touched and bytes read per read are computed exactly over all positions (bytes \
        scaled by the store's stored/decoded ratio, 1 without a store), and the candidates \
        are ranked by the weighted predicted time per read, lowest first.

        COST MODEL
        predicted seconds per read = chunks touched * latency + bytes read / bandwidth, \
        with latency --latency (default 1 ms per chunk: opening and fetching one object and \
        starting its decode on a local disk, cold) and bandwidth --bandwidth (default \
        200MB, per second, read and decoded). Object stores have latencies of 10 to 100 ms: \
        raise --latency to rank for them. The workload weights (default series=1,slice=1) \
        are normalized to sum to 1. Nothing is written unless --trial: then a sample of \
        the array (its leading corner of up to --sample-size, default 64MiB, every axis \
        shrunk alike; synthetic data of the shape and type without a store) is written \
        with cube's Zarr writer in the top 3 candidates under --temp, the workload's \
        patterns are measured on each as above, and the stores are deleted.

        JSON OUTPUT
        Measurements (--json): one object with schema (1), kind ("bench"), settings \
        {points, repeat, seed, jobs, cold, cold_supported, along, window, box, patterns}, stores \
        [{index, argument, location, kind (zarr|netcdf|hdf5), format}], arrays [{store, \
        path, dimensions, shape, data_type, chunk_shape, shard_shape, stored_bytes, codecs, \
        patterns [{pattern, dimension, read_shape, reads, median_seconds, p95_seconds, \
        mean_seconds, mb_per_second, bytes_per_read, chunks_per_read, objects_per_read, \
        requests_per_read, bytes_read_per_read, bytes_read_measured, seconds, points}]}] \
        and comparisons [{path, pattern, store, baseline, median_ratio}]; points lists the \
        regions [{start, count}] of each point's read, and seconds each point's --repeat \
        timings in turn. With --suggest: \
        schema (1), kind ("suggest"), settings, arrays [{source, path, dimensions, shape, \
        data_type, stored_fraction, workload, cost_model {latency_seconds, \
        bandwidth_bytes_per_second}, limits {chunk_bytes, max_objects}, \
        candidates_considered, excluded, candidates [{rank, chunk_shape, chunk_bytes, \
        objects, origin, cost_seconds, predicted [{pattern, weight, chunks, bytes_read, \
        seconds}]}], current, trial {sample_shape, sample_bytes, data, candidates [{rank, \
        chunk_shape, sample_chunk_shape, stored_bytes, measured_cost_seconds, \
        patterns}]}}]. Keys are only ever added, never renamed, within a schema version. \
        --csv prints one row per store, array and pattern, with a header line.

        EXIT STATUS
        0 on success, 1 on a runtime error (a store or file that cannot be read, I/O), \
        64 on a usage error (bad option, unknown array, pattern or dimension).

        EXAMPLES
          cube-bench era5.zarr
          cube-bench era5.zarr/t2m era5-series.zarr/t2m --points 50 --repeat 3
          cube-bench era5_2000.nc era5.zarr --array t2m --patterns series,slice --json
          cube-bench era5.zarr --suggest --workload series=0.8,slice=0.2 --max-objects 100000
          cube-bench --suggest --shape 2920,181,360 --dtype float32 --dims time,lat,lon --trial
        """,
        version: "cube-bench \(cubeVersion)")

    @Argument(help: ArgumentHelp("Zarr stores (STORE/ARRAY for one array) or NetCDF/HDF5 files (FILE/VARIABLE).", valueName: "store"),
              completion: .file())
    var stores: [String] = []

    @Option(help: ArgumentHelp("Only this array or variable (its path in the store or file).", valueName: "name"))
    var array: String?

    @Option(help: ArgumentHelp("The series dimension (default: time, else the first).", valueName: "dim"))
    var along: String?

    @Option(help: ArgumentHelp("Random points per pattern.", valueName: "n"))
    var points = 20

    @Option(help: ArgumentHelp("Box lengths by dimension, such as lat=10,lon=10 (-1: the full length); default 10.", valueName: "spec"))
    var box: String?

    @Option(help: ArgumentHelp("Length of the box along the series dimension (default 30, or the length).", valueName: "n"))
    var window: Int?

    @Option(help: ArgumentHelp("Patterns to measure: series, slice, box, scan, comma-separated, or all.", valueName: "list"),
            completion: .list(["all", "series", "slice", "box", "scan"]))
    var patterns = "all"

    @Option(name: .customLong("repeat"), help: ArgumentHelp("Timed repetitions per point.", valueName: "n"))
    var repetitions = 1

    @Option(help: ArgumentHelp("Seed of the random points.", valueName: "n"))
    var seed: UInt64 = 0

    @Option(name: [.short, .long], help: ArgumentHelp("""
        Threads fetching and decoding the chunks of one read at once, as parallel clients do \
        (default: all cores; 1 reads them one after another).
        """, valueName: "n"))
    var jobs: Int?

    @Flag(help: "Keep cached pages and make one untimed pass first (default: cold reads).")
    var warm = false

    @Flag(help: "Print the results as JSON.")
    var json = false

    @Flag(help: "Print the measurements as CSV.")
    var csv = false

    @Flag(name: [.short, .long], help: "No progress line on a terminal.")
    var quiet = false

    @Flag(help: "Rank chunk shapes for --workload instead of measuring.")
    var suggest = false

    @Option(help: ArgumentHelp("With --suggest and no store: the array's shape, such as 2920,181,360.", valueName: "lengths"))
    var shape: String?

    @Option(help: ArgumentHelp("With --suggest and no store: the data type (float32, int16, ...).", valueName: "type"))
    var dtype: String?

    @Option(help: ArgumentHelp("With --suggest and no store: dimension names, such as time,lat,lon.", valueName: "names"))
    var dims: String?

    @Option(help: ArgumentHelp("Pattern weights for --suggest, such as series=0.8,slice=0.2 (default series=1,slice=1).", valueName: "weights"))
    var workload: String?

    @Option(name: .customLong("chunk-size"), help: ArgumentHelp("Largest chunk --suggest considers (default 4MiB).", valueName: "size"),
            transform: RunOptions.parseSize)
    var chunkSize: ByteCount?

    @Option(name: .customLong("max-objects"), help: ArgumentHelp("With --suggest: at most this many chunks in the array.", valueName: "n"))
    var maxObjects: Int?

    @Option(help: ArgumentHelp("With --suggest: how many candidates to print (default 10).", valueName: "n"))
    var top: Int?

    @Option(help: ArgumentHelp("With --suggest: predicted latency per chunk in milliseconds (default 1).", valueName: "ms"))
    var latency: Double?

    @Option(help: ArgumentHelp("With --suggest: predicted bytes read and decoded per second (default 200MB).", valueName: "size"),
            transform: RunOptions.parseSize)
    var bandwidth: ByteCount?

    @Flag(help: "With --suggest: write a sample in the top 3 candidates, measure them, and delete them.")
    var trial = false

    @Option(name: .customLong("sample-size"), help: ArgumentHelp("With --trial: the most array data written per candidate (default 64MiB).", valueName: "size"),
            transform: RunOptions.parseSize)
    var sampleSize: ByteCount?

    @Option(help: ArgumentHelp("With --trial: directory for the trial stores (default: the system's temporary directory).", valueName: "dir"),
            completion: .directory)
    var temp: String?

    public init() {}

    public func validate() throws {
        if points < 1 { throw ValidationError("--points must be at least 1.") }
        if repetitions < 1 { throw ValidationError("--repeat must be at least 1.") }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1.") }
        if let window, window < 1 { throw ValidationError("--window must be at least 1.") }
        if json && csv { throw ValidationError("Choose one of --json and --csv.") }
        do {
            _ = try BenchPattern.parseList(patterns)
            if let box { _ = try BenchSettings.parseBox(box) }
            if let workload { _ = try Workload(parsing: workload) }
            if shape != nil || dtype != nil || dims != nil { _ = try arrayDescription() }
        } catch let error as CubeError {
            throw ValidationError(error.message)
        }
        let suggestOnly: [(Bool, String)] = [
            (workload != nil, "--workload"), (chunkSize != nil, "--chunk-size"), (maxObjects != nil, "--max-objects"),
            (top != nil, "--top"), (latency != nil, "--latency"), (bandwidth != nil, "--bandwidth"), (trial, "--trial"),
            (shape != nil, "--shape"), (dtype != nil, "--dtype"), (dims != nil, "--dims"),
        ]
        if !suggest, let (_, name) = suggestOnly.first(where: { $0.0 }) {
            throw ValidationError("\(name) goes with --suggest.")
        }
        if (sampleSize != nil || temp != nil) && !trial { throw ValidationError("--sample-size and --temp go with --trial.") }
        if suggest {
            if csv { throw ValidationError("--suggest prints text or --json, not --csv.") }
            if stores.count > 1 { throw ValidationError("--suggest takes one store (or none, with --shape and --dtype).") }
            if stores.isEmpty && (shape == nil || dtype == nil) {
                throw ValidationError("--suggest needs a store, or --shape and --dtype.")
            }
            if !stores.isEmpty && (shape != nil || dtype != nil || dims != nil) {
                throw ValidationError("--shape, --dtype and --dims describe an array without a store: give one or the other.")
            }
            if let maxObjects, maxObjects < 1 { throw ValidationError("--max-objects must be at least 1.") }
            if let top, top < 1 { throw ValidationError("--top must be at least 1.") }
            if let latency, !(latency >= 0 && latency.isFinite) { throw ValidationError("--latency must be a number of milliseconds, 0 or more.") }
            if let bandwidth, bandwidth.bytes < 1 { throw ValidationError("--bandwidth must be positive.") }
            if let chunkSize, chunkSize.bytes < 1 { throw ValidationError("--chunk-size must be positive.") }
            if let sampleSize, sampleSize.bytes < 1 { throw ValidationError("--sample-size must be positive.") }
        } else if stores.isEmpty {
            throw ValidationError("Give a store or file to measure, or --suggest with --shape and --dtype.")
        }
    }

    /// The array of `--shape`, `--dtype` and `--dims`.
    private func arrayDescription() throws -> (shape: [Int], dataType: DataType, dimensions: [String]) {
        guard let shape, let dtype else {
            throw CubeError(.invalidArgument, "--shape and --dtype go together")
        }
        let lengths = shape.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !lengths.isEmpty, lengths.allSatisfy({ ($0 ?? 0) >= 1 }) else {
            throw CubeError(.invalidArgument, "--shape '\(shape)' must be positive lengths separated by commas, such as 2920,181,360")
        }
        guard let type = DataType.numericTypes.first(where: { $0.description == dtype.lowercased() }) else {
            throw CubeError(.invalidArgument, "--dtype '\(dtype)' is not one of \(DataType.numericTypes.map(\.description).joined(separator: ", "))")
        }
        var names = lengths.indices.map { "dim_\($0)" }
        if let dims {
            names = dims.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard names.count == lengths.count, !names.contains(""), Set(names).count == names.count else {
                throw CubeError(.invalidArgument, "--dims '\(dims)' must name each of the \(lengths.count) dimensions of --shape once")
            }
        }
        return (lengths.map { $0! }, type, names)
    }

    private func settings() throws -> BenchSettings {
        var settings = BenchSettings()
        settings.points = points
        settings.repeats = repetitions
        settings.seed = seed
        settings.jobs = jobs ?? ProcessInfo.processInfo.activeProcessorCount
        settings.cold = !warm
        settings.along = along
        settings.window = window
        settings.box = try box.map(BenchSettings.parseBox) ?? [:]
        settings.patterns = try BenchPattern.parseList(patterns)
        return settings
    }

    public func execute() throws -> Int32 {
        let settings = try settings()
        let status = StatusLine.make(quiet: quiet)
        defer { status?.clear() }
        if suggest { return try executeSuggest(settings, status: status) }

        let inputs = try stores.map { try BenchInput.open($0, array: array) }
        try checkNames(inputs.flatMap(\.arrays).map(\.layout.dimensions), settings: settings)
        var results: [BenchInputResult] = []
        for (index, input) in inputs.enumerated() {
            let dropper = settings.cold ? try PageCacheDropper(path: input.location) : nil
            var arrays: [BenchArrayResult] = []
            for array in input.arrays where along.map(array.layout.dimensions.contains) ?? true {
                let measurements = try BenchRunner.run(array, settings: settings, dropper: dropper) { what in
                    status?.show("[\(index + 1)/\(inputs.count)] \(what)")
                }
                arrays.append(BenchArrayResult(array: array, measurements: measurements))
            }
            results.append(BenchInputResult(input: input, arrays: arrays))
        }
        status?.clear()
        let report = BenchReport(settings: settings, results: results)
        Terminal.print(json ? report.json().serialized(.init(indent: 2)) : csv ? report.csv() : report.text())
        return CubeExit.success
    }

    /// `--along` and the box must name dimensions that exist, or they are typos.
    private func checkNames(_ dimensions: [[String]], settings: BenchSettings) throws {
        guard !dimensions.isEmpty else {
            throw CubeError(.invalidInput, "no array of two or more dimensions to measure: name one with --array or STORE/ARRAY",
                            context: stores.joined(separator: ", "))
        }
        let names = Set(dimensions.joined())
        if let along, !names.contains(along) {
            throw CubeError(.invalidArgument, "no array has a dimension named '\(along)'", context: stores.joined(separator: ", "))
        }
        if let unknown = settings.box.keys.sorted().first(where: { !names.contains($0) }) {
            throw CubeError(.invalidArgument, "--box names '\(unknown)', which no array has as a dimension (dimensions: \(names.sorted().joined(separator: ", ")))")
        }
    }

    private func executeSuggest(_ settings: BenchSettings, status: StatusLine?) throws -> Int32 {
        var questions: [(source: String?, array: BenchArray?, request: SuggestRequest)] = []
        if let store = stores.first {
            let input = try BenchInput.open(store, array: array)
            try checkNames(input.arrays.map(\.layout.dimensions), settings: settings)
            for array in input.arrays where along.map(array.layout.dimensions.contains) ?? true {
                var request = SuggestRequest(shape: array.layout.shape, dimensions: array.layout.dimensions, dataType: array.dataType)
                request.storedFraction = array.storedFraction
                if array.chunked { request.currentChunks = array.layout.chunkShape }
                questions.append((store, array, request))
            }
        } else {
            let described = try arrayDescription()
            let request = SuggestRequest(shape: described.shape, dimensions: described.dimensions, dataType: described.dataType)
            try checkNames([described.dimensions], settings: settings)
            questions.append((nil, nil, request))
        }
        var entries: [SuggestEntry] = []
        for var question in questions {
            question.request.settings = settings
            if let workload { question.request.workload = try Workload(parsing: workload) }
            if let chunkSize { question.request.chunkBytes = chunkSize.bytes }
            question.request.maxObjects = maxObjects
            question.request.model = CostModel(latency: (latency ?? CostModel.standard.latency * 1e3) / 1e3,
                                               bandwidth: bandwidth.map { Double($0.bytes) } ?? CostModel.standard.bandwidth)
            let suggestion = try ChunkAdvisor.suggest(question.request)
            var trialResult: TrialResult?
            if trial {
                trialResult = try ChunkTrial.run(suggestion, source: question.array, settings: settings,
                                                 sampleLimit: sampleSize?.bytes ?? ChunkTrial.defaultSampleBytes,
                                                 temporaryDirectory: temp, inputs: question.source.map { [$0] } ?? []) {
                    status?.show("trial: \($0)")
                }
            }
            entries.append(SuggestEntry(source: question.source, path: question.array?.path, suggestion: suggestion, trial: trialResult))
        }
        status?.clear()
        let report = SuggestReport(settings: settings, entries: entries, top: top ?? 10)
        Terminal.print(json ? report.json().serialized(.init(indent: 2)) : report.text())
        return CubeExit.success
    }
}

/// One line of status on standard error, rewritten in place, only on a terminal.
final class StatusLine: @unchecked Sendable {
    private let lock = NSLock()
    private var shown = false

    /// A status line when standard error is a terminal and not `quiet`, else `nil`.
    static func make(quiet: Bool) -> StatusLine? {
        guard !quiet, isatty(STDERR_FILENO) == 1, Terminal.capture == nil else { return nil }
        return StatusLine()
    }

    func show(_ text: String) {
        lock.withLock {
            let line = String(("cube-bench: " + text).prefix(100))
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
            shown = true
        }
    }

    func clear() {
        lock.withLock {
            if shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            shown = false
        }
    }
}
