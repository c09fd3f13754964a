import CubeCLI
import CubeCore
import CubeEngine
import CubeTestSupport
import CubeZarr
import Foundation
import Testing

/// A Zarr v3 source with a map-chunked cube (`t2m`, 120×48×48 float32, one step per chunk)
/// and its `time` coordinate, in a fresh temporary directory.
struct RechunkFixture {
    let directory: String
    var source: String { directory + "/source.zarr" }
    static let shape = [120, 48, 48]

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("cube-rechunk-\(UUID().uuidString)").path
        let store = try DirectoryStore(path: directory + "/source.zarr", create: true)
        try ZarrNode(path: "", kind: .group(GroupMetadata(format: .v3, attributes: ["title": "rechunk test"]))).write(to: store)
        var metadata = ArrayMetadata(format: .v3, shape: Self.shape, chunkShape: [1, 48, 48], dataType: .float32,
                                     fillValueJSON: "NaN", dimensionNames: ["time", "lat", "lon"], attributes: ["units": "K"])
        try CodecSpec.zstd(level: 1).apply(to: &metadata)
        let t2m = try ZarrArray.create(store, path: "t2m", metadata: metadata)
        let values = (0..<ShapeMath.product(Self.shape)).map { i in Float(i % 9973) * 0.25 + Float(i / 2304) }
        try t2m.write(try ArrayBuffer(dataType: .float32, shape: Self.shape, bytes: values.withUnsafeBytes { Array($0) }), at: [0, 0, 0])
        var time = ArrayMetadata(format: .v3, shape: [120], chunkShape: [120], dataType: .float64, fillValueJSON: "NaN",
                                 dimensionNames: ["time"], attributes: ["units": "hours since 2000-01-01"])
        try CodecSpec.zstd(level: 1).apply(to: &time)
        let times = (0..<120).map { Double($0) * 6 }
        try ZarrArray.create(store, path: "time", metadata: time)
            .write(try ArrayBuffer(dataType: .float64, shape: [120], bytes: times.withUnsafeBytes { Array($0) }), at: [0])
        try ConsolidatedMetadata.write(store)
    }

    /// Every file under `path` (relative name → contents).
    static func files(_ path: String) throws -> [String: Data] {
        var result: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(atPath: path)
        while let name = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path + "/" + name, isDirectory: &isDirectory), !isDirectory.boolValue {
                result[name] = try Data(contentsOf: URL(fileURLWithPath: path + "/" + name))
            }
        }
        return result
    }
}

@Suite struct RechunkCommandTests {
    /// Small enough a budget that the planner needs intermediate stores.
    static let arguments = ["--chunks", "time=-1,lat=4,lon=4", "--max-mem", "3MiB", "-j", "2"]

