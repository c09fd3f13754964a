import CubeCore
import CubeNetCDF
import Foundation
import Testing

/// The NetCDF/HDF5 fixture files (`fixtures/netcdf/`, made by `fixtures/make_netcdf_fixtures.py`).
///
/// `CUBE_NETCDF_FIXTURES` points the tests at another directory (for example a fresh
/// `--out` of the generator).
enum NetCDFFixtures {
    /// The fixture directory.
    static let directory: String = ProcessInfo.processInfo.environment["CUBE_NETCDF_FIXTURES"]
        ?? Repo.path("fixtures/netcdf")

    /// Every `.nc`/`.h5`/`.nc4`/`.cdf` file below the directory, relative to it, sorted.
    static let files: [String] = {
        guard let walker = FileManager.default.enumerator(atPath: directory) else { return [] }
        let extensions: Set<String> = ["nc", "nc4", "h5", "hdf5", "cdf"]
        return walker.compactMap { $0 as? String }
            .filter { extensions.contains(($0 as NSString).pathExtension.lowercased()) }
            .sorted()
    }()

    /// Every variable in a group tree.
    static func variables(_ group: DatasetGroup) -> [any ArraySource] {
        group.allGroups.flatMap(\.variables)
    }
}

@Suite struct NetCDFFixtureTests {
    /// Every fixture opens, its whole tree is read, and every variable reads back with the
    /// shape and byte size its metadata promise. Exact values are checked elsewhere.
    @Test(arguments: NetCDFFixtures.files)
    func fixtureTreeReads(_ relative: String) throws {
        let path = (NetCDFFixtures.directory as NSString).appendingPathComponent(relative)
        let file = try NetCDFFile.open(path: path)
        let (root, unsupported) = try file.readDataset(skipUnsupported: true)
        #expect(root.path == "")

        // Without skipping, only unsupported variables may make reading fail, and the
        // error names the file.
        do {
            _ = try file.readDataset(skipUnsupported: false)
            #expect(unsupported.allSatisfy { $0.path.contains("@") }, "\(unsupported)")
        } catch let error as CubeError {
            #expect(error.kind == .unsupported)
            #expect(error.context?.hasPrefix(path) == true)
            #expect(unsupported.contains { !$0.path.contains("@") })
        }

        for group in root.allGroups {
            let names = group.variables.map { $0.path.split(separator: "/").last.map(String.init) ?? "" }
            #expect(Set(group.storage.keys) == Set(names), "\(relative) \(group.path)")
            for variable in group.variables {
                let label = "\(relative): \(variable.path)"
                let expectedPrefix = group.path.isEmpty ? "" : group.path + "/"
                #expect(variable.path.hasPrefix(expectedPrefix), "\(label)")
                #expect(variable.dimensionNames.count == variable.shape.count, "\(label)")
                if let chunks = variable.chunkShape {
                    #expect(chunks.count == variable.shape.count, "\(label)")
                    #expect(chunks.allSatisfy { $0 > 0 }, "\(label)")
                }
                let count = ShapeMath.product(variable.shape)
                // Whole variable when small, otherwise its first element (or nothing when empty).
                let region = count <= 1 << 20
                    ? Region(shape: variable.shape)
                    : Region(start: variable.shape.map { _ in 0 }, count: variable.shape.map { min($0, 1) })
                let data = try variable.read(region)
                #expect(data.shape == region.count, "\(label)")
                #expect(data.dataType == variable.dataType, "\(label)")
                switch data.storage {
                case .fixed(let raw):
                    #expect(raw.count == region.elementCount * variable.dataType.itemSize, "\(label)")
                case .strings(let strings):
                    #expect(variable.dataType == .string, "\(label)")
                    #expect(strings.count == region.elementCount, "\(label)")
                }
            }
        }
        // Concurrent reads of every variable agree with serial ones.
        let variables = NetCDFFixtures.variables(root).filter { ShapeMath.product($0.shape) <= 1 << 16 }
        let serial = try variables.map { try $0.read(Region(shape: $0.shape)) }
        let log = FailureLog()
        DispatchQueue.concurrentPerform(iterations: variables.count * 4) { task in
            let index = task % variables.count
            do {
                if try variables[index].read(Region(shape: variables[index].shape)) != serial[index] {
                    log.add("\(variables[index].path): concurrent read differs")
                }
            } catch {
                log.add("\(variables[index].path): \(error)")
            }
        }
        #expect(log.entries == [])
    }

    /// The generator's unsupported-type fixture: the vlen variable is refused or skipped, the
    /// compound and the ordinary variable next to it stay readable.
    @Test(.enabled(if: NetCDFFixtures.files.contains("unsupported.nc")))
    func unsupportedFixture() throws {
        let path = (NetCDFFixtures.directory as NSString).appendingPathComponent("unsupported.nc")
        let file = try NetCDFFile.open(path: path)
        #expect(throws: CubeError.self) { try file.readDataset(skipUnsupported: false) }
        let (root, unsupported) = try file.readDataset(skipUnsupported: true)
        #expect(unsupported.map(\.path) == ["ragged"])
        #expect(unsupported.first { $0.path == "ragged" }?.reason.contains("vlen") == true)
        #expect(root.variables.map(\.path) == ["samples", "plain"])
        let samples = try #require(root.variablesByPath["samples"])
        #expect("\(samples.dataType)" == "structured{depth: float32, count: int32}")
    }
}
