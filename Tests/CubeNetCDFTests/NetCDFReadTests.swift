import CNetCDF
import CubeCore
import Foundation
import Testing
@testable import CubeNetCDF

@Suite struct ClassicFormatTests {
    /// A classic file with an unlimited dimension, NC_CHAR variables and attributes.
    static func makeClassic(_ path: String, mode: Int32 = 0) throws {
        try makeNetCDF(path, mode: mode) { ncid in
            let time = try defDim(ncid, "time", Int(NC_UNLIMITED))
            let lat = try defDim(ncid, "lat", 3)
            let strlen = try defDim(ncid, "strlen", 5)
            let temp = try defVar(ncid, "temp", NC_FLOAT, [time, lat])
            let name = try defVar(ncid, "name", NC_CHAR, [lat, strlen])
            let label = try defVar(ncid, "label", NC_CHAR, [strlen])
            let scalar = try defVar(ncid, "answer", NC_INT, [])
            let letter = try defVar(ncid, "letter", NC_CHAR, [])
            try putText(ncid, NC_GLOBAL, "title", "classic test")
            try putNumbers(ncid, NC_GLOBAL, "version", NC_INT, [Int32(3)])
            try putText(ncid, temp, "units", "K")
            try putNumbers(ncid, temp, "_FillValue", NC_FLOAT, [Float(-999)])
            try putNumbers(ncid, temp, "valid_range", NC_SHORT, [Int16(100), Int16(400)])
            // A C-style terminated text attribute: the NUL is padding, not content.
            try nc(nc_put_att_text(ncid, label, "long_name", 4, Array("abc\0".utf8CString.prefix(4))))
            try nc(nc_enddef(ncid))
            try putRegion(ncid, temp, start: [0, 0], count: [2, 3], [Float](arrayLiteral: 1, 2, 3, 4, 5, 6))
            try putAll(ncid, name, Array("alphabeta\0gamma".utf8).map { CChar(bitPattern: $0) })
            try putAll(ncid, label, Array("hello".utf8).map { CChar(bitPattern: $0) })
            try putAll(ncid, scalar, [Int32(42)])
            try putAll(ncid, letter, [CChar(65)])
        }
    }

    @Test func classicUnlimitedAndChar() throws {
        let dir = try TemporaryDirectory()
        let path = dir.sub("classic.nc")
        try Self.makeClassic(path)
        let file = try NetCDFFile.open(path: path)
        #expect(file.format == .classic)
        let (root, unsupported) = try file.readDataset(skipUnsupported: false)
        #expect(unsupported.isEmpty)
        #expect(root.path == "")
        #expect(root.groups.isEmpty)
        #expect(root.dimensions == [
            DimensionInfo(name: "time", length: 2, isUnlimited: true),
            DimensionInfo(name: "lat", length: 3),
            DimensionInfo(name: "strlen", length: 5),
        ])
        #expect(root.attributes == [Attribute("title", .text("classic test")),
                                    Attribute("version", .numbers(.int32, bytes(of: [Int32(3)])))])
        #expect(root.variables.map(\.path) == ["temp", "name", "label", "answer", "letter"])

        let vars = root.variablesByPath
        let temp = try #require(vars["temp"])
        #expect(temp.shape == [2, 3])
        #expect(temp.dataType == .float32)
        #expect(temp.chunkShape == nil)
        #expect(temp.dimensionNames == ["time", "lat"])
        #expect(temp.attributes.map(\.name) == ["units", "_FillValue", "valid_range"])
        #expect(temp.attribute("units") == .text("K"))
        #expect(temp.attribute("_FillValue") == .numbers(.float32, bytes(of: [Float(-999)])))
        #expect(temp.attribute("valid_range") == .numbers(.int16, bytes(of: [Int16(100), Int16(400)])))
        #expect(values(Float.self, try temp.readAll().bytes) == [1, 2, 3, 4, 5, 6])
        #expect(root.storage["temp"] == StorageInfo(layout: "contiguous", storedBytes: 24))

        // NC_CHAR: one-byte characters with every dimension (joining them is the engine's call).
        let name = try #require(vars["name"])
        #expect(name.shape == [3, 5])
        #expect(name.dataType == .bytes(1))
        #expect(name.dimensionNames == ["lat", "strlen"])
        #expect(name.chunkShape == nil)
        #expect(try name.readAll().bytes == Array("alphabeta\0gamma".utf8))
        #expect(try name.read(Region(start: [1, 0], count: [2, 5])).bytes == Array("beta\0gamma".utf8))
        #expect(try name.read(Region(start: [1, 1], count: [2, 2])).bytes == Array("etam".utf8))
        #expect(root.storage["name"]?.storedBytes == 15)

        let label = try #require(vars["label"])
        #expect(label.shape == [5])
        #expect(label.dataType == .bytes(1))
        #expect(label.dimensionNames == ["strlen"])
        #expect(label.attribute("long_name") == .text("abc"))
        let labelData = try label.read(Region(shape: [5]))
        #expect(labelData.shape == [5])
        #expect(labelData.bytes == Array("hello".utf8))

        let answer = try #require(vars["answer"])
        #expect(answer.shape == [])
        #expect(values(Int32.self, try answer.readAll().bytes) == [42])

        let letter = try #require(vars["letter"])
        #expect(letter.shape == [])
        #expect(letter.dataType == .bytes(1))
        #expect(try letter.readAll().bytes == [65])
    }

    @Test(arguments: [
        (NC_64BIT_OFFSET, NetCDFFormat.offset64),
        (NC_64BIT_DATA, NetCDFFormat.cdf5),
        (NC_NETCDF4 | NC_CLASSIC_MODEL, NetCDFFormat.netCDF4Classic),
        (NC_NETCDF4, NetCDFFormat.netCDF4),
    ])
    func otherFormats(mode: Int32, format: NetCDFFormat) throws {
        let dir = try TemporaryDirectory()
        let path = dir.sub("f.nc")
        try Self.makeClassic(path, mode: mode)
        let file = try NetCDFFile.open(path: path)
        #expect(file.format == format)
        let (root, _) = try file.readDataset()
        let vars = root.variablesByPath
        #expect(values(Float.self, try vars["temp"]?.readAll().bytes) == [1, 2, 3, 4, 5, 6])
        #expect(try vars["name"]?.readAll().bytes == Array("alphabeta\0gamma".utf8))
        #expect(root.dimensions.first == DimensionInfo(name: "time", length: 2, isUnlimited: true))
        if format.isNetCDF4 {
            // Unlimited dimensions force chunked storage in HDF5.
            #expect(root.storage["temp"]?.layout == "chunked")
            #expect(vars["temp"]?.chunkShape?.count == 2)
            #expect(root.storage["temp"]?.storedBytes == nil)
        } else {
            #expect(root.storage["temp"]?.storedBytes == 24)
        }
    }

    @Test(arguments: [Int32(0), NC_NETCDF4])
    func zeroLengthUnlimitedDimension(mode: Int32) throws {
        let dir = try TemporaryDirectory()
        let path = dir.sub("empty.nc")
        try makeNetCDF(path, mode: mode) { ncid in
            let time = try defDim(ncid, "time", Int(NC_UNLIMITED))
            let x = try defDim(ncid, "x", 3)
            _ = try defVar(ncid, "v", NC_DOUBLE, [time, x])
            _ = try defVar(ncid, "t", NC_INT, [time])
        }
        let file = try NetCDFFile.open(path: path)
        let (root, _) = try file.readDataset()
        #expect(root.dimensions == [DimensionInfo(name: "time", length: 0, isUnlimited: true),
                                    DimensionInfo(name: "x", length: 3)])
        let v = try #require(root.variablesByPath["v"])
        #expect(v.shape == [0, 3])
        let data = try v.readAll()
        #expect(data.shape == [0, 3])
        #expect(data.bytes == [])
        #expect(try file.variable("t").shape == [0])
        #expect(try file.variable("t").readAll().bytes == [])
    }
}

