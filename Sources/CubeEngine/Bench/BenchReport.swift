import CubeCore
import Foundation

/// What was measured on one input.
public struct BenchInputResult: Sendable {
    /// The input.
    public var input: BenchInput
    /// One result per measured array.
    public var arrays: [BenchArrayResult]

    /// Wraps the results of one input.
    public init(input: BenchInput, arrays: [BenchArrayResult]) {
        self.input = input
        self.arrays = arrays
    }
}

/// The measurements of `cube-bench` on every input, as a terminal table, JSON or CSV.
public struct BenchReport: Sendable {
    /// How the reads were made.
    public var settings: BenchSettings
    /// One entry per input, in argument order (numbered from 1 in the output).
    public var results: [BenchInputResult]

    /// Wraps measurements.
    public init(settings: BenchSettings, results: [BenchInputResult]) {
        self.settings = settings
        self.results = results
    }

    /// Arrays in order of first appearance, each with the inputs (0-based) that have it: the
    /// same path and shape in several inputs is one array in several layouts, compared.
    var groups: [(path: String, columns: [(input: Int, result: BenchArrayResult)])] {
        var order: [String] = []
        var paths: [String: String] = [:]
        var columns: [String: [(Int, BenchArrayResult)]] = [:]
        for (index, entry) in results.enumerated() {
            for array in entry.arrays {
                let key = array.array.path + "|" + array.array.layout.shape.map(String.init).joined(separator: ",")
                if columns[key] == nil { order.append(key) }
                paths[key] = array.array.path
                columns[key, default: []].append((index, array))
            }
        }
        return order.map { (paths[$0] ?? "", columns[$0] ?? []) }
    }

    /// Median latency of `result` over the first column's, for `pattern`.
    static func ratio(_ pattern: BenchPattern, _ result: BenchArrayResult, baseline: BenchArrayResult) -> Double? {
        guard let a = result.measurements.first(where: { $0.pattern == pattern }),
              let b = baseline.measurements.first(where: { $0.pattern == pattern }), b.median > 0 else { return nil }
        return a.median / b.median
    }

    // MARK: JSON

    /// The report as JSON, schema 1 (documented in cube-bench's man page).
    public func json() -> JSON {
        let stores: [JSON] = results.enumerated().map { index, entry in
            ["index": JSON(index + 1), "argument": .string(entry.input.argument), "location": .string(entry.input.location),
             "kind": .string(entry.input.kind.rawValue), "format": .string(entry.input.format)]
        }
        var arrays: [JSON] = []
        for (index, entry) in results.enumerated() {
            for result in entry.arrays {
                arrays.append(Self.arrayJSON(result, store: index + 1))
            }
        }
        var comparisons: [JSON] = []
        for group in groups where group.columns.count > 1 {
            let baseline = group.columns[0]
            for column in group.columns.dropFirst() {
                for pattern in settings.patterns {
                    guard let ratio = Self.ratio(pattern, column.result, baseline: baseline.result) else { continue }
                    comparisons.append(["path": .string(group.path), "pattern": .string(pattern.rawValue),
                                        "store": JSON(column.input + 1), "baseline": JSON(baseline.input + 1),
                                        "median_ratio": Self.number(ratio, places: 4)])
                }
            }
        }
        return ["schema": 1, "kind": "bench", "settings": settingsJSON, "stores": .array(stores),
                "arrays": .array(arrays), "comparisons": .array(comparisons)]
    }

    var settingsJSON: JSON {
        Self.settingsJSON(settings)
    }

    static func settingsJSON(_ settings: BenchSettings) -> JSON {
        ["points": JSON(settings.points), "repeat": JSON(settings.repeats), "seed": .uint(settings.seed), "jobs": JSON(settings.jobs),
         "cold": .bool(settings.cold), "cold_supported": .bool(PageCacheDropper.isSupported),
         "along": settings.along.map(JSON.string) ?? .null, "window": settings.window.map { JSON($0) } ?? .null,
         "box": .object(settings.box.sorted { $0.key < $1.key }.map { ($0.key, JSON($0.value)) }),
         "patterns": .array(settings.patterns.map { .string($0.rawValue) })]
    }

