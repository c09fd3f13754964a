import CHDF5
import CubeCore
import CubeHDF5
import Foundation
import Testing

/// Dimension names of every variable of a model, by path.
func dimensionNames(_ root: DatasetGroup) -> [String: [String]] {
    var result: [String: [String]] = [:]
    for group in root.allGroups {
        for variable in group.variables { result[variable.path] = variable.dimensionNames }
    }
    return result
}

/// A group of a model by path.
func group(_ path: String, in root: DatasetGroup) -> DatasetGroup? {
    root.allGroups.first { $0.path == path }
}

extension HDF5ModelTests {
    /// A group of a model by path (for tests whose arguments shadow ``group(_:in:)``).
    static func groupNamed(_ path: String, in root: DatasetGroup) -> DatasetGroup? {
        group(path, in: root)
    }
}

@Suite("HDF5 file model")
struct HDF5ModelTests {
    @Test("groups, nested groups, link order and attributes map onto the dataset model")
    func groupsAndAttributes() throws {
        let builder = try H5Builder("groups")
        try builder.textAttribute("/", "title", "test file")
        try builder.attribute("/", "version", type: h5(cube_H5T_STD_I32BE), bytes: rawBytes([Int32(3)]),
                              memoryType: h5(cube_H5T_NATIVE_INT32))
        try builder.attribute("/", "valid_range", type: h5(cube_H5T_IEEE_F32LE), shape: [2], bytes: rawBytes([Float(-1), 1]),
                              memoryType: h5(cube_H5T_NATIVE_FLOAT))
        try builder.group("b")
        try builder.referenceAttribute("/", "pointer", target: "/b")
        try builder.group("a/inner/deep")
        try builder.group("ordered", trackOrder: true)
        try builder.dataset("top", type: h5(cube_H5T_STD_U8LE), shape: [2], data: [1, 2])
        try builder.dataset("a/inner/v", type: h5(cube_H5T_STD_I16LE), shape: [3], chunks: [2], filters: [.deflate(1)],
                            data: rawBytes([Int16(1), 2, 3]), memoryType: h5(cube_H5T_NATIVE_INT16))
        try builder.dataset("a/inner/deep/scalar", type: h5(cube_H5T_IEEE_F64LE), shape: [], data: rawBytes([273.15]),
                            memoryType: h5(cube_H5T_NATIVE_DOUBLE))
        for name in ["zeta", "alpha", "mid"] {
            try builder.dataset("ordered/\(name)", type: h5(cube_H5T_STD_U8LE), shape: [1], data: [7])
        }
        try builder.textAttribute("ordered", "z_first", "1")
        try builder.textAttribute("ordered", "a_second", "2")
        try builder.referenceAttribute("top", "ref", target: "/a")
        try builder.softLink("alias", to: "/a/inner/v")
        try builder.softLink("dangling", to: "/does/not/exist")
        try builder.hardLink("a/inner/deep/loop", to: "/a")  // a cycle back to /a
        builder.close()

        let file = try HDF5File(path: builder.path)
        let (root, unsupported) = try file.readDataset()
        #expect(unsupported.isEmpty)
        #expect(root.path == "")
        #expect(root.groups.map(\.path) == ["a", "b", "ordered"])
        #expect(root.variables.map(\.path) == ["alias", "top"])
        let attributes = Dictionary(uniqueKeysWithValues: root.attributes.map { ($0.name, $0.value) })
        #expect(root.attributes.map(\.name) == ["title", "valid_range", "version"])  // name order; reference skipped
        #expect(attributes["title"] == .text("test file"))
        #expect(attributes["version"] == .numbers(.int32, rawBytes([Int32(3)])))
        #expect(attributes["valid_range"] == .numbers(.float32, rawBytes([Float(-1), 1])))

        let inner = try #require(group("a/inner", in: root))
        #expect(inner.variables.map(\.path) == ["a/inner/v"])
        #expect(inner.storage["v"]?.layout == "chunked")
        #expect(inner.storage["v"]?.filters == ["deflate(level=1)"])
        #expect(inner.groups.map(\.path) == ["a/inner/deep"])
        let deep = try #require(group("a/inner/deep", in: root))
        #expect(deep.groups.isEmpty)  // the hard link back to /a is not followed twice
        let scalar = try #require(variable("a/inner/deep/scalar", in: root))
        #expect(scalar.shape == [])
        #expect(scalar.dimensionNames == [])
        #expect(try scalar.read(Region(shape: [])).bytes == rawBytes([273.15]))

        let ordered = try #require(group("ordered", in: root))
        #expect(ordered.variables.map(\.path) == ["ordered/zeta", "ordered/alpha", "ordered/mid"])
        #expect(ordered.attributes.map(\.name) == ["z_first", "a_second"])

        let alias = try #require(variable("alias", in: root))
        #expect(try alias.read(Region(shape: [3])).bytes == rawBytes([Int16(1), 2, 3]))
        let top = try #require(variable("top", in: root))
        #expect(top.attributes.isEmpty)  // the reference attribute is skipped
    }

