import CubeCLI
import CubeCore
import CubeTestSupport
import CubeZarr
import Foundation
import Testing

/// Outputs that are, lie inside, or contain an input are refused before anything is touched,
/// however the paths are spelled.
@Suite(.enabled(if: BuiltTools.directory != nil, "the tools are not built beside the tests"))
struct OutputOverlapTests {
    static let chunks = ["--chunks", "time=-1,lat=4,lon=4"]

    /// Runs the built `cube-rechunk` from inside the fixture's directory (so relative
    /// spellings mean what they say) and checks it was refused as a usage error naming an
    /// overlap, with the source intact.
    func expectRefusedRechunk(_ fixture: RechunkFixture, _ arguments: [String], mentions: String,
                              sourceLocation: SourceLocation = #_sourceLocation) throws {
        let before = try RechunkFixture.files(fixture.source)
        let result = try BuiltTools.run("cube-rechunk", arguments + ["-q"], in: fixture.directory)
        #expect(result.status == 64, "\(arguments): \(result.output)", sourceLocation: sourceLocation)
        #expect(result.output.contains(mentions), "\(arguments): \(result.output)", sourceLocation: sourceLocation)
        #expect(try RechunkFixture.files(fixture.source) == before, "the source changed", sourceLocation: sourceLocation)
    }

    @Test func theSameStoreIsRefusedHoweverItIsSpelled() throws {
        let fixture = try RechunkFixture()
        try FileManager.default.createSymbolicLink(atPath: fixture.directory + "/link.zarr", withDestinationPath: fixture.source)
        try FileManager.default.createDirectory(atPath: fixture.directory + "/sub", withIntermediateDirectories: false)
        for output in ["source.zarr", "./source.zarr/", "source.zarr//", "sub/../source.zarr", fixture.source,
                       "link.zarr", "file://" + fixture.source] {
            try expectRefusedRechunk(fixture, ["source.zarr", "-o", output, "--overwrite"] + Self.chunks,
                                     mentions: "is the input")
        }
    }

    @Test func anOutputInsideTheSourceIsRefused() throws {
        let fixture = try RechunkFixture()
        for output in ["source.zarr/inner.zarr", "source.zarr/t2m/new.zarr", "link-free/../source.zarr/deeper/x.zarr"] {
            try expectRefusedRechunk(fixture, ["source.zarr", "-o", output] + Self.chunks, mentions: "lies inside")
        }
        // An array of a hierarchy stands for its whole store: a sibling node is inside it too.
        try expectRefusedRechunk(fixture, ["source.zarr/t2m", "-o", "source.zarr/t2m-series"] + Self.chunks,
                                 mentions: "Zarr hierarchy")
    }

    @Test func anOutputContainingTheSourceIsRefused() throws {
        let fixture = try RechunkFixture()
        let parent = (fixture.directory as NSString).deletingLastPathComponent
        try expectRefusedRechunk(fixture, ["source.zarr", "-o", fixture.directory, "--overwrite"] + Self.chunks,
                                 mentions: "contains")
        try expectRefusedRechunk(fixture, ["source.zarr", "-o", ".", "--overwrite"] + Self.chunks, mentions: "contains")
        try expectRefusedRechunk(fixture, ["source.zarr", "-o", parent + "/", "--overwrite"] + Self.chunks, mentions: "contains")
    }

    @Test func intermediatesInsideTheSourceAreRefused() throws {
        let fixture = try RechunkFixture()
        try expectRefusedRechunk(fixture, ["source.zarr", "-o", "out.zarr", "--temp", "source.zarr", "--max-mem", "3MiB"] + Self.chunks,
                                 mentions: "directory for intermediate stores lies inside")
        #expect(!FileManager.default.fileExists(atPath: fixture.directory + "/out.zarr"))
    }

    @Test func aBindMountOfTheSourceIsRecognised() throws {
        let fixture = try RechunkFixture()
        let mountPoint = fixture.directory + "/mounted"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: false)
        let mount = try PythonClients.run("/bin/mount", ["--bind", fixture.source, mountPoint])
        guard mount.status == 0 else { return }  // not root, or no mount namespace: nothing to check
        defer { _ = try? PythonClients.run("/bin/umount", [mountPoint]) }
        try expectRefusedRechunk(fixture, ["source.zarr", "-o", "mounted", "--overwrite"] + Self.chunks, mentions: "is the input")
        try expectRefusedRechunk(fixture, ["source.zarr", "-o", "mounted/inner.zarr"] + Self.chunks, mentions: "lies inside")
    }

    @Test func aSeparateOutputBesideTheSourceIsAccepted() throws {
        let fixture = try RechunkFixture()
        let result = try BuiltTools.run("cube-rechunk", ["source.zarr", "-o", "source.zarr-series", "-q"] + Self.chunks,
                                        in: fixture.directory)
        #expect(result.status == 0, "\(result.output)")
    }

    @Test func convertRefusesToReplaceOrEncloseItsInput() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cube-overlap-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let input = directory + "/nc4.nc"
        try FileManager.default.copyItem(atPath: PythonClients.path("fixtures/netcdf/nc4.nc"), toPath: input)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: input))
        for (output, mentions) in [(input, "is the input"), (directory, "contains"), (directory + "/../" + (directory as NSString).lastPathComponent, "contains")] {
            let result = ConvertCommand.runCapturing([input, "-o", output, "--overwrite", "-q"])
            #expect(result.status == 64, "\(output): \(result.stderr)")
            #expect(result.stderr.contains(mentions), "\(output): \(result.stderr)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: input)) == bytes)
        }
    }
}