@Suite struct NetCDF4Tests {
    @Test func nestedGroupsResolveParentDimensions() throws {
        let dir = try TemporaryDirectory()
        let path = dir.sub("groups.nc")
        try makeNetCDF(path, mode: NC_NETCDF4) { root in
            let x = try defDim(root, "x", 4)
            try putText(root, NC_GLOBAL, "Conventions", "CF-1.8")
            let a = try defGroup(root, "a")
            let y = try defDim(a, "y", 2)
            let v = try defVar(a, "v", NC_SHORT, [x, y])
            try putText(a, NC_GLOBAL, "where", "a")
            let b = try defGroup(a, "b")
            let z = try defDim(b, "z", Int(NC_UNLIMITED))
            let w = try defVar(b, "w", NC_INT, [y, z])
            try putStrings(b, NC_GLOBAL, "tags", ["one", "two"])
            let c = try defGroup(root, "c")
            _ = c
            try putAll(a, v, (0..<8).map { Int16($0) })
            try putRegion(b, w, start: [0, 0], count: [2, 3], (0..<6).map { Int32($0 * 10) })
        }
        let file = try NetCDFFile.open(path: path)
        let (root, unsupported) = try file.readDataset()
        #expect(unsupported.isEmpty)
        #expect(root.allGroups.map(\.path) == ["", "a", "a/b", "c"])
        #expect(root.dimensions.map(\.name) == ["x"])
        #expect(root.attributes == [Attribute("Conventions", .text("CF-1.8"))])
        let a = try #require(root.group("a"))
        #expect(a.dimensions == [DimensionInfo(name: "y", length: 2)])
        #expect(a.attributes == [Attribute("where", .text("a"))])
        let b = try #require(root.group("a/b"))
        #expect(b.dimensions == [DimensionInfo(name: "z", length: 3, isUnlimited: true)])
        #expect(b.attributes == [Attribute("tags", .strings(["one", "two"]))])
        #expect(root.group("c")?.variables.isEmpty == true)

        let v = try #require(root.variablesByPath["a/v"])
        #expect(v.dimensionNames == ["x", "y"])
        #expect(v.shape == [4, 2])
        #expect(values(Int16.self, try v.readAll().bytes) == (0..<8).map { Int16($0) })
        let w = try #require(root.variablesByPath["a/b/w"])
        #expect(w.dimensionNames == ["y", "z"])
        #expect(w.shape == [2, 3])
        #expect(values(Int32.self, try w.readAll().bytes) == [0, 10, 20, 30, 40, 50])
        #expect(a.storage["v"] != nil)
        #expect(b.storage["w"]?.layout == "chunked")

        // Direct lookup by path gives the same variable.
        let direct = try file.variable("a/b/w")
        #expect(direct.path == "a/b/w")
        #expect(direct.name == "w")
        #expect(throws: CubeError.self) { try file.variable("a/nope") }
        #expect(throws: CubeError.self) { try file.variable("nope/w") }
    }