    static func arrayJSON(_ result: BenchArrayResult, store: Int) -> JSON {
        let a = result.array
        return ["store": JSON(store), "path": .string(a.path), "dimensions": .array(a.layout.dimensions.map(JSON.string)),
                "shape": JSON(a.layout.shape), "data_type": .string(a.dataType.description),
                "chunk_shape": a.chunked ? JSON(a.layout.chunkShape) : .null,
                "shard_shape": a.shardShape.map { JSON($0) } ?? .null,
                "stored_bytes": a.storedBytes.map { JSON($0) } ?? .null,
                "codecs": .array(a.codecs.map(JSON.string)),
                "patterns": .array(result.measurements.map(measurementJSON))]
    }

    static func measurementJSON(_ m: BenchMeasurement) -> JSON {
        ["pattern": .string(m.pattern.rawValue), "dimension": .string(m.dimension), "read_shape": JSON(m.readShape),
         "reads": JSON(m.reads), "median_seconds": number(m.median, places: 9), "p95_seconds": number(m.p95, places: 9),
         "mean_seconds": number(m.perReadSeconds, places: 9), "mb_per_second": number(m.megabytesPerSecond, places: 3),
         "bytes_per_read": number(m.perRead(m.bytesReturned), places: 3),
         "chunks_per_read": number(m.perRead(m.chunks), places: 3),
         "objects_per_read": number(m.perRead(m.objects), places: 3),
         "requests_per_read": m.requests.map { number(m.perRead($0), places: 3) } ?? .null,
         "bytes_read_per_read": m.bytesRead.map { number(m.perRead($0), places: 3) } ?? .null,
         "bytes_read_measured": .bool(m.bytesReadMeasured),
         "seconds": .array(m.seconds.map { number($0, places: 9) }),
         "points": .array(m.points.map { read in
             .array(read.map { ["start": JSON($0.start), "count": JSON($0.count)] })
         })]
    }

    /// An integer when the value is one, else a double rounded to `places` decimals.
    static func number(_ value: Double, places: Int) -> JSON {
        guard value.isFinite else { return .null }
        if value == value.rounded(), abs(value) < 9e15 { return JSON(Int(value)) }
        let scale = Foundation.pow(10.0, Double(places))
        return .double((value * scale).rounded() / scale)
    }

    // MARK: CSV

    /// The CSV header.
    public static let csvHeader = "store_index,store,array,pattern,dimension,read_shape,reads,median_seconds,p95_seconds,mb_per_second,chunks_per_read,objects_per_read,requests_per_read,bytes_read_per_read,bytes_read_measured,median_ratio"

    /// The report as CSV: a header, then one row per store, array and pattern.
    public func csv() -> String {
        var lines = [Self.csvHeader]
        let ratios = Dictionary(groups.flatMap { group in
            group.columns.dropFirst().flatMap { column in
                settings.patterns.compactMap { pattern in
                    Self.ratio(pattern, column.result, baseline: group.columns[0].result)
                        .map { ("\(column.input)|\(Self.key(column.result.array))|\(pattern.rawValue)", $0) }
                }
            }
        }, uniquingKeysWith: { a, _ in a })
        for (index, entry) in results.enumerated() {
            for result in entry.arrays {
                for m in result.measurements {
                    let ratio = ratios["\(index)|\(Self.key(result.array))|\(m.pattern.rawValue)"]
                    let fields: [String] = [
                        String(index + 1), entry.input.argument, result.array.path, m.pattern.rawValue, m.dimension,
                        m.readShape.map(String.init).joined(separator: "x"), String(m.reads),
                        Self.csvNumber(m.median), Self.csvNumber(m.p95), Self.csvNumber(m.megabytesPerSecond),
                        Self.csvNumber(m.perRead(m.chunks)), Self.csvNumber(m.perRead(m.objects)),
                        m.requests.map { Self.csvNumber(m.perRead($0)) } ?? "",
                        m.bytesRead.map { Self.csvNumber(m.perRead($0)) } ?? "",
                        m.bytesReadMeasured ? "true" : "false", ratio.map(Self.csvNumber) ?? "",
                    ]
                    lines.append(fields.map(Self.csvField).joined(separator: ","))
                }
            }
        }
        return lines.joined(separator: "\n")
    }

