import CubeCore
import CubeEngine
import CubeZarr
import Foundation
import Testing

@Suite struct ConverterTests {
    func dataset(_ sources: [any ArraySource], path: String = "synthetic.nc") -> OpenedDataset {
        OpenedDataset(path: path, formatDescription: "synthetic",
                      root: DatasetGroup(path: "", variables: sources, attributes: [Attribute("title", .text("test"))]),
                      unsupported: [])
    }

    func convert(_ source: SyntheticSource, _ configure: (inout ConvertOptions) -> Void = { _ in }) throws -> (String, ConvertSummary) {
        let output = temporaryPath("out.zarr")
        var options = ConvertOptions(inputs: [], output: output)
        options.jobs = 4
        configure(&options)
        let plan = try ConvertPlanner.plan([dataset([source])], options: options)
        return (output, try Converter.run(plan, options: options))
    }

    @Test(arguments: [ZarrFormat.v2, .v3])
    func roundTripsWithRequestedChunks(format: ZarrFormat) throws {
        let source = SyntheticSource(shape: [7, 10, 12], chunkShape: [1, 10, 12])
        let (output, summary) = try convert(source) {
            $0.format = format
            $0.chunks = try! ChunkRequest(parsing: ["time=-1,lat=3,lon=5"])
        }
        #expect(summary.arrays == 1)
        let array = try ZarrHierarchy.open(try DirectoryStore(path: output)).array(at: "t2m")
        #expect(array.metadata.chunkShape == [7, 3, 5])
        #expect(array.metadata.dimensionNames == ["time", "lat", "lon"])
        #expect(try array.readAll() == (try source.expected()))
    }

    @Test func keepsSourceChunksByDefaultAndShards() throws {
        let source = SyntheticSource(shape: [6, 8, 8], chunkShape: [2, 4, 4])
        let (output, _) = try convert(source) { $0.shards = try! ChunkRequest(parsing: ["time=6,lat=8"]) }
        let array = try ZarrArray.open(try DirectoryStore(path: output), path: "t2m")
        #expect(array.metadata.innerChunkShape == [2, 4, 4])
        #expect(array.metadata.chunkShape == [6, 8, 4])
        #expect(try array.readAll() == (try source.expected()))
    }

    /// Each source chunk is read once even when it spans several output chunks.
    @Test func sourceChunksAreReadOnce() throws {
        let source = SyntheticSource(shape: [8, 16, 16], chunkShape: [8, 16, 16])
        _ = try convert(source) { $0.chunks = try! ChunkRequest(parsing: ["time=1"]) }
        #expect(source.readCount == 1)
        #expect(source.elementCount == 8 * 16 * 16)
    }

    /// The bytes held by running tasks stay inside the budget whatever the job count.
    @Test(arguments: [1, 4, 16])
    func peakStaysInsideTheBudget(jobs: Int) throws {
        let source = SyntheticSource(shape: [64, 128, 128], chunkShape: [1, 128, 128])
        let budget = 8 << 20
        let (_, summary) = try convert(source) {
            $0.jobs = jobs
            $0.memoryBudget = budget
        }
        #expect(summary.peakTaskBytes > 0)
        #expect(summary.peakTaskBytes <= budget)
        // A rechunk that needs intermediates stays inside the budget too.
        let (output, rechunked) = try convert(source) {
            $0.jobs = jobs
            $0.memoryBudget = budget
            $0.chunks = try! ChunkRequest(parsing: ["time=-1,lat=8,lon=8"])
        }
        #expect(rechunked.peakTaskBytes <= budget)
        #expect(try ZarrArray.open(try DirectoryStore(path: output), path: "t2m").readAll() == (try source.expected()))
    }

    /// A failed conversion leaves an output that does not look finished (marked incomplete,
    /// no consolidated metadata) and nothing beside it; the same conversion continues it.
    @Test func failureLeavesAnOutputMarkedIncompleteThatTheSameRunFinishes() throws {
        let failing = SyntheticSource(shape: [20, 4, 4], chunkShape: [1, 4, 4], failAfter: 5)
        let output = temporaryPath("failed.zarr")
        var options = ConvertOptions(inputs: [], output: output)
        options.jobs = 2
        let plan = try ConvertPlanner.plan([dataset([failing])], options: options)
        #expect(throws: CubeError.self) { try Converter.run(plan, options: options) }
        let root = try #require(try ZarrNode.read(try DirectoryStore(path: output), path: ""))
        guard case .group(let group) = root.kind else { Issue.record("the root is not a group"); return }
        #expect(group.attributes[Converter.incompleteAttribute] == true)
        #expect(!(try ConsolidatedMetadata.check(try DirectoryStore(path: output)).isCurrent))
        let parent = (output as NSString).deletingLastPathComponent
        let name = (output as NSString).lastPathComponent
        let beside = try FileManager.default.contentsOfDirectory(atPath: parent).filter { $0.contains(name) && $0 != name }
        #expect(beside.isEmpty)

        let working = SyntheticSource(shape: [20, 4, 4], chunkShape: [1, 4, 4])
        let summary = try Converter.run(try ConvertPlanner.plan([dataset([working])], options: options), options: options)
        #expect(summary.resumed)
        #expect(try ZarrArray.open(try DirectoryStore(path: output), path: working.path).readAll() == (try working.expected()))
        #expect(try ConsolidatedMetadata.check(try DirectoryStore(path: output)).isCurrent)
    }