    @Test func chunkedDeflateShuffleStorage() throws {
        let dir = try TemporaryDirectory()
        let path = dir.sub("chunked.nc")
        try makeNetCDF(path, mode: NC_NETCDF4) { ncid in
            let y = try defDim(ncid, "y", 5)
            let x = try defDim(ncid, "x", 7)
            let packed = try defVar(ncid, "packed", NC_FLOAT, [y, x])
            try nc(nc_def_var_chunking(ncid, packed, NC_CHUNKED, [2, 3]))
            try nc(nc_def_var_fletcher32(ncid, packed, 1))
            try nc(nc_def_var_deflate(ncid, packed, 1, 1, 5))
            let plain = try defVar(ncid, "plain", NC_DOUBLE, [y, x])
            try nc(nc_def_var_chunking(ncid, plain, NC_CONTIGUOUS, nil))
            let tiny = try defVar(ncid, "tiny", NC_INT, [x])
            try nc(nc_def_var_chunking(ncid, tiny, NC_COMPACT, nil))
            let deflateOnly = try defVar(ncid, "deflate_only", NC_INT, [y])
            try nc(nc_def_var_deflate(ncid, deflateOnly, 0, 1, 1))
            try putAll(ncid, packed, (0..<35).map { Float($0) / 8 })
            try putAll(ncid, plain, (0..<35).map { Double($0) })
            try putAll(ncid, tiny, (0..<7).map { Int32($0) })
            try putAll(ncid, deflateOnly, (0..<5).map { Int32($0) })
        }
        let file = try NetCDFFile.open(path: path)
        let (root, _) = try file.readDataset()
        let storage = root.storage
        #expect(storage["packed"]?.layout == "chunked")
        #expect(storage["packed"]?.chunkShape == [2, 3])
        #expect(storage["packed"]?.filters == ["fletcher32", "shuffle", "deflate(level=5)"])
        #expect(storage["plain"] == StorageInfo(layout: "contiguous"))
        #expect(storage["tiny"]?.layout == "compact")
        #expect(storage["deflate_only"]?.filters == ["deflate(level=1)"])

        let vars = root.variablesByPath
        #expect(vars["packed"]?.chunkShape == [2, 3])
        #expect(vars["plain"]?.chunkShape == nil)
        #expect(vars["tiny"]?.chunkShape == nil)
        #expect(values(Float.self, try vars["packed"]?.readAll().bytes) == (0..<35).map { Float($0) / 8 })
        #expect(values(Int32.self, try vars["tiny"]?.readAll().bytes) == (0..<7).map { Int32($0) })
    }

    @Test func filterNames() {
        #expect(ncFilterName(id: 1, parameters: [9]) == "deflate(level=9)")
        #expect(ncFilterName(id: 2, parameters: [4]) == "shuffle")
        #expect(ncFilterName(id: 3, parameters: []) == "fletcher32")
        #expect(ncFilterName(id: 4, parameters: [36, 16]) == "szip(options_mask=36,pixels_per_block=16)")
        #expect(ncFilterName(id: 32015, parameters: [UInt32(bitPattern: -3)]) == "zstd(level=-3)")
        #expect(ncFilterName(id: 307, parameters: [9]) == "bzip2(level=9)")
        #expect(ncFilterName(id: 32001, parameters: [2, 2, 4, 0, 5, 1, 1]) == "blosc(compressor=lz4,level=5,shuffle=1)")
        #expect(ncFilterName(id: 32099, parameters: [1, 2]) == "filter(id=32099,params=[1,2])")
        #expect(ncFilterName(id: 32099, parameters: []) == "filter(id=32099)")
    }

    @Test func stringVariablesAndAttributes() throws {
        let dir = try TemporaryDirectory()
        let path = dir.sub("strings.nc")
        let words = ["", "a", "héllo wörld", "🌍", "longer string here", "x"]
        try makeNetCDF(path, mode: NC_NETCDF4) { ncid in
            let n = try defDim(ncid, "n", 3)
            let m = try defDim(ncid, "m", 2)
            let s = try defVar(ncid, "s", NC_STRING, [n, m])
            let scalar = try defVar(ncid, "one", NC_STRING, [])
            try putStrings(ncid, s, "single", ["only"])
            try putStrings(ncid, s, "several", ["p", "q"])
            try putStrings(ncid, NC_GLOBAL, "empty_list", [])
            try withCStrings(words) { try nc(nc_put_var_string(ncid, s, $0)) }
            try withCStrings(["solo"]) { try nc(nc_put_var_string(ncid, scalar, $0)) }
        }
        let file = try NetCDFFile.open(path: path)
        let (root, _) = try file.readDataset()
        #expect(root.attributes == [Attribute("empty_list", .strings([]))])
        let s = try #require(root.variablesByPath["s"])
        #expect(s.dataType == .string)
        #expect(s.shape == [3, 2])
        #expect(s.attribute("single") == .strings(["only"]))
        #expect(s.attribute("several") == .strings(["p", "q"]))
        #expect(try s.readAll().strings == words)
        let part = try s.read(Region(start: [1, 1], count: [2, 1]))
        #expect(part.shape == [2, 1])
        #expect(part.strings == ["🌍", "x"])
        #expect(try s.read(Region(start: [3, 0], count: [0, 2])).strings == [])
        #expect(try file.variable("one").read(Region(shape: [])).strings == ["solo"])
    }