    static func key(_ array: BenchArray) -> String {
        array.path + "|" + array.layout.shape.map(String.init).joined(separator: ",")
    }

    static func csvNumber(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 9e15 { return String(Int(value)) }
        return String(format: "%.9g", value)
    }

    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    // MARK: Text

    /// The report as a table per array: one row per pattern, one column group per input,
    /// then the median-latency ratios of each input to the first.
    public func text() -> String {
        var lines: [String] = []
        let mode = settings.cold ? (PageCacheDropper.isSupported ? "cold reads (page cache dropped before each)" : "cold reads asked for, but this system cannot drop cached pages")
            : "warm reads (one untimed pass first)"
        lines.append("cube-bench: \(settings.points) point\(settings.points == 1 ? "" : "s") per pattern, \(settings.repeats) repeat\(settings.repeats == 1 ? "" : "s"), \(mode), seed \(settings.seed)")
        for (index, entry) in results.enumerated() {
            lines.append("  [\(index + 1)] \(entry.input.argument)  (\(entry.input.format))")
        }
        for group in groups {
            lines.append("")
            lines += table(group.path, columns: group.columns, labels: group.columns.map { "[\($0.input + 1)]" })
        }
        if groups.isEmpty {
            lines.append("")
            lines.append("no arrays with two or more dimensions to measure")
        } else {
            lines.append("")
            lines += Self.legend(estimated: results.contains { $0.input.kind != .zarr }, compared: groups.contains { $0.columns.count > 1 })
        }
        return lines.joined(separator: "\n")
    }

    static func legend(estimated: Bool, compared: Bool) -> [String] {
        var lines = ["median, p95: latency of one read; MB/s: array data returned per second; chunks: chunks decoded per read",
                     "(inner chunks when sharded); read: bytes fetched from storage per read" + (estimated ? " (~: estimated from the average stored chunk)" : "")]
        if compared { lines.append("[k]/[1]: median latency of store k over store 1 (below 1: faster)") }
        return lines
    }

