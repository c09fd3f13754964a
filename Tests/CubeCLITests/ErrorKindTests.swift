import CubeCLI
import CubeCore
import CubeTestSupport
import CubeZarr
import Foundation
import Testing

/// Exit 64 is for usage errors only: data problems are runtime errors (exit 1), library
/// messages speak of data, and only the command line names its options.
@Suite struct ErrorKindTests {
    /// A copy of the rechunk fixture whose `t2m` metadata asks for zstd level 99.
    static func storeWithBadCodecLevel() throws -> RechunkFixture {
        let fixture = try RechunkFixture()
        let path = fixture.source + "/t2m/zarr.json"
        var text = try String(contentsOfFile: path, encoding: .utf8)
        let level = try #require(text.range(of: #""level": 1"#) ?? text.range(of: #""level":1"#))
        text.replaceSubrange(level, with: #""level": 99"#)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: fixture.source + "/zarr.json")
        try ZarrNode(path: "", kind: .group(GroupMetadata(format: .v3, attributes: [:]))).write(to: try DirectoryStore(path: fixture.source))
        return fixture
    }

    @Test func badMetadataIsARuntimeError() throws {
        let fixture = try Self.storeWithBadCodecLevel()
        let result = RechunkCommand.runCapturing([fixture.source, "-o", fixture.directory + "/out.zarr", "--chunks", "time=-1", "-q"])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("zstd"), "\(result.stderr)")
    }

    @Test func aLinkLeadingOutOfTheStoreIsARuntimeError() throws {
        let fixture = try RechunkFixture()
        let chunk = fixture.source + "/t2m/c/0/0/0"
        try FileManager.default.removeItem(atPath: chunk)
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: fixture.directory + "/outside"))
        try FileManager.default.createSymbolicLink(atPath: chunk, withDestinationPath: fixture.directory + "/outside")
        let result = RechunkCommand.runCapturing([fixture.source, "-o", fixture.directory + "/out.zarr", "--chunks", "time=-1", "-q"])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("outside the store root"), "\(result.stderr)")
    }

    /// The library says what would help; the command line names the option.
    @Test func remediesAreNamedAsOptions() throws {
        let output = FileManager.default.temporaryDirectory.path + "/cube-\(UUID().uuidString).zarr"
        let first = ConvertCommand.runCapturing([PythonClients.path("fixtures/netcdf/classic.nc"), "-o", output, "-q"])
        #expect(first.status == 0, "\(first.stderr)")
        let again = ConvertCommand.runCapturing([PythonClients.path("fixtures/netcdf/classic.nc"), "-o", output, "-q"])
        #expect(again.status == 1)
        #expect(again.stderr.contains("output already exists; use --overwrite to replace it"), "\(again.stderr)")
        let zlib = ConvertCommand.runCapturing([PythonClients.path("fixtures/netcdf/classic.nc"), "-o", output + "-zlib",
                                                "--codec", "zlib"])
        #expect(zlib.status == 64)
        #expect(zlib.stderr.contains("has no Zarr v3 form (Zarr v3 has zstd, gzip and blosc); use --zarr-format 2"), "\(zlib.stderr)")
    }

    /// No error raised below the command line names a command-line option: a message there
    /// cannot know which tool, or which option, the user reached it through.
    @Test func libraryErrorsNameNoOptions() throws {
        let sources = PythonClients.repositoryRoot.appendingPathComponent("Sources")
        let files = FileManager.default.enumerator(atPath: sources.path)?.compactMap { $0 as? String } ?? []
        var offenders: [String] = []
        for file in files where file.hasSuffix(".swift") && !file.hasPrefix("CubeCLI/") {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            where line.contains("CubeError(") && line.range(of: #""[^"]*--[a-z][^"]*""#, options: .regularExpression) != nil {
                offenders.append("\(file):\(number + 1)")
            }
        }
        #expect(offenders.isEmpty, "library errors naming options: \(offenders)")
    }
}