    @Test func enumVariable() throws {
        let dir = try TemporaryDirectory()
        let path = dir.sub("enum.nc")
        try makeNetCDF(path, mode: NC_NETCDF4) { ncid in
            var typeID: nc_type = 0
            try nc(nc_def_enum(ncid, NC_UBYTE, "cloud_t", &typeID))
            for (name, value) in [("clear sky", UInt8(0)), ("cloudy", 1), ("fog", 5)] {
                var v = value
                try nc(nc_insert_enum(ncid, typeID, name, &v))
            }
            let n = try defDim(ncid, "n", 4)
            let cloud = try defVar(ncid, "cloud", typeID, [n])
            try putText(ncid, cloud, "long_name", "cloud type")
            try putNumbers(ncid, cloud, "_FillValue", typeID, [UInt8(5)])
            try putNumbers(ncid, NC_GLOBAL, "default_cloud", typeID, [UInt8(1)])
            // The file's own flags win over the synthetic ones.
            let own = try defVar(ncid, "own", typeID, [n])
            try putText(ncid, own, "flag_meanings", "mine")
            try putAll(ncid, cloud, [UInt8(0), 1, 5, 1])
            try putAll(ncid, own, [UInt8(0), 0, 0, 0])
        }
        let file = try NetCDFFile.open(path: path)
        let (root, unsupported) = try file.readDataset()
        #expect(unsupported.isEmpty)
        #expect(root.attributes == [Attribute("default_cloud", .numbers(.uint8, [1]))])
        let cloud = try #require(root.variablesByPath["cloud"])
        #expect(cloud.dataType == .uint8)
        #expect(cloud.attributes == [
            Attribute("long_name", .text("cloud type")),
            Attribute("_FillValue", .numbers(.uint8, [5])),
            Attribute("flag_values", .numbers(.uint8, [0, 1, 5])),
            Attribute("flag_meanings", .text("clear_sky cloudy fog")),
        ])
        #expect(try cloud.readAll().bytes == [0, 1, 5, 1])
        let own = try #require(root.variablesByPath["own"])
        #expect(own.attributes == [Attribute("flag_meanings", .text("mine"))])
    }

    @Test func scalarVariable() throws {
        let dir = try TemporaryDirectory()
        let path = dir.sub("scalar.nc")
        try makeNetCDF(path, mode: NC_NETCDF4) { ncid in
            let v = try defVar(ncid, "pi", NC_DOUBLE, [])
            try putAll(ncid, v, [Double.pi])
        }
        let file = try NetCDFFile.open(path: path)
        let (root, _) = try file.readDataset()
        let v = try #require(root.variablesByPath["pi"])
        #expect(v.shape == [])
        #expect(v.dimensionNames == [])
        #expect(v.chunkShape == nil)
        let data = try v.read(Region(shape: []))
        #expect(data.shape == [])
        #expect(values(Double.self, data.bytes) == [Double.pi])
        #expect(throws: CubeError.self) { try v.read(Region(start: [0], count: [1])) }
    }

    @Test func unsignedAndInt64Types() throws {
        let dir = try TemporaryDirectory()
        let path = dir.sub("types.nc")
        try makeNetCDF(path, mode: NC_NETCDF4) { ncid in
            let n = try defDim(ncid, "n", 3)
            try putAll(ncid, try defVar(ncid, "i8", NC_BYTE, [n]), [Int8.min, 0, Int8.max])
            try putAll(ncid, try defVar(ncid, "u8", NC_UBYTE, [n]), [UInt8.min, 7, UInt8.max])
            try putAll(ncid, try defVar(ncid, "i16", NC_SHORT, [n]), [Int16.min, 0, Int16.max])
            try putAll(ncid, try defVar(ncid, "u16", NC_USHORT, [n]), [UInt16.min, 7, UInt16.max])
            try putAll(ncid, try defVar(ncid, "i32", NC_INT, [n]), [Int32.min, 0, Int32.max])
            try putAll(ncid, try defVar(ncid, "u32", NC_UINT, [n]), [UInt32.min, 7, UInt32.max])
            try putAll(ncid, try defVar(ncid, "i64", NC_INT64, [n]), [Int64.min, 0, Int64.max])
            try putAll(ncid, try defVar(ncid, "u64", NC_UINT64, [n]), [UInt64.min, 7, UInt64.max])
            try putAll(ncid, try defVar(ncid, "f32", NC_FLOAT, [n]), [Float(-1.5), .infinity, .nan])
            try putAll(ncid, try defVar(ncid, "f64", NC_DOUBLE, [n]), [Double(-1.5), -.infinity, 1e300])
            try putNumbers(ncid, NC_GLOBAL, "u64att", NC_UINT64, [UInt64.max])
            try putNumbers(ncid, NC_GLOBAL, "i64att", NC_INT64, [Int64.min, 1])
            try putNumbers(ncid, NC_GLOBAL, "u16att", NC_USHORT, [UInt16(65535)])
        }
        let file = try NetCDFFile.open(path: path)
        let (root, _) = try file.readDataset()
        let vars = root.variablesByPath
        let expected: [(String, DataType, [UInt8])] = [
            ("i8", .int8, bytes(of: [Int8.min, 0, Int8.max])),
            ("u8", .uint8, bytes(of: [UInt8.min, 7, UInt8.max])),
            ("i16", .int16, bytes(of: [Int16.min, 0, Int16.max])),
            ("u16", .uint16, bytes(of: [UInt16.min, 7, UInt16.max])),
            ("i32", .int32, bytes(of: [Int32.min, 0, Int32.max])),
            ("u32", .uint32, bytes(of: [UInt32.min, 7, UInt32.max])),
            ("i64", .int64, bytes(of: [Int64.min, 0, Int64.max])),
            ("u64", .uint64, bytes(of: [UInt64.min, 7, UInt64.max])),
            ("f32", .float32, bytes(of: [Float(-1.5), .infinity, .nan])),
            ("f64", .float64, bytes(of: [Double(-1.5), -.infinity, 1e300])),
        ]
        for (name, type, raw) in expected {
            let v = try #require(vars[name])
            #expect(v.dataType == type, "\(name)")
            #expect(try v.readAll().bytes == raw, "\(name)")
        }
        #expect(root.attributes == [
            Attribute("u64att", .numbers(.uint64, bytes(of: [UInt64.max]))),
            Attribute("i64att", .numbers(.int64, bytes(of: [Int64.min, 1]))),
            Attribute("u16att", .numbers(.uint16, bytes(of: [UInt16(65535)]))),
        ])
    }

    @Test func bigEndianVariablesReadNative() throws {
        let dir = try TemporaryDirectory()
        let path = dir.sub("bigendian.nc")
        let ints: [Int32] = [1, -2, 0x0102_0304, Int32.min]
        let doubles: [Double] = [1.5, -2.25, 1e-300, .infinity]
        try makeNetCDF(path, mode: NC_NETCDF4) { ncid in
            let n = try defDim(ncid, "n", 4)
            let i = try defVar(ncid, "ints", NC_INT, [n])
            try nc(nc_def_var_endian(ncid, i, NC_ENDIAN_BIG))
            let d = try defVar(ncid, "doubles", NC_DOUBLE, [n])
            try nc(nc_def_var_endian(ncid, d, NC_ENDIAN_BIG))
            try putNumbers(ncid, d, "_FillValue", NC_DOUBLE, [Double(-9)])
            try putAll(ncid, i, ints)
            try putAll(ncid, d, doubles)
        }
        // Make sure the file really stores them big-endian.
        var endian: Int32 = 0
        try NetCDFLibrary.withLock {
            var ncid: Int32 = 0
            try nc(nc_open(path, NC_NOWRITE, &ncid))
            defer { _ = nc_close(ncid) }
            try nc(nc_inq_var_endian(ncid, 0, &endian))
        }
        #expect(endian == NC_ENDIAN_BIG)

        let file = try NetCDFFile.open(path: path)
        #expect(values(Int32.self, try file.variable("ints").readAll().bytes) == ints)
        let d = try file.variable("doubles")
        #expect(values(Double.self, try d.readAll().bytes) == doubles)
        #expect(values(Double.self, try d.read(Region(start: [1], count: [2])).bytes) == [-2.25, 1e-300])
        #expect(d.attribute("_FillValue") == .numbers(.float64, bytes(of: [Double(-9)])))
    }

    @Test func everyRegionOfSmallArrays() throws {
        let dir = try TemporaryDirectory()
        let path = dir.sub("regions.nc")
        let shape = [4, 5, 3]
        let data = (0..<60).map { Int32($0 * 7 - 100) }
        try makeNetCDF(path, mode: NC_NETCDF4) { ncid in
            let dims = try zip(["a", "b", "c"], shape).map { try defDim(ncid, $0, $1) }
            let chunked = try defVar(ncid, "chunked", NC_INT, dims)
            try nc(nc_def_var_chunking(ncid, chunked, NC_CHUNKED, [3, 2, 2]))
            try nc(nc_def_var_deflate(ncid, chunked, 1, 1, 3))
            let contiguous = try defVar(ncid, "contiguous", NC_INT, dims)
            let text = try defVar(ncid, "text", NC_CHAR, [dims[0], dims[1]])
            try putAll(ncid, chunked, data)
            try putAll(ncid, contiguous, data)
            try putAll(ncid, text, (0..<20).map { CChar(65 + $0) })
        }
        let file = try NetCDFFile.open(path: path)
        let strides = ShapeMath.strides(shape)
        for name in ["chunked", "contiguous"] {
            let v = try file.variable(name)
            for s0 in 0...4 { for c0 in 0...(4 - s0) {
                for s1 in 0...5 { for c1 in 0...(5 - s1) {
                    for s2 in 0...3 { for c2 in 0...(3 - s2) {
                        let region = Region(start: [s0, s1, s2], count: [c0, c1, c2])
                        var expected: [Int32] = []
                        for i in s0..<(s0 + c0) { for j in s1..<(s1 + c1) { for k in s2..<(s2 + c2) {
                            expected.append(data[i * strides[0] + j * strides[1] + k * strides[2]])
                        } } }
                        let got = try v.read(region)
                        #expect(got.shape == [c0, c1, c2])
                        #expect(values(Int32.self, got.bytes) == expected, "\(name) \(region)")
                    } }
                } }
            } }
            #expect(throws: CubeError.self) { try v.read(Region(start: [0, 0, 1], count: [4, 5, 3])) }
            #expect(throws: CubeError.self) { try v.read(Region(start: [0, 0], count: [1, 1])) }
        }
        // NC_CHAR: every region of the characters, string length included.
        let text = try file.variable("text")
        #expect(text.shape == [4, 5])
        #expect(text.dataType == .bytes(1))
        for s0 in 0...4 { for c0 in 0...(4 - s0) { for s1 in 0...5 { for c1 in 0...(5 - s1) {
            let got = try text.read(Region(start: [s0, s1], count: [c0, c1]))
            let expected = (s0..<(s0 + c0)).flatMap { i in (s1..<(s1 + c1)).map { UInt8(65 + i * 5 + $0) } }
            #expect(got.bytes == expected)
        } } } }
    }
}

