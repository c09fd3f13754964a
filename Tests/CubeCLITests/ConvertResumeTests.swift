import CubeCLI
import CubeCore
import CubeEngine
import CubeTestSupport
import CubeZarr
import Foundation
import Testing

/// A NetCDF-4 file of incompressible data (96×128×128 float32 in one-step chunks, plus a time
/// coordinate), written by netCDF4 in a fresh temporary directory: enough chunks for a
/// conversion of many tasks, and enough bytes to fill a small file system.
struct ConvertResumeFixture {
    let directory: String
    var input: String { directory + "/input.nc" }
    /// Arguments that make many small tasks.
    static let arguments = ["--max-mem", "3MiB", "-j", "2", "-q"]

    init(steps: Int = 96) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("cube-convert-resume-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let script = """
        import sys, numpy as np, netCDF4
        steps = int(sys.argv[2])
        with netCDF4.Dataset(sys.argv[1], "w") as ds:
            ds.createDimension("time", steps); ds.createDimension("lat", 128); ds.createDimension("lon", 128)
            t = ds.createVariable("time", "f8", ("time",)); t.units = "hours since 2000-01-01"; t[:] = np.arange(steps) * 6.0
            v = ds.createVariable("t2m", "f4", ("time", "lat", "lon"), chunksizes=(1, 128, 128)); v.units = "K"
            v[:] = np.random.default_rng(7).random((steps, 128, 128), dtype=np.float32)
        """
        let made = try PythonClients.run(PythonClients.zarr3, ["-c", script, input, String(steps)])
        try #require(made.status == 0, "\(made.output)")
    }
}

@Suite(.enabled(if: (PythonClients.installed(PythonClients.zarr3) || PythonClients.required) && BuiltTools.directory != nil,
                "netCDF4 (.venv/zarr3) or the built tools are missing"))
struct ConvertResumeTests {
    /// Converts uninterrupted into `reference.zarr` and returns its files.
    static func reference(_ fixture: ConvertResumeFixture) throws -> [String: Data] {
        let output = fixture.directory + "/reference.zarr"
        let run = try BuiltTools.run("cube-convert", [fixture.input, "-o", output] + ConvertResumeFixture.arguments)
        try #require(run.status == 0, "\(run.output)")
        return try RechunkFixture.files(output)
    }

    /// Checks `output` holds exactly `expected` and that nothing of the run is left beside it.
    static func expectFinished(_ output: String, equalTo expected: [String: Data],
                               sourceLocation: SourceLocation = #_sourceLocation) throws {
        let actual = try RechunkFixture.files(output)
        #expect(actual.keys.sorted() == expected.keys.sorted(), sourceLocation: sourceLocation)
        for (name, data) in expected where actual[name] != data {
            Issue.record("\(name) differs", sourceLocation: sourceLocation)
        }
        let parent = (output as NSString).deletingLastPathComponent
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: parent).filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty, "left beside the output: \(leftovers)", sourceLocation: sourceLocation)
    }

    /// Killed with SIGKILL after 1, 3, 8, 15 and 25 finished tasks, the same command
    /// continues and produces the bytes of an uninterrupted conversion, leaving nothing behind.
    @Test(arguments: [1, 3, 8, 15, 25])
    func resumesAfterKillToTheSameBytes(after tasks: Int) throws {
        let fixture = try ConvertResumeFixture()
        let expected = try Self.reference(fixture)
        let output = fixture.directory + "/out/out.zarr"
        try FileManager.default.createDirectory(atPath: fixture.directory + "/out", withIntermediateDirectories: false)
        let command = [fixture.input, "-o", output] + ConvertResumeFixture.arguments
        let killed = try BuiltTools.run("crash-runner", [String(tasks), "cube-convert"] + command)
        #expect(killed.status == SIGKILL, "the run was not killed: \(killed.output)")
        let root = try CLITestSupport.readJSON(output + "/zarr.json")
        #expect(root["attributes"]?[Converter.incompleteAttribute] == true)
        #expect(root["consolidated_metadata"] == nil)
        #expect(FileManager.default.fileExists(atPath: output + "/" + Converter.stateDirectory + "/journal"))

        let resumed = try BuiltTools.run("cube-convert", command.filter { $0 != "-q" })
        #expect(resumed.status == 0, "\(resumed.output)")
        #expect(resumed.output.contains("resumed"), "\(resumed.output)")
        try Self.expectFinished(output, equalTo: expected)
    }

    @Test func aDifferentCommandIsRefusedUntilOverwrite() throws {
        let fixture = try ConvertResumeFixture()
        let output = fixture.directory + "/out.zarr"
        let killed = try BuiltTools.run("crash-runner", ["2", "cube-convert", fixture.input, "-o", output] + ConvertResumeFixture.arguments)
        #expect(killed.status == SIGKILL)
        let other = try BuiltTools.run("cube-convert", [fixture.input, "-o", output, "--chunks", "time=4"] + ConvertResumeFixture.arguments)
        #expect(other.status == 1)
        #expect(other.output.contains("different command"), "\(other.output)")
        let over = try BuiltTools.run("cube-convert", [fixture.input, "-o", output, "--chunks", "time=4", "--overwrite"]
                                                       + ConvertResumeFixture.arguments)
        #expect(over.status == 0, "\(over.output)")
        #expect(try ZarrArray.open(try DirectoryStore(path: output), path: "t2m").metadata.chunkShape == [4, 128, 128])
    }

    /// A partial output whose writer is alive (it holds the lock) is left alone.
    @Test func aPartialOutputOfALiveRunIsLeftAlone() throws {
        let fixture = try ConvertResumeFixture(steps: 8)
        let output = fixture.directory + "/out.zarr"
        let killed = try BuiltTools.run("crash-runner", ["1", "cube-convert", fixture.input, "-o", output] + ConvertResumeFixture.arguments)
        #expect(killed.status == SIGKILL)
        let before = try RechunkFixture.files(output)
        let held = try TargetLock(path: output + "/" + Converter.stateDirectory + "/lock", tool: "cube-convert")
        for extra in [[], ["--overwrite"]] {
            let second = try BuiltTools.run("cube-convert", [fixture.input, "-o", output] + ConvertResumeFixture.arguments + extra)
            #expect(second.status == 1)
            #expect(second.output.contains("another cube-convert is writing this output"), "\(second.output)")
        }
        withExtendedLifetime(held) {}
        #expect(try RechunkFixture.files(output).keys.sorted() == before.keys.sorted())
    }

    /// Staging directories earlier versions left when killed are removed once their process
    /// is gone; one of a live process is left alone.
    @Test func abandonedStagingOfEarlierVersionsIsRemoved() throws {
        let fixture = try ConvertResumeFixture(steps: 4)
        let dead = fixture.directory + "/.out.zarr.cube-partial-2147483646"
        let live = fixture.directory + "/.out.zarr.cube-partial-1"
        for path in [dead, dead + "-scratch", live] {
            try FileManager.default.createDirectory(atPath: path + "/t2m", withIntermediateDirectories: true)
        }
        let run = try BuiltTools.run("cube-convert", [fixture.input, "-o", fixture.directory + "/out.zarr", "-q"])
        #expect(run.status == 0, "\(run.output)")
        #expect(!FileManager.default.fileExists(atPath: dead))
        #expect(!FileManager.default.fileExists(atPath: dead + "-scratch"))
        #expect(FileManager.default.fileExists(atPath: live))
    }

    /// On a full file system the run stops with one line naming the cause, leaves an output
    /// marked incomplete, and the same command finishes it once there is room.
    @Test func aFullDiskStopsCleanlyAndResumesOnceSpaceIsFreed() throws {
        let fixture = try ConvertResumeFixture()
        let expected = try Self.reference(fixture)
        let mountPoint = fixture.directory + "/small"
        guard let small = try SmallFileSystem(at: mountPoint, kibibytes: 512) else { return }  // needs root
        defer { small.unmount() }
        let output = mountPoint + "/out.zarr"
        let command = [fixture.input, "-o", output] + ConvertResumeFixture.arguments
        let full = try BuiltTools.run("cube-convert", command)
        #expect(full.status == 1, "\(full.output)")
        let lines = full.output.split(separator: "\n")
        #expect(lines.count == 1, "\(full.output)")
        #expect(full.output.contains("No space left on device"), "\(full.output)")
        #expect(full.output.contains("the same command continues"), "\(full.output)")
        let root = try CLITestSupport.readJSON(output + "/zarr.json")
        #expect(root["attributes"]?[Converter.incompleteAttribute] == true)
        #expect(root["consolidated_metadata"] == nil)

        try small.resize(kibibytes: 16 << 10)
        let resumed = try BuiltTools.run("cube-convert", command)
        #expect(resumed.status == 0, "\(resumed.output)")
        try Self.expectFinished(output, equalTo: expected)
    }

    /// The same for a rechunk whose output is on the full file system.
    @Test func aFullDiskStopsARechunkCleanly() throws {
        let fixture = try RechunkFixture()
        let reference = fixture.directory + "/reference.zarr"
        let arguments = RechunkCommandTests.arguments + ["-q"]
        let uninterrupted = try BuiltTools.run("cube-rechunk", [fixture.source, "-o", reference] + arguments)
        try #require(uninterrupted.status == 0, "\(uninterrupted.output)")
        let mountPoint = fixture.directory + "/small"
        guard let small = try SmallFileSystem(at: mountPoint, kibibytes: 256) else { return }
        defer { small.unmount() }
        let output = mountPoint + "/out.zarr"
        let full = try BuiltTools.run("cube-rechunk", [fixture.source, "-o", output, "--temp", fixture.directory] + arguments)
        #expect(full.status == 1, "\(full.output)")
        #expect(full.output.split(separator: "\n").count == 1, "\(full.output)")
        #expect(full.output.contains("No space left on device"), "\(full.output)")
        try small.resize(kibibytes: 16 << 10)
        let resumed = try BuiltTools.run("cube-rechunk", [fixture.source, "-o", output, "--temp", fixture.directory] + arguments)
        #expect(resumed.status == 0, "\(resumed.output)")
        #expect(try RechunkFixture.files(output) == (try RechunkFixture.files(reference)))
    }
}

/// A tmpfs of a given size mounted by the test (root only), to fill up on purpose.
struct SmallFileSystem {
    let path: String

    /// Mounts a tmpfs of `kibibytes` at `path`, or returns `nil` where mounting is not
    /// allowed (not root, no mount namespace).
    init?(at path: String, kibibytes: Int) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let mount = try PythonClients.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(kibibytes)k", "tmpfs", path])
        guard mount.status == 0 else { return nil }
        self.path = path
    }

    /// Grows (or shrinks) the file system, keeping what it holds.
    func resize(kibibytes: Int) throws {
        let remount = try PythonClients.run("/bin/mount", ["-o", "remount,size=\(kibibytes)k", path])
        try #require(remount.status == 0, "\(remount.output)")
    }

    /// Unmounts it (what it holds is gone).
    func unmount() {
        _ = try? PythonClients.run("/bin/umount", [path])
    }
}