    @Test("attached dimension scales name dimensions; scales name their own")
    func dimensionScales() throws {
        let builder = try H5Builder("scales")
        try builder.dataset("x", type: h5(cube_H5T_IEEE_F32LE), shape: [10])
        try builder.dataset("y", type: h5(cube_H5T_IEEE_F32LE), shape: [20])
        try builder.dataset("y2", type: h5(cube_H5T_IEEE_F32LE), shape: [20])
        try builder.dataset("lat", type: h5(cube_H5T_IEEE_F32LE), shape: [20])
        try builder.dataset("time", type: h5(cube_H5T_IEEE_F64LE), shape: [3], maxShape: [nil], chunks: [4])
        for scale in ["x", "y", "y2", "time"] { try builder.makeScale(scale, name: scale) }
        try builder.makeScale("lat", name: "latitude")  // the link name wins, as in h5netcdf
        try builder.dataset("data", type: h5(cube_H5T_IEEE_F32LE), shape: [20, 10])
        try builder.attach("data", scales: [["/y"], ["/x"]])
        try builder.dataset("multi", type: h5(cube_H5T_IEEE_F32LE), shape: [20, 10])
        try builder.attach("multi", scales: [["/y", "/y2"], ["/x"]])  // last attached scale wins
        try builder.dataset("on_lat", type: h5(cube_H5T_IEEE_F32LE), shape: [20])
        try builder.attach("on_lat", scales: [["/lat"]])
        try builder.dataset("series", type: h5(cube_H5T_IEEE_F32LE), shape: [5, 10], maxShape: [nil, 10], chunks: [1, 10])
        try builder.attach("series", scales: [["/time"], ["/x"]])
        try builder.dataset("sub/local", type: h5(cube_H5T_IEEE_F32LE), shape: [10])
        try builder.attach("sub/local", scales: [["/x"]])
        builder.close()

        let file = try HDF5File(path: builder.path)
        let (root, _) = try file.readDataset()
        let names = dimensionNames(root)
        #expect(names["data"] == ["y", "x"])
        #expect(names["multi"] == ["y2", "x"])
        #expect(names["on_lat"] == ["lat"])
        #expect(names["series"] == ["time", "x"])
        #expect(names["sub/local"] == ["x"])
        for scale in ["x", "y", "y2", "lat", "time"] { #expect(names[scale] == [scale]) }
        #expect(root.dimensions == [
            DimensionInfo(name: "lat", length: 20), DimensionInfo(name: "time", length: 5, isUnlimited: true),
            DimensionInfo(name: "x", length: 10), DimensionInfo(name: "y", length: 20), DimensionInfo(name: "y2", length: 20),
        ])
        // Internal attributes are kept for the converter to drop; the reference list is skipped.
        let data = try #require(variable("data", in: root))
        #expect(data.attributes.isEmpty)
        let lat = try #require(variable("lat", in: root))
        #expect(lat.attributes.map(\.name) == ["CLASS", "NAME"])
        // One dataset opened alone finds the same names.
        #expect(try file.dataset(atPath: "multi").dimensionNames == ["y2", "x"])
        #expect(try file.dataset(atPath: "data", dimensionNames: ["a", "b"]).dimensionNames == ["a", "b"])
    }

    /// h5netcdf's own test (`test_invalid_netcdf4`): two groups of unlabeled datasets.
    @Test("datasets without scales get phony_dim_N exactly as h5netcdf names them", arguments: HDF5PhonyDimensions.allCases)
    func phonyDimensions(_ mode: HDF5PhonyDimensions) throws {
        let builder = try H5Builder("phony")
        for group in ["bar", "baz"] {
            for (name, shape) in [("foo1", [5, 5, 5]), ("foo2", [25, 5, 5]), ("foo3", [5, 5, 5]), ("foo4", [25, 5, 5]),
                                  ("x", [5]), ("y", [5]), ("z", [5]), ("x1", [25]), ("y1", [5]), ("z1", [5])] {
                try builder.dataset("\(group)/\(name)", type: h5(cube_H5T_STD_I64LE), shape: shape)
            }
        }
        builder.close()
        let (root, _) = try HDF5File(path: builder.path).readDataset(phonyDimensions: mode)
        let names = dimensionNames(root)
        for (i, group) in ["bar", "baz"].enumerated() {
            func p(_ n: Int) -> String { "phony_dim_\(n + 4 * i)" }
            #expect(names["\(group)/foo1"] == [p(0), p(1), p(2)])
            #expect(names["\(group)/foo2"] == [p(3), p(0), p(1)])
            #expect(names["\(group)/foo3"] == [p(0), p(1), p(2)])
            #expect(names["\(group)/foo4"] == [p(3), p(0), p(1)])
            for name in ["x", "y", "z", "y1", "z1"] { #expect(names["\(group)/\(name)"] == [p(0)]) }
            #expect(names["\(group)/x1"] == [p(3)])
            #expect(HDF5ModelTests.groupNamed(group, in: root)?.dimensions == [
                DimensionInfo(name: p(0), length: 5), DimensionInfo(name: p(1), length: 5),
                DimensionInfo(name: p(2), length: 5), DimensionInfo(name: p(3), length: 25),
            ])
        }
        #expect(root.dimensions.isEmpty)
    }

    /// h5netcdf's own test (`test_invalid_netcdf4_mixed`): scales and unlabeled datasets in one group.
    @Test("phony dimensions next to dimension scales are numbered as h5netcdf does", arguments: HDF5PhonyDimensions.allCases)
    func mixedPhonyDimensions(_ mode: HDF5PhonyDimensions) throws {
        let builder = try H5Builder("mixed")
        for (name, shape) in [("foo1", [5, 5, 5]), ("foo2", [25, 5, 5]), ("foo3", [5, 5, 5]), ("foo4", [25, 5, 5]),
                              ("x", [5]), ("y", [5]), ("z", [5]), ("x1", [25]), ("y1", [5]), ("z1", [5])] {
            try builder.dataset(name, type: h5(cube_H5T_STD_I64LE), shape: shape)
        }
        for scale in ["x1", "y1", "z1"] { try builder.makeScale(scale) }
        try builder.attach("foo2", scales: [["/x1"], ["/y1"], ["/z1"]])
        builder.close()
        let (root, _) = try HDF5File(path: builder.path).readDataset(phonyDimensions: mode)
        let names = dimensionNames(root)
        // sort: three labeled dimensions come first (netCDF-C numbering); access: phony ones only.
        let phony = mode == .sort ? "phony_dim_3" : "phony_dim_0"
        #expect(names["foo1"] == ["y1", "z1", phony])
        #expect(names["foo2"] == ["x1", "y1", "z1"])
        #expect(names["foo3"] == ["y1", "z1", phony])
        #expect(names["foo4"] == ["x1", "y1", "z1"])
        for name in ["x", "y", "z"] { #expect(names[name] == ["y1"]) }
        #expect(names["x1"] == ["x1"])
        #expect(names["y1"] == ["y1"])
        #expect(names["z1"] == ["z1"])
        #expect(root.dimensions.map(\.name) == ["x1", "y1", "z1", phony])
    }

    // The expected names below are what h5netcdf 1.7 (phony_dims "sort" and "access")
    // gives for the same files written with h5py.

    @Test("phony numbering runs through nested groups depth first; one dataset opened alone agrees")
    func nestedPhonyDimensions() throws {
        let builder = try H5Builder("nested-phony")
        try builder.dataset("t", type: h5(cube_H5T_IEEE_F64LE), shape: [3])
        try builder.dataset("b/v", type: h5(cube_H5T_IEEE_F64LE), shape: [4, 3])
        try builder.dataset("a/w", type: h5(cube_H5T_IEEE_F64LE), shape: [4, 4])
        try builder.dataset("a/deep/u", type: h5(cube_H5T_IEEE_F64LE), shape: [2])
        try builder.dataset("a/scale", type: h5(cube_H5T_IEEE_F64LE), shape: [7])
        try builder.makeScale("a/scale", name: "scale")
        try builder.dataset("x", type: h5(cube_H5T_IEEE_F64LE), shape: [9])
        try builder.makeScale("x", name: "x")
        try builder.dataset("a/x", type: h5(cube_H5T_IEEE_F64LE), shape: [5])  // named like a dimension of the root
        try builder.dataset("a/m", type: h5(cube_H5T_IEEE_F64LE), shape: [9, 7, 4])
        builder.close()
        let file = try HDF5File(path: builder.path)
        let (root, _) = try file.readDataset()
        #expect(dimensionNames(root) == [
            "a/deep/u": ["phony_dim_7"], "a/m": ["phony_dim_3", "scale", "phony_dim_4"], "a/scale": ["scale"],
            "a/w": ["phony_dim_4", "phony_dim_5"], "a/x": ["x"], "b/v": ["phony_dim_8", "phony_dim_9"],
            "t": ["phony_dim_1"], "x": ["x"],
        ])
        #expect(group("a", in: root)?.dimensions == [
            DimensionInfo(name: "scale", length: 7), DimensionInfo(name: "phony_dim_3", length: 9),
            DimensionInfo(name: "phony_dim_4", length: 4), DimensionInfo(name: "phony_dim_5", length: 4),
            DimensionInfo(name: "phony_dim_6", length: 5),
        ])
        #expect(try file.dataset(atPath: "b/v").dimensionNames == ["phony_dim_8", "phony_dim_9"])
        #expect(dimensionNames(try file.readDataset(phonyDimensions: .access).root) == [
            "a/deep/u": ["phony_dim_5"], "a/m": ["phony_dim_1", "scale", "phony_dim_2"], "a/scale": ["scale"],
            "a/w": ["phony_dim_2", "phony_dim_3"], "a/x": ["x"], "b/v": ["phony_dim_6", "phony_dim_7"],
            "t": ["phony_dim_0"], "x": ["x"],
        ])
    }

    @Test("groups tracking creation order are walked in that order")
    func creationOrderPhonyDimensions() throws {
        let builder = try H5Builder("ordered-phony", trackOrder: true)
        try builder.dataset("zz", type: h5(cube_H5T_IEEE_F64LE), shape: [3, 2])
        try builder.dataset("aa", type: h5(cube_H5T_IEEE_F64LE), shape: [2])
        try builder.dataset("mm", type: h5(cube_H5T_IEEE_F64LE), shape: [6, 3, 3])
        try builder.group("q_group", trackOrder: true)
        try builder.dataset("q_group/k", type: h5(cube_H5T_IEEE_F64LE), shape: [2, 2])
        try builder.group("b_group")
        try builder.dataset("b_group/k", type: h5(cube_H5T_IEEE_F64LE), shape: [3])
        builder.close()
        let (root, _) = try HDF5File(path: builder.path).readDataset()
        #expect(root.groups.map(\.path) == ["q_group", "b_group"])
        #expect(dimensionNames(root) == [
            "aa": ["phony_dim_2"], "b_group/k": ["phony_dim_6"], "mm": ["phony_dim_3", "phony_dim_0", "phony_dim_1"],
            "q_group/k": ["phony_dim_4", "phony_dim_5"], "zz": ["phony_dim_0", "phony_dim_2"],
        ])
    }

    @Test("an unlimited scale is as long as its longest attached axis; the last of several scales wins")
    func unlimitedAndRepeatedScales() throws {
        let builder = try H5Builder("unlimited-phony")
        try builder.dataset("time", type: h5(cube_H5T_IEEE_F64LE), shape: [3], maxShape: [nil], chunks: [4])
        try builder.makeScale("time", name: "time")
        try builder.dataset("c", type: h5(cube_H5T_IEEE_F64LE), shape: [2])
        try builder.makeScale("c", name: "c")
        try builder.dataset("v", type: h5(cube_H5T_IEEE_F64LE), shape: [5, 2], maxShape: [nil, 2], chunks: [1, 2])
        try builder.attach("v", scales: [["/time"], ["/c"]])
        try builder.dataset("w", type: h5(cube_H5T_IEEE_F64LE), shape: [5, 3])
        try builder.dataset("u", type: h5(cube_H5T_IEEE_F64LE), shape: [3])
        try builder.dataset("g/a", type: h5(cube_H5T_IEEE_F64LE), shape: [4])
        try builder.dataset("g/b", type: h5(cube_H5T_IEEE_F64LE), shape: [4])
        for scale in ["g/a", "g/b"] { try builder.makeScale(scale) }
        try builder.dataset("g/v", type: h5(cube_H5T_IEEE_F64LE), shape: [4, 4])
        try builder.attach("g/v", scales: [["/g/a", "/g/b"], ["/g/a"]])
        try builder.dataset("g/p", type: h5(cube_H5T_IEEE_F64LE), shape: [4, 4, 6])
        builder.close()
        let (root, _) = try HDF5File(path: builder.path).readDataset()
        let names = dimensionNames(root)
        #expect(names["v"] == ["time", "c"])
        #expect(names["w"] == ["time", "phony_dim_2"])  // the unlimited time (5 long) matches length 5
        #expect(names["u"] == ["phony_dim_2"])
        #expect(root.dimensions == [
            DimensionInfo(name: "c", length: 2), DimensionInfo(name: "time", length: 5, isUnlimited: true),
            DimensionInfo(name: "phony_dim_2", length: 3), DimensionInfo(name: "phony_dim_3", length: 5),
        ])
        #expect(names["g/v"] == ["b", "a"])
        #expect(names["g/p"] == ["a", "b", "phony_dim_6"])
    }

    /// The path of a fixture, relative to the package root.
    static func fixture(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("fixtures/netcdf/\(name)").path
    }

    @Test("netCDF-4 files open as HDF5: every chunk decoded directly equals libhdf5's decoding",
          .enabled(if: FileManager.default.fileExists(atPath: fixture("nc4.nc"))))
    func netCDF4Fixture() throws {
        let file = try HDF5File(path: Self.fixture("nc4.nc"))
        let (root, _) = try file.readDataset(skipUnsupported: true)
        // Dimensions without coordinate variables are dimensions, not variables.
        let paths = Set(root.allGroups.flatMap(\.variables).map(\.path))
        for dimensionOnly in ["nv", "station", "events"] { #expect(!paths.contains(dimensionOnly)) }
        #expect(root.dimensions.map(\.name).contains("nv"))
        #expect(dimensionNames(root)["forecast/t2m"] == ["step", "lat", "lon"])
        var direct = 0
        for case let variable as HDF5Dataset in root.allGroups.flatMap(\.variables) {
            let whole = Region(shape: variable.shape)
            #expect(try variable.read(whole) == variable.readThroughLibrary(whole), "\(variable.path)")
            if variable.decodesChunksDirectly && variable.storage.filters.contains("shuffle") { direct += 1 }
        }
        #expect(direct >= 3)
        // The netCDF reader opens single datasets by path, giving the names it knows.
        let t2m = try file.dataset(atPath: "/forecast/t2m", dimensionNames: ["step", "lat", "lon"])
        #expect(t2m.decodesChunksDirectly)
        #expect(t2m.chunkShape == [1, 4, 5])
        #expect(try t2m.readRawChunk([0, 0, 0]) != nil)
    }

    @Test("fixtures/netcdf/plain.h5 opens with the names and shapes its generator implies",
          .enabled(if: FileManager.default.fileExists(atPath: fixture("plain.h5"))))
    func plainFixture() throws {
        let file = try HDF5File(path: Self.fixture("plain.h5"))
        let (root, unsupported) = try file.readDataset()
        #expect(unsupported.isEmpty)
        #expect(root.groups.map(\.path) == ["sensors"])
        #expect(root.variables.map(\.path) == ["big_endian", "chunked", "compact", "grid", "names", "raw", "x", "y"])
        let shapes = Dictionary(uniqueKeysWithValues: root.allGroups.flatMap(\.variables).map { ($0.path, $0.shape) })
        #expect(shapes == [
            "big_endian": [5], "chunked": [4, 6, 8], "compact": [4], "grid": [3, 4], "names": [3], "raw": [3, 4],
            "x": [4], "y": [3], "sensors/readings": [2, 5], "sensors/a/value": [], "sensors/a/series": [6],
        ])
        // Root: scales x (4) and y (3) come first; phony dimensions for lengths 5, 6, 8
        // are numbered after them (h5netcdf phony_dims="sort", netCDF-C).
        #expect(dimensionNames(root) == [
            "big_endian": ["phony_dim_2"], "chunked": ["x", "phony_dim_3", "phony_dim_4"], "compact": ["x"],
            "grid": ["y", "x"], "names": ["y"], "raw": ["y", "x"], "x": ["x"], "y": ["y"],
            "sensors/readings": ["phony_dim_5", "phony_dim_6"], "sensors/a/value": [], "sensors/a/series": ["phony_dim_7"],
        ])
        // What h5netcdf's phony_dims="access" (xarray's h5netcdf default) gives.
        let access = dimensionNames(try file.readDataset(phonyDimensions: .access).root)
        #expect(access["big_endian"] == ["phony_dim_0"])
        #expect(access["chunked"] == ["x", "phony_dim_1", "phony_dim_2"])
        #expect(access["sensors/readings"] == ["phony_dim_3", "phony_dim_4"])
        #expect(access["sensors/a/series"] == ["phony_dim_5"])
        let attributes = Dictionary(uniqueKeysWithValues: root.attributes.map { ($0.name, $0.value) })
        #expect(attributes["title"] == .text("cube plain HDF5 fixture (h5py, not netCDF)"))
        #expect(attributes["version"] == .numbers(.int32, rawBytes([Int32(2)])))
        #expect(attributes["scale"] == .numbers(.float64, rawBytes([0.5, 1.5])))
        #expect(attributes["flag_bytes"] == .numbers(.uint8, [1, 2, 3]))

        let chunked = try #require(variable("chunked", in: root))
        #expect(chunked.dataType == .float32)
        #expect(chunked.chunkShape == [2, 3, 4])
        #expect(chunked.decodesChunksDirectly)
        #expect(chunked.storage.filters == ["shuffle", "deflate(level=4)"])
        #expect(chunked.fillValue == .element(rawBytes([Float(-1)])))
        let all = try chunked.read(Region(shape: [4, 6, 8]))
        #expect(all.bytes == rawBytes((0..<192).map { Float($0) * 0.125 }))
        #expect(try chunked.read(Region(start: [1, 2, 3], count: [3, 3, 5])) == all.extracting(Region(start: [1, 2, 3], count: [3, 3, 5])))
        let big = try #require(variable("big_endian", in: root))
        #expect(big.dataType == .int32)
        #expect(try big.read(Region(shape: [5])).bytes == rawBytes((0..<5).map { Int32($0 * 1000 - 2000) }))
        let names = try #require(variable("names", in: root))
        #expect(names.dataType == .string)
        #expect(try names.read(Region(shape: [3])).strings == ["alpha", "Zürich", ""])
        let compact = try #require(variable("compact", in: root))
        #expect(compact.storage.layout == "compact")
        let grid = try #require(variable("grid", in: root))
        #expect(grid.dataType == .float64)
        #expect(try grid.read(Region(shape: [3, 4])).bytes == rawBytes((0..<12).map { Double($0) * 0.25 + 1 }))
        let readings = try #require(variable("sensors/readings", in: root))
        #expect(readings.dataType == .int16)
        #expect(try readings.read(Region(shape: [2, 5])).bytes == rawBytes((0..<10).map { Int16($0 * 3) }))
    }
}