@Suite struct UnsupportedTypeTests {
    static func makeUserTypes(_ path: String) throws {
        try makeNetCDF(path, mode: NC_NETCDF4) { ncid in
            var compound: nc_type = 0
            try nc(nc_def_compound(ncid, 8, "pair_t", &compound))
            try nc(nc_insert_compound(ncid, compound, "a", 0, NC_INT))
            try nc(nc_insert_compound(ncid, compound, "b", 4, NC_FLOAT))
            var vlen: nc_type = 0
            try nc(nc_def_vlen(ncid, "ragged_t", NC_INT, &vlen))
            var opaque: nc_type = 0
            try nc(nc_def_opaque(ncid, 3, "blob_t", &opaque))
            let n = try defDim(ncid, "n", 2)
            let good = try defVar(ncid, "good", NC_INT, [n])
            _ = try defVar(ncid, "pairs", compound, [n])
            let sub = try defGroup(ncid, "sub")
            _ = try defVar(sub, "ragged", vlen, [n])
            _ = try defVar(sub, "blob", opaque, [n])
            _ = try defVar(sub, "fine", NC_FLOAT, [n])
            // A compound attribute on a group and on a variable: skipped, not fatal.
            var pair: (Int32, Float) = (1, 2)
            try nc(nc_put_att(ncid, NC_GLOBAL, "pair_att", compound, 1, &pair))
            try nc(nc_put_att(ncid, good, "pair_att", compound, 1, &pair))
            try putText(ncid, good, "units", "m")
            try putAll(ncid, good, [Int32(3), 4])
        }
    }