    @Test func existingOutputIsRefusedUnlessOverwrite() throws {
        let source = SyntheticSource(shape: [4, 4])
        let (output, _) = try convert(source)
        var options = ConvertOptions(inputs: [], output: output)
        let plan = try ConvertPlanner.plan([dataset([source])], options: options)
        #expect(throws: CubeError.self) { try Converter.run(plan, options: options) }
        options.overwrite = true
        _ = try Converter.run(plan, options: options)
        #expect(try ConsolidatedMetadata.check(try DirectoryStore(path: output)).isCurrent)
    }

    @Test func unknownChunkDimensionIsAUsageError() throws {
        let source = SyntheticSource(shape: [4, 4])
        var options = ConvertOptions(inputs: [], output: temporaryPath("x.zarr"))
        options.chunks = try ChunkRequest(parsing: ["depth=2"])
        #expect(throws: CubeError.self) { try ConvertPlanner.plan([dataset([source])], options: options) }
    }

    @Test func concatenatesAlongADimension() throws {
        let a = SyntheticSource(shape: [3, 4], dimensionNames: ["time", "x"])
        let b = SyntheticSource(shape: [2, 4], dimensionNames: ["time", "x"])
        let output = temporaryPath("concat.zarr")
        var options = ConvertOptions(inputs: [], output: output)
        options.concatDimension = "time"
        let plan = try ConvertPlanner.plan([dataset([a], path: "a.nc"), dataset([b], path: "b.nc")], options: options)
        _ = try Converter.run(plan, options: options)
        let array = try ZarrArray.open(try DirectoryStore(path: output), path: "t2m")
        #expect(array.shape == [5, 4])
        let values = try array.read(Region(start: [3, 0], count: [2, 4]))
        #expect(values == (try b.expected()))
    }
}

@Suite struct CFMappingTests {
    func metadata(_ attributes: [Attribute], type: DataType = .float32, format: ZarrFormat) throws -> ArrayMetadata {
        let source = SyntheticSource(shape: [2], dimensionNames: ["x"], attributes: attributes)
        _ = type
        return try CFMapping.arrayMetadata(for: source, format: format, chunkShape: [2])
    }

    @Test func v2MovesFillValueIntoMetadata() throws {
        let fill = Attribute("_FillValue", .numbers(.float32, withUnsafeBytes(of: Float(-9999)) { Array($0) }))
        let m = try metadata([fill, Attribute("units", .text("K")), Attribute("_Netcdf4Dimid", .numbers(.int32, [0, 0, 0, 0]))], format: .v2)
        #expect(m.fillValueJSON == .double(-9999))
        #expect(m.attributes == ["units": "K"])
        #expect(try metadata([], format: .v2).fillValueJSON == "NaN")
    }

    @Test func v3KeepsFillValueAsXarrayDoes() throws {
        let fill = Attribute("_FillValue", .numbers(.float32, withUnsafeBytes(of: Float(-9999)) { Array($0) }))
        let m = try metadata([fill], format: .v3)
        #expect(m.fillValueJSON == "NaN")
        #expect(m.attributes["_FillValue"] == "AAAAAICHw8A=")
        #expect(try metadata([], format: .v3).attributes["_FillValue"] == "AAAAAAAA+H8=")
    }

    @Test func attributeValuesBecomeScalarsOrLists() {
        #expect(CFMapping.json(.numbers(.int16, [1, 0])) == 1)
        #expect(CFMapping.json(.numbers(.int16, [1, 0, 2, 0])) == [1, 2])
        #expect(CFMapping.json(.strings(["a"])) == "a")
        #expect(CFMapping.json(.strings(["a", "b"])) == ["a", "b"])
        #expect(CFMapping.json(.numbers(.float64, withUnsafeBytes(of: Double.nan) { Array($0) })).numberValue?.isNaN == true)
    }

    @Test func autoChunksAreAboutFourMebibytes() {
        let chunks = AutoChunks.chunks(shape: [8760, 721, 1440], itemSize: 4)
        let bytes = chunks.reduce(4, *)
        #expect(bytes <= 8 << 20 && bytes >= 1 << 20)
        #expect(AutoChunks.chunks(shape: [10, 10], itemSize: 4) == [10, 10])
        #expect(AutoChunks.chunks(shape: [0], itemSize: 4) == [1])
    }
}