    @Test func rechunksThroughIntermediatesAndMatchesTheSource() throws {
        let fixture = try RechunkFixture()
        let plan = RechunkCommand.runCapturing([fixture.source, "-o", fixture.directory + "/out.zarr", "--dry-run", "--json"] + Self.arguments)
        #expect(plan.status == 0, "\(plan.stderr)")
        let arrays = try #require(try JSON.parse(plan.stdout)["arrays"]?.arrayValue)
        let t2m = try #require(arrays.first { $0["path"] == "t2m" })
        let stages = try #require(t2m["stages"]?.arrayValue)
        #expect(stages.count >= 2, "expected intermediates: \(plan.stdout)")
        for stage in stages { #expect((stage["peak_bytes"]?.intValue ?? .max) <= 3 << 20) }
        #expect(!FileManager.default.fileExists(atPath: fixture.directory + "/out.zarr"), "--dry-run must not write")

        let output = fixture.directory + "/out.zarr"
        let run = RechunkCommand.runCapturing([fixture.source, "-o", output, "-q"] + Self.arguments)
        #expect(run.status == 0, "\(run.stderr)")
        let source = try ZarrArray.open(try DirectoryStore(path: fixture.source), path: "t2m")
        let target = try ZarrArray.open(try DirectoryStore(path: output), path: "t2m")
        #expect(target.metadata.chunkShape == [120, 4, 4])
        #expect(target.metadata.attributes == ["units": "K"])
        #expect(target.metadata.dimensionNames == ["time", "lat", "lon"])
        #expect(try target.readAll() == (try source.readAll()))
        #expect(try ConsolidatedMetadata.check(try DirectoryStore(path: output)).isCurrent)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: fixture.directory)
        #expect(Set(leftovers) == ["source.zarr", "out.zarr"], "temporary stores must be gone")
        #expect(!FileManager.default.fileExists(atPath: output + "/" + Rechunker.stateDirectory))
    }

    /// An array whose metadata cannot be read stops the run with an error naming it, rather
    /// than being left out of the output.
    @Test func anUnreadableArrayFailsTheRun() throws {
        let fixture = try RechunkFixture()
        let metadata = fixture.source + "/time/zarr.json"
        try FileManager.default.removeItem(atPath: metadata)
        try FileManager.default.createDirectory(atPath: metadata, withIntermediateDirectories: false)
        try FileManager.default.removeItem(atPath: fixture.source + "/zarr.json")
        try ZarrNode(path: "", kind: .group(GroupMetadata(format: .v3))).write(to: try DirectoryStore(path: fixture.source))
        let run = RechunkCommand.runCapturing([fixture.source, "-o", fixture.directory + "/out.zarr", "-q"] + Self.arguments)
        #expect(run.status == 1)
        #expect(run.stderr.contains("'time/zarr.json' is a directory"), "\(run.stderr)")
    }

    /// Chunks written past the page cache (the default) and through it (`--buffered-writes`)
    /// are the same files, equal to the source; these chunks (uncompressed, 270 KiB) go direct.
    @Test func bufferedAndDirectWritesMakeTheSameStore() throws {
        let fixture = try RechunkFixture()
        let arguments = ["--chunks", "time=-1,lat=24,lon=24", "--codec", "none", "-q"]
        let direct = fixture.directory + "/direct.zarr"
        let buffered = fixture.directory + "/buffered.zarr"
        #expect(RechunkCommand.runCapturing([fixture.source, "-o", direct] + arguments).status == 0)
        #expect(RechunkCommand.runCapturing([fixture.source, "-o", buffered, "--buffered-writes"] + arguments).status == 0)
        let directFiles = try RechunkFixture.files(direct)
        #expect(directFiles == (try RechunkFixture.files(buffered)))
        #expect(directFiles.values.contains { $0.count >= 64 << 10 }, "no chunk large enough to be written directly")
        let source = try ZarrArray.open(try DirectoryStore(path: fixture.source), path: "t2m")
        #expect(try ZarrArray.open(try DirectoryStore(path: direct), path: "t2m").readAll() == (try source.readAll()))
    }

    @Test func peakTaskMemoryStaysInsideTheBudget() throws {
        let fixture = try RechunkFixture()
        for budget in [3 << 20, 8 << 20] {
            var options = RechunkOptions(source: fixture.source, output: fixture.directory + "/budget-\(budget).zarr")
            options.chunks = try ChunkRequest(parsing: ["time=-1,lat=4,lon=4"])
            options.memoryBudget = budget
            options.jobs = 8
            let job = try RechunkJobBuilder.build(options)
            #expect(job.memoryBudget <= budget)
            let summary = try Rechunker.run(job)
            #expect(summary.peakTaskBytes > 0 && summary.peakTaskBytes <= job.memoryBudget)
        }
    }

    /// With far more memory than the job can use, the plans (and the run) take less, and
    /// --dry-run says so.
    @Test func moreMemoryThanPaysForItselfIsLeftUnused() throws {
        let fixture = try RechunkFixture()
        let output = fixture.directory + "/lean.zarr"
        let arguments = [fixture.source, "-o", output, "--chunks", "time=-1,lat=4,lon=4", "--max-mem", "1GiB"]
        let plan = RechunkCommand.runCapturing(arguments + ["--dry-run", "--json"])
        #expect(plan.status == 0, "\(plan.stderr)")
        let json = try JSON.parse(plan.stdout)
        #expect(json["memory_budget"]?.intValue == 1 << 30)
        let planned = try #require(json["planned_memory"]?.intValue)
        #expect(planned < 1 << 28)
        for array in json["arrays"]?.arrayValue ?? [] {
            for stage in array["stages"]?.arrayValue ?? [] { #expect((stage["peak_bytes"]?.intValue ?? .max) <= planned) }
        }
        let text = RechunkCommand.runCapturing(arguments + ["--dry-run"])
        #expect(text.stdout.contains("planned (of --max-mem 1GiB"))
        let run = RechunkCommand.runCapturing(arguments + ["-q"])
        #expect(run.status == 0, "\(run.stderr)")
        let source = try ZarrArray.open(try DirectoryStore(path: fixture.source), path: "t2m")
        #expect(try ZarrArray.open(try DirectoryStore(path: output), path: "t2m").readAll() == (try source.readAll()))
    }

    /// Killed at several points (as by `kill -9`), the same command resumes and produces the
    /// same bytes as an uninterrupted run.
    @Test(.enabled(if: BuiltTools.directory != nil, "cube-rechunk is not built beside the tests"),
          arguments: ["first task", "a third in", "end of stage 1", "last task"])
    func resumesAfterACrashToTheSameBytes(point: String) throws {
        let fixture = try RechunkFixture()
        let (total, firstStage) = try Self.taskCounts(fixture)
        let crashAfter = switch point {
        case "first task": 1
        case "a third in": max(2, total / 3)
        case "end of stage 1": firstStage
        default: total - 1
        }
        let printed = try Self.crashThenResume(fixture, after: crashAfter)
        #expect(printed.contains("resumed;"))
    }

    /// A scratch directory lost between the crash and the resume (deleted, or on a file
    /// system a reboot emptied) is made again: the finished tasks whose intermediate chunks
    /// are gone run again, and the output has the same bytes.
    @Test(.enabled(if: BuiltTools.directory != nil, "cube-rechunk is not built beside the tests"))
    func resumesAfterTheScratchDirectoryIsLost() throws {
        let fixture = try RechunkFixture()
        let (_, firstStage) = try Self.taskCounts(fixture)
        let scratch = fixture.directory + "/.out.zarr.cube-rechunk-temp"
        let printed = try Self.crashThenResume(fixture, after: firstStage + 1) {
            #expect(FileManager.default.fileExists(atPath: scratch + "/t2m"))
            try FileManager.default.removeItem(atPath: scratch)
        }
        #expect(printed.contains("finished tasks done again"), "\(printed)")
        #expect(!FileManager.default.fileExists(atPath: scratch))
    }

    /// The tasks of the plan for ``arguments``, and those of the first stage of `t2m`.
    static func taskCounts(_ fixture: RechunkFixture) throws -> (total: Int, firstStage: Int) {
        let plan = RechunkCommand.runCapturing([fixture.source, "-o", fixture.directory + "/plan.zarr", "--dry-run", "--json"] + Self.arguments)
        let arrays = try #require(try JSON.parse(plan.stdout)["arrays"]?.arrayValue)
        let total = arrays.flatMap { $0["stages"]?.arrayValue ?? [] }.reduce(0) { $0 + ($1["tasks"]?.intValue ?? 0) }
        let firstStage = try #require(arrays.first { $0["path"] == "t2m" }?["stages"]?.arrayValue?.first?["tasks"]?.intValue)
        return (total, firstStage)
    }

    /// Rechunks `fixture` with ``arguments`` uninterrupted, and again into `out.zarr` killed
    /// after `crashAfter` tasks; runs `meanwhile`; resumes, checks the resumed output has the
    /// bytes of the uninterrupted one, and returns what the resumed run printed.
    static func crashThenResume(_ fixture: RechunkFixture, after crashAfter: Int,
                                meanwhile: () throws -> Void = {}) throws -> String {
        let reference = fixture.directory + "/reference.zarr"
        let output = fixture.directory + "/out.zarr"
        let uninterrupted = try BuiltTools.run("cube-rechunk", [fixture.source, "-o", reference, "-q"] + Self.arguments)
        try #require(uninterrupted.status == 0, "\(uninterrupted.output)")

        let crashed = try BuiltTools.run("crash-runner", [String(crashAfter), "cube-rechunk"] + [fixture.source, "-o", output, "-q"] + Self.arguments)
        #expect(crashed.status == SIGKILL, "the run was not killed: \(crashed.output)")
        #expect(FileManager.default.fileExists(atPath: output + "/" + Rechunker.stateDirectory))
        let root = try JSON.parse(Array(try Data(contentsOf: URL(fileURLWithPath: output + "/zarr.json"))))
        #expect(root["attributes"]?[Rechunker.incompleteAttribute] == true)
        #expect(root["consolidated_metadata"] == nil)
        try meanwhile()

        let resumed = try BuiltTools.run("cube-rechunk", [fixture.source, "-o", output] + Self.arguments)
        #expect(resumed.status == 0, "\(resumed.output)")
        let expected = try RechunkFixture.files(reference)
        let actual = try RechunkFixture.files(output)
        #expect(actual.keys.sorted() == expected.keys.sorted())
        for (name, data) in expected where actual[name] != data {
            Issue.record("\(name) differs after resuming")
        }
        return resumed.output
    }

    @Test func aDifferentCommandIsRefusedUntilOverwrite() throws {
        let fixture = try RechunkFixture()
        let output = fixture.directory + "/out.zarr"
        let crashed = try BuiltTools.run("crash-runner", ["3", "cube-rechunk"] + [fixture.source, "-o", output, "-q"] + Self.arguments)
        #expect(crashed.status == SIGKILL)
        let other = RechunkCommand.runCapturing([fixture.source, "-o", output, "-q", "--chunks", "time=-1,lat=8,lon=8", "--max-mem", "3MiB"])
        #expect(other.status == 1)
        #expect(other.stderr.contains("different command"))
        let over = RechunkCommand.runCapturing([fixture.source, "-o", output, "-q", "--chunks", "time=-1,lat=8,lon=8", "--overwrite"])
        #expect(over.status == 0, "\(over.stderr)")
        #expect(try ZarrArray.open(try DirectoryStore(path: output), path: "t2m").metadata.chunkShape == [120, 8, 8])
    }

    /// An interrupted run's scratch directory, whose output was then deleted by hand, belongs
    /// to another plan: a new run starts from an empty one instead of reusing its arrays.
    @Test(.enabled(if: BuiltTools.directory != nil, "cube-rechunk is not built beside the tests"))
    func aStaleScratchDirectoryIsNotReused() throws {
        let fixture = try RechunkFixture()
        let output = fixture.directory + "/out.zarr"
        let crashed = try BuiltTools.run("crash-runner", ["3", "cube-rechunk"] + [fixture.source, "-o", output, "-q"] + Self.arguments)
        #expect(crashed.status == SIGKILL)
        let scratch = fixture.directory + "/.out.zarr.cube-rechunk-temp"
        #expect(FileManager.default.fileExists(atPath: scratch + "/t2m/intermediate-1/zarr.json"))
        try FileManager.default.removeItem(atPath: output)
        let other = ["--chunks", "time=-1,lat=4,lon=4", "--max-mem", "3MiB", "-j", "1"]
        let plans = [Self.arguments, other].map { arguments in
            RechunkCommand.runCapturing([fixture.source, "-o", output, "--dry-run", "--json"] + arguments).stdout
        }
        #expect(plans[0] != plans[1], "the second run must plan other intermediates")
        let run = RechunkCommand.runCapturing([fixture.source, "-o", output, "-q"] + other)
        #expect(run.status == 0, "\(run.stderr)")
        let source = try ZarrArray.open(try DirectoryStore(path: fixture.source), path: "t2m")
        #expect(try ZarrArray.open(try DirectoryStore(path: output), path: "t2m").readAll() == (try source.readAll()))
        #expect(!FileManager.default.fileExists(atPath: scratch))
    }

    @Test func aSecondRunOnTheSameOutputIsRefused() throws {
        let fixture = try RechunkFixture()
        let output = fixture.directory + "/out.zarr"
        let crashed = try BuiltTools.run("crash-runner", ["2", "cube-rechunk"] + [fixture.source, "-o", output, "-q"] + Self.arguments)
        #expect(crashed.status == SIGKILL)
        // Another process holds the lock while this one tries.
        let held = try TargetLock(path: output + "/" + Rechunker.stateDirectory + "/lock")
        let second = RechunkCommand.runCapturing([fixture.source, "-o", output, "-q"] + Self.arguments)
        #expect(second.status == 1)
        #expect(second.stderr.contains("another cube-rechunk is writing this output"))
        withExtendedLifetime(held) {}
    }

    @Test func presetsAndVariablesChooseWhatChanges() throws {
        let fixture = try RechunkFixture()
        let output = fixture.directory + "/series.zarr"
        let run = RechunkCommand.runCapturing([fixture.source, "-o", output, "-q", "--for", "time-series", "--chunk-size", "64KiB"])
        #expect(run.status == 0, "\(run.stderr)")
        let store = try DirectoryStore(path: output)
        let t2m = try ZarrArray.open(store, path: "t2m")
        #expect(t2m.metadata.chunkShape[0] == 120)
        #expect(ShapeMath.product(t2m.metadata.chunkShape) * 4 <= 128 << 10)
        // The coordinate keeps its chunks.
        #expect(try ZarrArray.open(store, path: "time").metadata.chunkShape == [120])

        let missing = RechunkCommand.runCapturing([fixture.source, "-o", fixture.directory + "/x.zarr", "--variables", "tp", "--for", "maps"])
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("tp"))
        let nothing = RechunkCommand.runCapturing([fixture.source, "-o", fixture.directory + "/y.zarr"])
        #expect(nothing.status == 64)
    }

    @Test func netCDFSourcesAreRechunkedLikeConvertedOnes() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cube-rechunk-nc-\(UUID().uuidString)").path
        let source = PythonClients.path("fixtures/netcdf/nc4.nc")
        let output = directory + "/nc4.zarr"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let run = RechunkCommand.runCapturing([source, "-o", output, "-q", "--chunks", "time=-1,lat=2,lon=2"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try ZarrArray.open(try DirectoryStore(path: output), path: "t2m").metadata.chunkShape == [3, 2, 2])
        if PythonClients.installed(PythonClients.zarr3) {
            let check = try PythonClients.run(PythonClients.zarr3, [PythonClients.path("interop/check_convert.py"), source, output])
            #expect(check.status == 0, "\(check.output)")
        }
    }
}