    @Test func userTypesOtherThanCompoundAreRefused() throws {
        let dir = try TemporaryDirectory()
        let path = dir.sub("user.nc")
        try Self.makeUserTypes(path)
        let file = try NetCDFFile.open(path: path)
        do {
            _ = try file.readDataset(skipUnsupported: false)
            Issue.record("expected an error")
        } catch let error as CubeError {
            #expect(error.kind == .unsupported)
            #expect(error.message.contains("vlen type") || error.message.contains("opaque type"))
            #expect(error.context?.hasPrefix("\(path): sub/") == true)
        }
        #expect(throws: CubeError.self) { try file.variable("sub/ragged") }
        #expect(throws: CubeError.self) { try file.variable("sub/blob") }
    }

    @Test func unsupportedVariablesAreSkipped() throws {
        let dir = try TemporaryDirectory()
        let path = dir.sub("user.nc")
        try Self.makeUserTypes(path)
        let file = try NetCDFFile.open(path: path)
        let (root, unsupported) = try file.readDataset(skipUnsupported: true)
        #expect(root.variablesByPath.keys.sorted() == ["good", "pairs", "sub/fine"])
        let byPath = Dictionary(unsupported.map { ($0.path, $0.reason) }, uniquingKeysWith: { a, _ in a })
        #expect(byPath["sub/ragged"]?.contains("vlen type") == true)
        #expect(byPath["sub/blob"]?.contains("opaque type") == true)
        #expect(byPath["@pair_att"]?.hasPrefix("attribute skipped: compound type {a: int32, b: float32}") == true)
        #expect(byPath["good@pair_att"]?.hasPrefix("attribute skipped:") == true)
        #expect(unsupported.count == 4)
        let good = try #require(root.variablesByPath["good"])
        #expect(good.attributes == [Attribute("units", .text("m"))])
        #expect(values(Int32.self, try good.readAll().bytes) == [3, 4])
        #expect(root.attributes.isEmpty)
    }
}

/// NetCDF-4 compound variables read as structured elements in the type's own layout.
@Suite struct CompoundTypeTests {
    /// `record_t` is laid out as C would: `{char c; double d; short s[2]; char name[3];}` in 24 bytes.
    static func makeCompounds(_ path: String) throws {
        try makeNetCDF(path, mode: NC_NETCDF4) { ncid in
            var record: nc_type = 0
            try nc(nc_def_compound(ncid, 24, "record_t", &record))
            try nc(nc_insert_compound(ncid, record, "c", 0, NC_UBYTE))
            try nc(nc_insert_compound(ncid, record, "d", 8, NC_DOUBLE))
            try nc(nc_insert_array_compound(ncid, record, "s", 16, NC_SHORT, 1, [2]))
            try nc(nc_insert_array_compound(ncid, record, "name", 20, NC_CHAR, 1, [3]))
            var inner: nc_type = 0
            try nc(nc_def_compound(ncid, 4, "inner_t", &inner))
            try nc(nc_insert_compound(ncid, inner, "x", 0, NC_INT))
            var nested: nc_type = 0
            try nc(nc_def_compound(ncid, 8, "nested_t", &nested))
            try nc(nc_insert_compound(ncid, nested, "inner", 0, inner))
            try nc(nc_insert_compound(ncid, nested, "y", 4, NC_FLOAT))
            var vlen: nc_type = 0
            try nc(nc_def_vlen(ncid, "ints_t", NC_INT, &vlen))
            var withVlen: nc_type = 0
            try nc(nc_def_compound(ncid, 24, "with_vlen_t", &withVlen))
            try nc(nc_insert_compound(ncid, withVlen, "v", 0, vlen))
            var withString: nc_type = 0
            try nc(nc_def_compound(ncid, 8, "with_string_t", &withString))
            try nc(nc_insert_compound(ncid, withString, "s", 0, NC_STRING))

            let n = try defDim(ncid, "n", 3)
            let records = try defVar(ncid, "records", record, [n])
            var fill = Self.record(c: 255, d: -1, s: (-9, -9), name: "---")
            try nc(nc_def_var_fill(ncid, records, NC_FILL, &fill))
            _ = try defVar(ncid, "nested", nested, [n])
            _ = try defVar(ncid, "with_vlen", withVlen, [n])
            _ = try defVar(ncid, "with_string", withString, [n])
            try nc(nc_enddef(ncid))
            let first = [Self.record(c: 1, d: 0.5, s: (1, -2), name: "ab\0"), Self.record(c: 2, d: 1.5, s: (3, 4), name: "xyz")]
            try putRegion(ncid, records, start: [0], count: [2], first.flatMap { $0 })
        }
    }

