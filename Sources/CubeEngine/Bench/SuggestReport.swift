import CubeCore
import Foundation

/// What `cube-bench --suggest` says about one array: the ranked candidates, the current
/// layout, and the trial if one ran.
public struct SuggestEntry: Sendable {
    /// The store or file the array came from (`nil` for `--shape`).
    public var source: String?
    /// The array's path (`nil` for `--shape`).
    public var path: String?
    /// The ranked suggestion.
    public var suggestion: Suggestion
    /// The trial, if `--trial`.
    public var trial: TrialResult?

    /// Wraps one array's answer.
    public init(source: String?, path: String?, suggestion: Suggestion, trial: TrialResult?) {
        self.source = source
        self.path = path
        self.suggestion = suggestion
        self.trial = trial
    }
}

/// The `--suggest` output, as text or JSON.
public struct SuggestReport: Sendable {
    /// Measurement settings (used by the trial and for box and window sizes).
    public var settings: BenchSettings
    /// One entry per array.
    public var entries: [SuggestEntry]
    /// How many candidates to show.
    public var top: Int

    /// Wraps the answers.
    public init(settings: BenchSettings, entries: [SuggestEntry], top: Int) {
        self.settings = settings
        self.entries = entries
        self.top = top
    }

    // MARK: JSON

    /// The report as JSON, schema 1, `kind: "suggest"`.
    public func json() -> JSON {
        let arrays: [JSON] = entries.map { entry in
            let s = entry.suggestion
            let r = s.request
            var members: [(String, JSON)] = [
                ("source", entry.source.map(JSON.string) ?? .null), ("path", entry.path.map(JSON.string) ?? .null),
                ("dimensions", .array(r.dimensions.map(JSON.string))), ("shape", JSON(r.shape)),
                ("data_type", .string(r.dataType.description)),
                ("stored_fraction", BenchReport.number(r.storedFraction, places: 4)),
                ("workload", .object(r.workload.patterns.map { ($0.rawValue, BenchReport.number(r.workload.weight($0), places: 6)) })),
                ("cost_model", ["latency_seconds": BenchReport.number(r.model.latency, places: 9),
                                "bandwidth_bytes_per_second": BenchReport.number(r.model.bandwidth, places: 0)]),
                ("limits", ["chunk_bytes": JSON(r.chunkBytes), "max_objects": r.maxObjects.map { JSON($0) } ?? .null]),
                ("candidates_considered", JSON(s.ranked.count + s.excluded)), ("excluded", JSON(s.excluded)),
                ("candidates", .array(s.ranked.prefix(top).enumerated().map { Self.candidateJSON($0.element, rank: $0.offset + 1) })),
                ("current", s.current.map { Self.candidateJSON($0.candidate, rank: $0.rank) } ?? .null),
            ]
            if let trial = entry.trial {
                members.append(("trial", [
                    "sample_shape": JSON(trial.sampleShape), "sample_bytes": JSON(trial.sampleBytes),
                    "data": .string(trial.origin),
                    "candidates": .array(trial.outcomes.map { o in
                        ["rank": JSON(o.rank), "chunk_shape": JSON(o.candidate.chunkShape), "sample_chunk_shape": JSON(o.sampleChunks),
                         "stored_bytes": o.result.array.storedBytes.map { JSON($0) } ?? .null,
                         "measured_cost_seconds": BenchReport.number(o.measuredCost, places: 9),
                         "patterns": .array(o.result.measurements.map(BenchReport.measurementJSON))]
                    }),
                ]))
            } else {
                members.append(("trial", .null))
            }
            return .object(members)
        }
        return ["schema": 1, "kind": "suggest", "settings": BenchReport.settingsJSON(settings), "arrays": .array(arrays)]
    }

    static func candidateJSON(_ c: ChunkCandidate, rank: Int) -> JSON {
        ["rank": JSON(rank), "chunk_shape": JSON(c.chunkShape), "chunk_bytes": JSON(c.chunkBytes), "objects": JSON(c.objects),
         "origin": .string(c.origin), "cost_seconds": BenchReport.number(c.cost, places: 9),
         "predicted": .array(c.predictions.map { p in
             ["pattern": .string(p.pattern.rawValue), "weight": BenchReport.number(p.weight, places: 6),
              "chunks": BenchReport.number(p.chunks, places: 3), "bytes_read": BenchReport.number(p.bytesRead, places: 0),
              "seconds": BenchReport.number(p.seconds, places: 9)]
         })]
    }

    // MARK: Text

    /// The report as text: per array, the model, the ranked candidates, the current layout,
    /// a cube-rechunk command for the best, and the trial's measurements.
    public func text() -> String {
        var lines: [String] = []
        for entry in entries {
            if !lines.isEmpty { lines.append("") }
            lines += text(entry)
        }
        return lines.joined(separator: "\n")
    }