    /// The table of one array: a header naming the layouts, then one row per pattern.
    func table(_ path: String, columns: [(input: Int, result: BenchArrayResult)], labels: [String]) -> [String] {
        guard let first = columns.first?.result.array else { return [] }
        var lines: [String] = []
        let shape = zip(first.layout.dimensions, first.layout.shape).map { "\($0)=\($1)" }.joined(separator: " × ")
        lines.append("\(path.isEmpty ? "/" : path)  \(first.dataType)  \(shape)")
        for (label, column) in zip(labels, columns) {
            lines.append("  \(label) \(Self.layoutText(column.result.array))")
        }
        let sharded = columns.contains { $0.result.array.shardShape != nil }
        var cells: [String] = ["median", "p95", "MB/s", "chunks"] + (sharded ? ["shards"] : []) + ["read"]
        let widths: [Int] = [9, 9, 9, 8] + (sharded ? [7] : []) + [10]
        let groupWidth = widths.reduce(0, +)
        let labelWidth = 24
        var header1 = String(repeating: " ", count: labelWidth)
        var header2 = "pattern".padding(toLength: labelWidth, withPad: " ", startingAt: 0)
        for label in labels {
            header1 += Self.left(" " + String(repeating: "─", count: 2) + " " + label + " " + String(repeating: "─", count: max(2, groupWidth - label.count - 5)), groupWidth + 2)
            header2 += zip(cells, widths).map { Self.right($0, $1) }.joined() + "  "
        }
        for label in labels.dropFirst() {
            let name = "\(label)/\(labels[0])"
            header1 += String(repeating: " ", count: max(9, name.count + 1))
            header2 += Self.right(name, max(9, name.count + 1))
        }
        lines.append("")
        lines.append(header1.trailingTrimmed)
        lines.append(header2.trailingTrimmed)
        let patterns = BenchPattern.allCases.filter { p in columns.contains { $0.result.measurements.contains { $0.pattern == p } } }
        for pattern in patterns {
            var row = ""
            var labelText = pattern.rawValue
            for column in columns {
                guard let m = column.result.measurements.first(where: { $0.pattern == pattern }) else { continue }
                labelText = Self.patternLabel(m)
                break
            }
            row += labelText.padding(toLength: labelWidth, withPad: " ", startingAt: 0)
            for column in columns {
                guard let m = column.result.measurements.first(where: { $0.pattern == pattern }) else {
                    row += String(repeating: " ", count: groupWidth) + "  "
                    continue
                }
                cells = [Self.latency(m.median), Self.latency(m.p95), Self.rate(m.megabytesPerSecond), Self.count(m.perRead(m.chunks))]
                if sharded { cells.append(Self.count(m.perRead(m.objects))) }
                cells.append(m.bytesRead.map { (m.bytesReadMeasured ? "" : "~") + ByteCount.format(Int(m.perRead($0).rounded())) } ?? "-")
                row += zip(cells, widths).map { Self.right($0, $1) }.joined() + "  "
            }
            for (index, column) in columns.enumerated().dropFirst() {
                let name = "\(labels[index])/\(labels[0])"
                let ratio = Self.ratio(pattern, column.result, baseline: columns[0].result)
                row += Self.right(ratio.map { String(format: "%.2f×", $0) } ?? "-", max(9, name.count + 1))
            }
            lines.append(row.trailingTrimmed)
        }
        return lines
    }

    static func layoutText(_ array: BenchArray) -> String {
        let shape: ([Int]) -> String = { $0.map(String.init).joined(separator: " × ") }
        var text = array.chunked ? "chunks \(shape(array.layout.chunkShape))" : "contiguous"
        if let shards = array.shardShape { text += " in shards \(shape(shards))" }
        if let stored = array.storedBytes { text += ", \(ByteCount.format(stored)) stored" }
        return text
    }

    static func patternLabel(_ m: BenchMeasurement) -> String {
        switch m.pattern {
        case .series: "series along \(m.dimension)"
        case .slice: "slice of \(m.dimension)"
        case .box: "box " + m.readShape.map(String.init).joined(separator: "×")
        case .scan: "scan"
        }
    }

    /// `812µs`, `12.3ms`, `1.24s`.
    public static func latency(_ seconds: Double) -> String {
        if seconds < 1e-3 { return "\(Int((seconds * 1e6).rounded()))µs" }
        if seconds < 1 { return String(format: seconds < 0.01 ? "%.2fms" : seconds < 0.1 ? "%.1fms" : "%.0fms", seconds * 1e3) }
        return String(format: "%.2fs", seconds)
    }

    static func rate(_ mb: Double) -> String {
        mb >= 100 ? String(format: "%.0f", mb) : mb >= 1 ? String(format: "%.1f", mb) : String(format: "%.3f", mb)
    }

    static func count(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }

    static func right(_ text: String, _ width: Int) -> String {
        text.count >= width ? " " + text : String(repeating: " ", count: width - text.count) + text
    }

    static func left(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}

extension BenchMeasurement {
    /// Mean seconds per read.
    public var perReadSeconds: Double { reads > 0 ? seconds.reduce(0, +) / Double(reads) : 0 }
}

extension String {
    /// The string without trailing spaces.
    var trailingTrimmed: String {
        var s = Substring(self)
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