    /// One record's 24 bytes (padding zero).
    static func record(c: UInt8, d: Double, s: (Int16, Int16), name: String) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 24)
        bytes[0] = c
        withUnsafeBytes(of: d) { bytes.replaceSubrange(8..<16, with: $0) }
        withUnsafeBytes(of: s.0) { bytes.replaceSubrange(16..<18, with: $0) }
        withUnsafeBytes(of: s.1) { bytes.replaceSubrange(18..<20, with: $0) }
        bytes.replaceSubrange(20..<23, with: Array(name.utf8))
        return bytes
    }

    @Test func compoundsReadInTheirLayoutWithTheirFill() throws {
        let dir = try TemporaryDirectory()
        let path = dir.sub("compound.nc")
        try Self.makeCompounds(path)
        let file = try NetCDFFile.open(path: path)
        let records = try file.variable("records")
        guard case .structured(let layout) = records.dataType else {
            Issue.record("records is \(records.dataType)")
            return
        }
        #expect(layout.itemSize == 24)
        #expect(layout.fields.map(\.name) == ["c", "d", "s", "name"])
        #expect(layout.fields.map(\.offset) == [0, 8, 16, 20])
        #expect(layout.fields.map(\.shape) == [[], [], [2], [3]])
        #expect(layout.fields.map(\.dataType) == [.uint8, .float64, .int16, .bytes(1)])
        #expect(layout.fields[1].byteOrder == .native)
        let fill = Self.record(c: 255, d: -1, s: (-9, -9), name: "---")
        #expect(records.attribute("_FillValue") == .numbers(records.dataType, fill))
        let expected = Self.record(c: 1, d: 0.5, s: (1, -2), name: "ab\0") + Self.record(c: 2, d: 1.5, s: (3, 4), name: "xyz")
        let all = try records.readAll().bytes ?? []
        #expect(all == expected + fill, "\(all)")
        #expect(try records.read(Region(start: [1], count: [1])).bytes == Array(expected[24...]))
    }

    @Test(arguments: [("nested", "field 'inner'"), ("with_vlen", "field 'v'"), ("with_string", "field 's' of string type")])
    func compoundsWithUnsupportedFieldsAreRefused(_ name: String, reason: String) throws {
        let dir = try TemporaryDirectory()
        let path = dir.sub("compound.nc")
        try Self.makeCompounds(path)
        let file = try NetCDFFile.open(path: path)
        do {
            _ = try file.variable(name)
            Issue.record("\(name) was read")
        } catch let error as CubeError {
            #expect(error.kind == .unsupported)
            #expect(error.message.contains(reason), "\(error)")
            #expect(error.context == "\(path): \(name)")
        }
        let (root, skipped) = try file.readDataset(skipUnsupported: true)
        #expect(root.variablesByPath.keys.sorted() == ["records"])
        #expect(Set(skipped.map(\.path)) == ["nested", "with_vlen", "with_string"])
    }
}

@Suite struct BadFileTests {
    @Test func missingFile() throws {
        let dir = try TemporaryDirectory()
        let path = dir.sub("does-not-exist.nc")
        do {
            _ = try NetCDFFile.open(path: path)
            Issue.record("expected an error")
        } catch let error as CubeError {
            #expect(error.kind == .notFound)
            #expect(error.description.contains(path))
        }
    }

    @Test func notNetCDF() throws {
        let dir = try TemporaryDirectory()
        let path = dir.sub("plain.txt")
        try Data("this is not a NetCDF file, just some text that goes on".utf8).write(to: URL(fileURLWithPath: path))
        do {
            _ = try NetCDFFile.open(path: path)
            Issue.record("expected an error")
        } catch let error as CubeError {
            #expect(error.kind == .invalidInput)
            #expect(error.description.contains(path))
            #expect(error.message.contains("Unknown file format"))
        }
        let empty = dir.sub("empty.nc")
        _ = FileManager.default.createFile(atPath: empty, contents: Data())
        #expect(throws: CubeError.self) { try NetCDFFile.open(path: empty) }
        #expect(throws: CubeError.self) { try NetCDFFile.open(path: dir.path) }
    }

    @Test(arguments: [Int32(0), NC_NETCDF4])
    func truncatedFile(mode: Int32) throws {
        let dir = try TemporaryDirectory()
        let whole = dir.sub("whole.nc")
        try makeNetCDF(whole, mode: mode) { ncid in
            let n = try defDim(ncid, "n", 2000)
            let v = try defVar(ncid, "v", NC_DOUBLE, [n])
            try putText(ncid, NC_GLOBAL, "title", String(repeating: "t", count: 100))
            try nc(nc_enddef(ncid))
            try putAll(ncid, v, (0..<2000).map { Double($0) })
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: whole))
        for keep in [40, 200, data.count / 2] {
            let path = dir.sub("truncated-\(keep).nc")
            try data.prefix(keep).write(to: URL(fileURLWithPath: path))
            do {
                let file = try NetCDFFile.open(path: path)
                let (root, _) = try file.readDataset()
                for variable in root.variablesByPath.values { _ = try variable.readAll() }
                Issue.record("truncated file (\(keep) of \(data.count) bytes) read without error")
            } catch let error as CubeError {
                #expect(error.description.contains(path), "\(error)")
            }
        }
    }
}

extension BadFileTests {
    /// Classic layouts with odd sizes: one or several record variables, none, odd-length
    /// fixed variables last, reserved header space.
    static let classicLayouts: [(name: String, build: @Sendable (Int32) throws -> Void)] = [
        ("one record variable", { ncid in
            let t = try defDim(ncid, "t", Int(NC_UNLIMITED))
            let v = try defVar(ncid, "v", NC_SHORT, [t])
            _ = try defVar(ncid, "odd", NC_CHAR, [try defDim(ncid, "n", 3)])
            try nc(nc_enddef(ncid))
            try putRegion(ncid, v, start: [0], count: [5], [Int16](repeating: 7, count: 5))
        }),
        ("several record variables", { ncid in
            let t = try defDim(ncid, "t", Int(NC_UNLIMITED))
            let n = try defDim(ncid, "n", 3)
            let a = try defVar(ncid, "a", NC_SHORT, [t, n])
            _ = try defVar(ncid, "b", NC_BYTE, [t])
            _ = try defVar(ncid, "c", NC_DOUBLE, [n])
            try putText(ncid, a, "odd_text", "12345")
            try nc(nc_enddef(ncid))
            try putRegion(ncid, a, start: [0, 0], count: [4, 3], [Int16](repeating: 1, count: 12))
        }),
        ("fixed only, odd last", { ncid in
            let n = try defDim(ncid, "n", 7)
            _ = try defVar(ncid, "a", NC_INT, [n])
            let b = try defVar(ncid, "b", NC_BYTE, [n])
            try putNumbers(ncid, NC_GLOBAL, "shorts", NC_SHORT, [Int16(1), 2, 3])
            try nc(nc_enddef(ncid))
            try putAll(ncid, b, [Int8](repeating: 1, count: 7))
        }),
        ("reserved header space", { ncid in
            let n = try defDim(ncid, "n", 10)
            let a = try defVar(ncid, "a", NC_FLOAT, [n])
            try nc(nc__enddef(ncid, 1000, 4, 0, 4))
            try putAll(ncid, a, [Float](repeating: 1, count: 10))
        }),
    ]