    private func text(_ entry: SuggestEntry) -> [String] {
        let s = entry.suggestion
        let r = s.request
        let shape = zip(r.dimensions, r.shape).map { "\($0)=\($1)" }.joined(separator: " × ")
        let total = ShapeMath.product(r.shape) * r.dataType.itemSize
        var lines: [String] = []
        let name = entry.path.map { $0.isEmpty ? "/" : $0 } ?? "array"
        lines.append("\(name)  \(r.dataType)  \(shape)  (\(ByteCount.format(total))" + (entry.source.map { ", from \($0)" } ?? "")
                     + (r.storedFraction != 1 ? String(format: ", stored/decoded %.2f", r.storedFraction) : "") + ")")
        lines.append("workload \(r.workload); chunks up to \(ByteCount.format(r.chunkBytes))"
                     + (r.maxObjects.map { ", at most \($0) chunks" } ?? ""))
        lines.append("predicted time per read = chunks × \(BenchReport.latency(r.model.latency)) + bytes read / \(Self.bandwidth(r.model.bandwidth))")
        lines.append("")
        let patterns = r.workload.patterns
        var header = Self.right("rank", 5) + "  " + "chunks".padding(toLength: 22, withPad: " ", startingAt: 0) + Self.right("size", 10) + Self.right("objects", 9)
        for pattern in patterns { header += Self.right(pattern.rawValue + ": chunks", 17) + Self.right("read", 9) }
        header += Self.right("time/read", 11) + "  from"
        lines.append(header)
        for (index, candidate) in s.ranked.prefix(top).enumerated() {
            lines.append(row(String(index + 1), candidate))
        }
        if let current = s.current {
            lines.append(row("now", current.candidate) + ", would rank \(current.rank)")
        }
        lines.append("")
        var notes = "\(s.ranked.count) candidates ranked by the workload's weighted time per read"
        if s.excluded > 0 { notes += "; \(s.excluded) with more than \(r.maxObjects ?? 0) chunks left out" }
        lines.append(notes)
        if let best = s.ranked.first, best.chunkShape == s.current?.candidate.chunkShape {
            lines.append("the current chunks are the best candidate")
        } else if let best = s.ranked.first {
            let variable = entry.path.map { $0.isEmpty ? "" : $0 + ":" } ?? ""
            let spec = variable + zip(r.dimensions, best.chunkShape).map { "\($0)=\($1)" }.joined(separator: ",")
            let source = entry.source ?? "SOURCE"
            lines.append("to apply the best: cube-rechunk \(source) -o OUTPUT.zarr --chunks \(spec)")
        }
        if let trial = entry.trial {
            lines.append("")
            lines += trialText(trial)
        }
        return lines
    }

    private func row(_ rank: String, _ c: ChunkCandidate) -> String {
        var line = Self.right(rank, 5) + "  " + c.chunkShape.map(String.init).joined(separator: " × ").padding(toLength: 22, withPad: " ", startingAt: 0)
            + Self.right(ByteCount.format(c.chunkBytes), 10) + Self.right(String(c.objects), 9)
        for p in c.predictions {
            line += Self.right(BenchReport.count((p.chunks * 10).rounded() / 10), 17) + Self.right(ByteCount.format(Int(p.bytesRead.rounded())), 9)
        }
        return line + Self.right(BenchReport.latency(c.cost), 11) + "  " + c.origin
    }

    private func trialText(_ trial: TrialResult) -> [String] {
        let shape = trial.sampleShape.map(String.init).joined(separator: " × ")
        var lines = ["trial: a \(shape) sample (\(ByteCount.format(trial.sampleBytes)), \(trial.origin == "synthetic" ? "synthetic data" : "read from \(trial.origin)")) written in the top \(trial.outcomes.count) candidates, then measured"]
        for outcome in trial.outcomes {
            lines.append("  [#\(outcome.rank)] " + BenchReport.layoutText(outcome.result.array))
        }
        let columns = trial.outcomes.enumerated().map { (input: $0.offset, result: $0.element.result) }
        let report = BenchReport(settings: settings, results: [])
        var table = report.table(trial.outcomes.first?.result.array.path ?? "", columns: columns,
                                 labels: trial.outcomes.map { "[#\($0.rank)]" })
        if table.count > 1 + trial.outcomes.count { table.removeFirst(1 + trial.outcomes.count) }
        lines += table
        lines.append("")
        let costs = trial.outcomes.map { "[#\($0.rank)] \(BenchReport.latency($0.measuredCost))" }.joined(separator: ", ")
        lines.append("measured weighted median per read: \(costs)")
        if let best = trial.outcomes.min(by: { $0.measuredCost < $1.measuredCost }) {
            lines.append("fastest on the sample: [#\(best.rank)] chunks \(best.candidate.chunkShape.map(String.init).joined(separator: " × "))")
        }
        return lines
    }

    static func bandwidth(_ bytesPerSecond: Double) -> String {
        bytesPerSecond >= 1e9 ? String(format: "%gGB/s", bytesPerSecond / 1e9) : String(format: "%gMB/s", bytesPerSecond / 1e6)
    }

    static func right(_ text: String, _ width: Int) -> String { BenchReport.right(text, width) }
}