    @Test(arguments: [Int32(0), NC_64BIT_OFFSET, NC_64BIT_DATA], 0..<4)
    func classicTruncationBound(mode: Int32, layout: Int) throws {
        let dir = try TemporaryDirectory()
        let path = dir.sub("layout.nc")
        try makeNetCDF(path, mode: mode, Self.classicLayouts[layout].build)
        let file = try NetCDFFile.open(path: path)
        // Keep the file open (its deinit closes the ncid) until the raw ncid is done with.
        let minimum = try withExtendedLifetime(file) {
            try NCClassicSize.minimumSize(ncid: file.ncid, format: file.format, context: NCContext(file: path))
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(minimum <= data.count, "\(Self.classicLayouts[layout].name)")
        if layout == 3 {
            #expect(minimum + 900 < data.count)
        } else {
            #expect(data.count - minimum <= 3, "\(Self.classicLayouts[layout].name)")
        }
        let cut = dir.sub("cut.nc")
        try data.prefix(minimum - 1).write(to: URL(fileURLWithPath: cut))
        do {
            _ = try NetCDFFile.open(path: cut)
            Issue.record("truncation not detected")
        } catch let error as CubeError {
            #expect(error.description.contains(cut))
        }
    }
}

@Suite struct ConcurrencyTests {
    @Test func concurrentReadsReturnCorrectData() throws {
        let dir = try TemporaryDirectory()
        let paths = (0..<3).map { dir.sub("c\($0).nc") }
        let shape = [64, 50]
        @Sendable func value(_ file: Int, _ i: Int, _ j: Int) -> Float { Float(file * 100_000 + i * 50 + j) }
        for (f, path) in paths.enumerated() {
            try makeNetCDF(path, mode: f == 2 ? 0 : NC_NETCDF4) { ncid in
                let y = try defDim(ncid, "y", shape[0])
                let x = try defDim(ncid, "x", shape[1])
                let v = try defVar(ncid, "v", NC_FLOAT, [y, x])
                if f == 0 {
                    try nc(nc_def_var_chunking(ncid, v, NC_CHUNKED, [8, 10]))
                    try nc(nc_def_var_deflate(ncid, v, 1, 1, 4))
                }
                let s = try defVar(ncid, "s", f == 2 ? NC_INT : NC_STRING, [y])
                try nc(nc_enddef(ncid))
                try putAll(ncid, v, (0..<shape[0]).flatMap { i in (0..<shape[1]).map { value(f, i, $0) } })
                if f == 2 {
                    try putAll(ncid, s, (0..<shape[0]).map { Int32($0) })
                } else {
                    try withCStrings((0..<shape[0]).map { "row \($0)" }) { try nc(nc_put_var_string(ncid, s, $0)) }
                }
            }
        }
        let files = try paths.map { try NetCDFFile.open(path: $0) }
        let variables = try files.map { try $0.variable("v") }
        let strings = try files.prefix(2).map { try $0.variable("s") }
        let iterations = 96
        let failures = FailureLog()
        DispatchQueue.concurrentPerform(iterations: iterations) { task in
            do {
                let f = task % 3
                let i0 = (task * 7) % 60
                let j0 = (task * 11) % 45
                let count = [min(4 + task % 5, shape[0] - i0), min(5, shape[1] - j0)]
                let got = try variables[f].read(Region(start: [i0, j0], count: count))
                let expected = (i0..<(i0 + count[0])).flatMap { i in (j0..<(j0 + count[1])).map { value(f, i, $0) } }
                if values(Float.self, got.bytes) != expected { failures.add("task \(task): wrong values") }
                if f < 2 {
                    let rows = try strings[f].read(Region(start: [i0], count: [count[0]])).strings
                    if rows != (i0..<(i0 + count[0])).map({ "row \($0)" }) { failures.add("task \(task): wrong strings") }
                }
                // Opening and walking files concurrently is serialized too.
                if task % 8 == 0 {
                    let again = try NetCDFFile.open(path: paths[f])
                    _ = try again.readDataset()
                }
            } catch {
                failures.add("task \(task): \(error)")
            }
        }
        #expect(failures.entries == [])
    }
}

extension ConcurrencyTests {
    @Test func lockIsReentrant() throws {
        let dir = try TemporaryDirectory()
        let path = dir.sub("nested.nc")
        try makeNetCDF(path, mode: NC_NETCDF4) { ncid in
            let v = try defVar(ncid, "v", NC_INT, [try defDim(ncid, "n", 2)])
            try putAll(ncid, v, [Int32(5), 6])
        }
        // Opening, reading and releasing a file while already holding the lock must not deadlock.
        let read = try NetCDFLibrary.withLock { () throws -> [Int32] in
            let file = try NetCDFFile.open(path: path)
            return values(Int32.self, try file.variable("v").readAll().bytes)
        }
        #expect(read == [5, 6])
        #expect(NetCDFLibrary.version.hasPrefix("4."))
    }
}

/// A thread-safe list of failure messages.
final class FailureLog: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func add(_ message: String) { lock.lock(); list.append(message); lock.unlock() }
    var entries: [String] { lock.lock(); defer { lock.unlock() }; return list }
}
