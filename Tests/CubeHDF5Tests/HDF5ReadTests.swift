import CHDF5
import CubeCore
import CubeHDF5
import Dispatch
import Foundation
import Testing

/// Regions of a 37×53 array that cross 10×16 chunk boundaries and reach partial edge chunks.
let testRegions: [Region] = [
    Region(shape: [37, 53]),
    Region(start: [5, 3], count: [22, 47]),
    Region(start: [30, 48], count: [7, 5]),
    Region(start: [9, 15], count: [2, 2]),
    Region(start: [0, 0], count: [1, 1]),
    Region(start: [36, 0], count: [1, 53]),
    Region(start: [12, 20], count: [0, 4]),
]

/// Checks every test region of `dataset` against `expected` (the whole array).
func checkRegions(_ dataset: HDF5Dataset, expected: ArrayBuffer) throws {
    for region in testRegions {
        let got = try dataset.read(region)
        #expect(got == expected.extracting(region), "region \(region) of \(dataset.path)")
        let viaLibrary = try dataset.readThroughLibrary(region)
        #expect(viaLibrary == got, "library read of \(region) of \(dataset.path)")
    }
}

@Suite("HDF5 dataset reads")
struct HDF5ReadTests {
    let shape = [37, 53]

    @Test("contiguous, compact and unfiltered chunked layouts read back what was written")
    func layouts() throws {
        let data = sampleFloats(shape)
        let builder = try H5Builder("layouts")
        try builder.dataset("contiguous", type: h5(cube_H5T_IEEE_F32LE), shape: shape, data: rawBytes(data),
                            memoryType: h5(cube_H5T_NATIVE_FLOAT))
        try builder.dataset("compact", type: h5(cube_H5T_IEEE_F32LE), shape: [5, 7], compact: true,
                            data: rawBytes(Array(data.prefix(35))), memoryType: h5(cube_H5T_NATIVE_FLOAT))
        try builder.dataset("chunked", type: h5(cube_H5T_IEEE_F32LE), shape: shape, chunks: [10, 16], data: rawBytes(data),
                            memoryType: h5(cube_H5T_NATIVE_FLOAT))
        builder.close()

        let file = try HDF5File(path: builder.path)
        let expected = ArrayBuffer(dataType: .float32, shape: shape, storage: .fixed(rawBytes(data)))

        let contiguous = try file.dataset(atPath: "contiguous")
        #expect(contiguous.storage.layout == "contiguous")
        #expect(contiguous.chunkShape == nil)
        #expect(!contiguous.decodesChunksDirectly)
        #expect(contiguous.dataType == .float32)
        #expect(contiguous.shape == shape)
        try checkRegions(contiguous, expected: expected)

        let compact = try file.dataset(atPath: "/compact")
        #expect(compact.storage.layout == "compact")
        #expect(compact.chunkShape == nil)
        let small = try compact.read(Region(start: [1, 2], count: [3, 4]))
        let smallExpected = ArrayBuffer(dataType: .float32, shape: [5, 7], storage: .fixed(rawBytes(Array(data.prefix(35)))))
            .extracting(Region(start: [1, 2], count: [3, 4]))
        #expect(small == smallExpected)

        let chunked = try file.dataset(atPath: "chunked")
        #expect(chunked.storage.layout == "chunked")
        #expect(chunked.chunkShape == [10, 16])
        #expect(chunked.storage.chunkShape == [10, 16])
        #expect(chunked.storage.filters.isEmpty)
        #expect(chunked.decodesChunksDirectly)
        try checkRegions(chunked, expected: expected)
    }

    /// Filter pipelines, whether cube decodes them itself, and the `StorageInfo` filter names.
    static let pipelines: [(filters: [TestFilter], direct: Bool, names: [String])] = [
        ([.deflate(4)], true, ["deflate(level=4)"]),
        ([.shuffle, .deflate(6)], true, ["shuffle", "deflate(level=6)"]),
        ([.deflate(1), .shuffle], true, ["deflate(level=1)", "shuffle"]),
        ([.shuffle], true, ["shuffle"]),
        ([.fletcher32], false, ["fletcher32"]),
        ([.shuffle, .deflate(4), .fletcher32], false, ["shuffle", "deflate(level=4)", "fletcher32"]),
    ]

    @Test("filtered chunked datasets read back equal over regions crossing chunks", arguments: 0..<pipelines.count)
    func filters(_ index: Int) throws {
        let pipeline = Self.pipelines[index]
        let data = sampleFloats(shape)
        let ints = (0..<ShapeMath.product(shape)).map { Int64($0 * 7919 % 100_003) - 50_000 }
        let builder = try H5Builder("filters")
        try builder.dataset("f", type: h5(cube_H5T_IEEE_F32LE), shape: shape, chunks: [10, 16], filters: pipeline.filters,
                            data: rawBytes(data), memoryType: h5(cube_H5T_NATIVE_FLOAT))
        try builder.dataset("i", type: h5(cube_H5T_STD_I64LE), shape: shape, chunks: [10, 16], filters: pipeline.filters,
                            data: rawBytes(ints), memoryType: h5(cube_H5T_NATIVE_INT64))
        builder.close()

        let file = try HDF5File(path: builder.path)
        let floats = try file.dataset(atPath: "f")
        #expect(floats.decodesChunksDirectly == pipeline.direct)
        #expect(floats.storage.filters == pipeline.names)
        #expect(floats.filters.count == pipeline.filters.count)
        try checkRegions(floats, expected: ArrayBuffer(dataType: .float32, shape: shape, storage: .fixed(rawBytes(data))))
        let integers = try file.dataset(atPath: "i")
        #expect(integers.dataType == .int64)
        try checkRegions(integers, expected: ArrayBuffer(dataType: .int64, shape: shape, storage: .fixed(rawBytes(ints))))
        if pipeline.direct {
            // Raw chunks: compressed where deflate is present.
            let raw = try #require(try floats.readRawChunk([1, 1]))
            #expect(raw.filterMask == 0)
            if pipeline.filters.contains(where: { if case .deflate = $0 { true } else { false } }) {
                #expect(raw.bytes.count < 10 * 16 * 4)
            } else {
                #expect(raw.bytes.count == 10 * 16 * 4)
            }
        }
    }

    @Test("chunks never written read as the fill value", arguments: [[TestFilter.shuffle, .deflate(4)], [.fletcher32], []])
    func unwrittenChunks(_ filters: [TestFilter]) throws {
        let fill: Float = -999.5
        let builder = try H5Builder("fill")
        try builder.dataset("v", type: h5(cube_H5T_IEEE_F32BE), shape: shape, chunks: [10, 16], filters: filters,
                            fill: rawBytes([fill]), fillType: h5(cube_H5T_NATIVE_FLOAT))
        // Write only rows 12..<25, columns 20..<40: chunks (1,1), (1,2), (2,1), (2,2) partly.
        let patch = (0..<(13 * 20)).map { Float($0) }
        try builder.write("v", start: [12, 20], count: [13, 20], data: rawBytes(patch), memoryType: h5(cube_H5T_NATIVE_FLOAT))
        try builder.dataset("nofill", type: h5(cube_H5T_STD_I16LE), shape: [20, 20], chunks: [5, 5], filters: filters)
        builder.close()

        var expected = [Float](repeating: fill, count: ShapeMath.product(shape))
        for r in 0..<13 { for c in 0..<20 { expected[(12 + r) * 53 + 20 + c] = patch[r * 20 + c] } }
        let file = try HDF5File(path: builder.path)
        let dataset = try file.dataset(atPath: "v")
        #expect(dataset.fillValue == .element(rawBytes([fill])))
        #expect(try dataset.readRawChunk([0, 0]) == nil)
        #expect(try dataset.readRawChunk([1, 1]) != nil)
        try checkRegions(dataset, expected: ArrayBuffer(dataType: .float32, shape: shape, storage: .fixed(rawBytes(expected))))

        let zero = try file.dataset(atPath: "nofill")
        let all = try zero.read(Region(shape: [20, 20]))
        #expect(all.bytes == [UInt8](repeating: 0, count: 800))
    }

    @Test("a chunk whose filter mask says deflate was skipped is read as stored")
    func skippedFilter() throws {
        let builder = try H5Builder("mask")
        try builder.dataset("v", type: h5(cube_H5T_STD_I32LE), shape: [8, 8], chunks: [4, 4], filters: [.deflate(5)])
        let full: [Int32] = (0..<64).map { Int32($0) }
        // Chunk (0,0) written normally, chunk (0,1) stored uncompressed with mask bit 0 set.
        let left: [Int32] = (0..<16).map { (i: Int) -> Int32 in Int32((i / 4) * 8 + i % 4) }
        try builder.write("v", start: [0, 0], count: [4, 4], data: rawBytes(left), memoryType: h5(cube_H5T_NATIVE_INT32))
        let plain: [Int32] = (0..<16).map { (i: Int) -> Int32 in Int32((i / 4) * 8 + 4 + i % 4) }
        try builder.writeRawChunk("v", offset: [0, 4], filterMask: 1, bytes: rawBytes(plain))
        builder.close()

        let file = try HDF5File(path: builder.path)
        let dataset = try file.dataset(atPath: "v")
        #expect(dataset.decodesChunksDirectly)
        let raw = try #require(try dataset.readRawChunk([0, 1]))
        #expect(raw.filterMask == 1)
        #expect(raw.bytes == rawBytes(plain))
        let top = try dataset.read(Region(start: [0, 0], count: [4, 8]))
        #expect(top.bytes == rawBytes(Array(full.prefix(32))))
        #expect(try dataset.readThroughLibrary(Region(start: [0, 0], count: [4, 8])) == top)
        // The bottom half was never written.
        #expect(try dataset.read(Region(start: [4, 0], count: [4, 8])).bytes == [UInt8](repeating: 0, count: 128))
    }

    @Test("partial edge chunks stored unfiltered (H5D_CHUNK_DONT_FILTER_PARTIAL_CHUNKS) decode")
    func unfilteredEdgeChunks() throws {
        let data = sampleFloats(shape)
        let builder = try H5Builder("edge", latestFormat: true)
        try builder.dataset("v", type: h5(cube_H5T_IEEE_F32LE), shape: shape, chunks: [10, 16], filters: [.shuffle, .deflate(3)],
                            dontFilterPartialChunks: true, data: rawBytes(data), memoryType: h5(cube_H5T_NATIVE_FLOAT))
        builder.close()
        let file = try HDF5File(path: builder.path)
        let dataset = try file.dataset(atPath: "v")
        #expect(dataset.decodesChunksDirectly)
        let edge = try #require(try dataset.readRawChunk([3, 3]))
        #expect(edge.bytes.count == 10 * 16 * 4)
        try checkRegions(dataset, expected: ArrayBuffer(dataType: .float32, shape: shape, storage: .fixed(rawBytes(data))))
    }

    @Test("big-endian datasets read in native order, chunked and contiguous")
    func bigEndian() throws {
        let floats = sampleFloats(shape).map(Double.init)
        let shorts = (0..<ShapeMath.product(shape)).map { Int16(truncatingIfNeeded: $0 * 37 - 20000) }
        let builder = try H5Builder("bigendian")
        try builder.dataset("d_chunked", type: h5(cube_H5T_IEEE_F64BE), shape: shape, chunks: [10, 16], filters: [.shuffle, .deflate(4)],
                            data: rawBytes(floats), memoryType: h5(cube_H5T_NATIVE_DOUBLE))
        try builder.dataset("d_plain", type: h5(cube_H5T_IEEE_F64BE), shape: shape, data: rawBytes(floats),
                            memoryType: h5(cube_H5T_NATIVE_DOUBLE))
        try builder.dataset("s_chunked", type: h5(cube_H5T_STD_I16BE), shape: shape, chunks: [10, 16], filters: [.deflate(9)],
                            data: rawBytes(shorts), memoryType: h5(cube_H5T_NATIVE_INT16))
        try builder.dataset("s_unfiltered", type: h5(cube_H5T_STD_I16BE), shape: shape, chunks: [7, 9],
                            data: rawBytes(shorts), memoryType: h5(cube_H5T_NATIVE_INT16))
        builder.close()
        let file = try HDF5File(path: builder.path)
        let doubles = ArrayBuffer(dataType: .float64, shape: shape, storage: .fixed(rawBytes(floats)))
        let int16s = ArrayBuffer(dataType: .int16, shape: shape, storage: .fixed(rawBytes(shorts)))
        for name in ["d_chunked", "d_plain"] {
            let dataset = try file.dataset(atPath: name)
            #expect(dataset.dataType == .float64)
            try checkRegions(dataset, expected: doubles)
        }
        for name in ["s_chunked", "s_unfiltered"] {
            let dataset = try file.dataset(atPath: name)
            #expect(dataset.dataType == .int16)
            #expect(dataset.decodesChunksDirectly)
            try checkRegions(dataset, expected: int16s)
        }
    }

    @Test("every integer and float size in both byte orders maps to the native type")
    func numericTypes() throws {
        let cases: [(hid_t, hid_t, DataType)] = [
            (h5(cube_H5T_STD_I8LE), h5(cube_H5T_STD_I8BE), .int8), (h5(cube_H5T_STD_U8LE), h5(cube_H5T_STD_U8BE), .uint8),
            (h5(cube_H5T_STD_I16LE), h5(cube_H5T_STD_I16BE), .int16), (h5(cube_H5T_STD_U16LE), h5(cube_H5T_STD_U16BE), .uint16),
            (h5(cube_H5T_STD_I32LE), h5(cube_H5T_STD_I32BE), .int32), (h5(cube_H5T_STD_U32LE), h5(cube_H5T_STD_U32BE), .uint32),
            (h5(cube_H5T_STD_I64LE), h5(cube_H5T_STD_I64BE), .int64), (h5(cube_H5T_STD_U64LE), h5(cube_H5T_STD_U64BE), .uint64),
            (h5(cube_H5T_IEEE_F32LE), h5(cube_H5T_IEEE_F32BE), .float32), (h5(cube_H5T_IEEE_F64LE), h5(cube_H5T_IEEE_F64BE), .float64),
        ]
        let builder = try H5Builder("numeric")
        var expected: [String: (DataType, [UInt8])] = [:]
        for (little, big, type) in cases {
            // Native bytes: a pattern whose values are valid for every type.
            let count = 12
            let native: [UInt8]
            let memory: hid_t
            switch type {
            case .int8: native = rawBytes((0..<count).map { Int8($0 - 6) }); memory = h5(cube_H5T_NATIVE_INT8)
            case .uint8: native = rawBytes((0..<count).map { UInt8($0 * 20) }); memory = h5(cube_H5T_NATIVE_UINT8)
            case .int16: native = rawBytes((0..<count).map { Int16($0 * 1000 - 6000) }); memory = h5(cube_H5T_NATIVE_INT16)
            case .uint16: native = rawBytes((0..<count).map { UInt16($0 * 5000) }); memory = h5(cube_H5T_NATIVE_UINT16)
            case .int32: native = rawBytes((0..<count).map { Int32($0 * 100_000 - 600_000) }); memory = h5(cube_H5T_NATIVE_INT32)
            case .uint32: native = rawBytes((0..<count).map { UInt32($0) * 300_000_000 }); memory = h5(cube_H5T_NATIVE_UINT32)
            case .int64: native = rawBytes((0..<count).map { Int64($0) * 1_000_000_000_000 - 5 }); memory = h5(cube_H5T_NATIVE_INT64)
            case .uint64: native = rawBytes((0..<count).map { UInt64($0) * 1_500_000_000_000_000_000 }); memory = h5(cube_H5T_NATIVE_UINT64)
            case .float32: native = rawBytes((0..<count).map { Float($0) / 3 }); memory = h5(cube_H5T_NATIVE_FLOAT)
            default: native = rawBytes((0..<count).map { Double($0) / 7 }); memory = h5(cube_H5T_NATIVE_DOUBLE)
            }
            for (suffix, fileType) in [("le", little), ("be", big)] {
                for chunked in [false, true] {
                    let name = "\(type)_\(suffix)_\(chunked ? "c" : "p")"
                    try builder.dataset(name, type: fileType, shape: [3, 4], chunks: chunked ? [2, 3] : nil,
                                        filters: chunked ? [.shuffle, .deflate(2)] : [], data: native, memoryType: memory)
                    try builder.attribute(name, "attr", type: fileType, shape: [count], bytes: native, memoryType: memory)
                    expected[name] = (type, native)
                }
            }
        }
        builder.close()
        let file = try HDF5File(path: builder.path)
        for (name, (type, native)) in expected {
            let dataset = try file.dataset(atPath: name)
            #expect(dataset.dataType == type, "\(name)")
            #expect(try dataset.read(Region(shape: [3, 4])).bytes == native, "\(name)")
            #expect(try dataset.read(Region(start: [1, 1], count: [2, 3])) ==
                    ArrayBuffer(dataType: type, shape: [3, 4], storage: .fixed(native)).extracting(Region(start: [1, 1], count: [2, 3])))
            #expect(dataset.attributes.first { $0.name == "attr" }?.value == .numbers(type, native), "\(name) attribute")
        }
    }

    @Test("fixed-length strings read as bytes:n, variable-length strings as strings")
    func strings() throws {
        let builder = try H5Builder("strings")
        let fixed = try HDF5Library.withLock { () -> hid_t in
            let type = try ok(H5Tcopy(h5(cube_H5T_C_S1)), "H5Tcopy")
            try ok(H5Tset_size(type, 5), "H5Tset_size")
            try ok(H5Tset_strpad(type, H5T_STR_NULLPAD), "H5Tset_strpad")
            return type
        }
        let fixedBytes = Array("abcdehello\0\0\0\0\0xyz\0\0".utf8)
        try builder.dataset("fixed", type: fixed, shape: [4], chunks: [3], filters: [.deflate(1)], data: fixedBytes)
        try builder.dataset("fixed_plain", type: fixed, shape: [4], data: fixedBytes)
        try builder.attribute("fixed", "labels", type: fixed, shape: [2], bytes: Array(fixedBytes.prefix(10)))
        let variable = try HDF5Library.withLock { () -> hid_t in
            let type = try ok(H5Tcopy(h5(cube_H5T_C_S1)), "H5Tcopy")
            try ok(H5Tset_size(type, cube_H5T_VARIABLE()), "H5Tset_size")
            try ok(H5Tset_cset(type, H5T_CSET_UTF8), "H5Tset_cset")
            return type
        }
        let words = ["α", "", "three words here", "naïve", "x", "last"]
        try withCStrings(words) { pointers in
            try builder.dataset("vlen", type: variable, shape: [2, 3], chunks: [1, 2], data: rawBytes(pointers))
            try builder.dataset("vlen_scalar", type: variable, shape: [], data: rawBytes([pointers[2]]))
        }
        try builder.stringsAttribute("vlen", "many", ["a", "bb", "ccc"])
        try builder.stringsAttribute("vlen", "one", ["only"], scalar: true)
        try builder.textAttribute("vlen", "units", "degrees_north")
        _ = HDF5Library.withLock { (H5Tclose(fixed), H5Tclose(variable)) }
        builder.close()

        let file = try HDF5File(path: builder.path)
        for name in ["fixed", "fixed_plain"] {
            let dataset = try file.dataset(atPath: name)
            #expect(dataset.dataType == .bytes(5))
            #expect(try dataset.read(Region(shape: [4])).bytes == fixedBytes)
            #expect(try dataset.read(Region(start: [2], count: [2])).bytes == Array(fixedBytes.suffix(10)))
        }
        let labeled = try file.dataset(atPath: "fixed")
        #expect(labeled.decodesChunksDirectly)
        #expect(labeled.attributes.first { $0.name == "labels" }?.value == .strings(["abcde", "hello"]))

        let strings = try file.dataset(atPath: "vlen")
        #expect(strings.dataType == .string)
        #expect(!strings.decodesChunksDirectly)
        #expect(try strings.read(Region(shape: [2, 3])).strings == words)
        #expect(try strings.read(Region(start: [0, 1], count: [2, 2])).strings == ["", "three words here", "x", "last"])
        #expect(try file.dataset(atPath: "vlen_scalar").read(Region(shape: [])).strings == ["three words here"])
        let attributes = Dictionary(uniqueKeysWithValues: strings.attributes.map { ($0.name, $0.value) })
        #expect(attributes["many"] == .strings(["a", "bb", "ccc"]))
        #expect(attributes["one"] == .text("only"))
        #expect(attributes["units"] == .text("degrees_north"))
    }

    @Test("enums read as their base integers with flag_values and flag_meanings; h5py booleans as bool")
    func enums() throws {
        let builder = try H5Builder("enums")
        let (enumType, boolType) = try HDF5Library.withLock { () -> (hid_t, hid_t) in
            let type = try ok(H5Tenum_create(h5(cube_H5T_STD_I16BE)), "H5Tenum_create")
            for (name, value) in [("clear", Int16(0)), ("partly cloudy", 2), ("overcast", -1)] {
                var v = value.bigEndian  // members are given in the base type's byte order
                try ok(H5Tenum_insert(type, name, &v), "H5Tenum_insert")
            }
            let bool = try ok(H5Tenum_create(h5(cube_H5T_NATIVE_INT8)), "H5Tenum_create")
            for (name, value) in [("FALSE", Int8(0)), ("TRUE", 1)] {
                var v = value
                try ok(H5Tenum_insert(bool, name, &v), "H5Tenum_insert")
            }
            return (type, bool)
        }
        let memoryEnum = try HDF5Library.withLock { try ok(H5Tget_native_type(enumType, H5T_DIR_ASCEND), "native") }
        let stored: [Int16] = [0, 2, -1, 2, 0, 0]
        try builder.dataset("cloud", type: enumType, shape: [2, 3], chunks: [1, 3], filters: [.deflate(1)],
                            data: rawBytes(stored), memoryType: memoryEnum)
        try builder.dataset("cloud_plain", type: enumType, shape: [6], data: rawBytes(stored), memoryType: memoryEnum)
        try builder.dataset("flag", type: boolType, shape: [4], data: [1, 0, 0, 1])
        HDF5Library.withLock { _ = H5Tclose(enumType); _ = H5Tclose(boolType); _ = H5Tclose(memoryEnum) }
        builder.close()

        let file = try HDF5File(path: builder.path)
        for name in ["cloud", "cloud_plain"] {
            let dataset = try file.dataset(atPath: name)
            #expect(dataset.dataType == .int16)
            #expect(try dataset.read(Region(shape: dataset.shape)).bytes == rawBytes(stored))
            let attributes = Dictionary(uniqueKeysWithValues: dataset.attributes.map { ($0.name, $0.value) })
            #expect(attributes["flag_values"] == .numbers(.int16, rawBytes([Int16(0), 2, -1])))
            #expect(attributes["flag_meanings"] == .text("clear partly_cloudy overcast"))
        }
        #expect(try file.dataset(atPath: "cloud").decodesChunksDirectly)
        let flag = try file.dataset(atPath: "flag")
        #expect(flag.dataType == .bool)
        #expect(try flag.read(Region(shape: [4])).bytes == [1, 0, 0, 1])
        #expect(flag.attributes.isEmpty)
    }

    @Test("compounds read in the file's layout, big-endian members as stored, arrays as sub-arrays")
    func compoundTypes() throws {
        let builder = try H5Builder("compound")
        let (record, nested, inner) = try HDF5Library.withLock { () -> (hid_t, hid_t, hid_t) in
            let record = try ok(H5Tcreate(H5T_COMPOUND, 24), "H5Tcreate")
            try ok(H5Tinsert(record, "a", 0, h5(cube_H5T_STD_U8LE)), "H5Tinsert")
            try ok(H5Tinsert(record, "b", 8, h5(cube_H5T_IEEE_F64BE)), "H5Tinsert")
            let pair = try ok(H5Tarray_create2(h5(cube_H5T_STD_I16LE), 1, [2]), "H5Tarray_create2")
            try ok(H5Tinsert(record, "c", 16, pair), "H5Tinsert")
            H5Tclose(pair)
            let text = try ok(H5Tcopy(h5(cube_H5T_C_S1)), "H5Tcopy")
            try ok(H5Tset_size(text, 3), "H5Tset_size")
            try ok(H5Tinsert(record, "name", 20, text), "H5Tinsert")
            H5Tclose(text)
            let inner = try ok(H5Tcreate(H5T_COMPOUND, 4), "H5Tcreate")
            try ok(H5Tinsert(inner, "x", 0, h5(cube_H5T_STD_I32LE)), "H5Tinsert")
            let nested = try ok(H5Tcreate(H5T_COMPOUND, 8), "H5Tcreate")
            try ok(H5Tinsert(nested, "inner", 0, inner), "H5Tinsert")
            try ok(H5Tinsert(nested, "y", 4, h5(cube_H5T_IEEE_F32LE)), "H5Tinsert")
            return (record, nested, inner)
        }
        var stored = [UInt8](repeating: 0, count: 48)
        for (index, (a, b, c0, c1, name)) in [(UInt8(7), 2.5, Int16(-1), Int16(2), "ab"), (9, -0.125, 300, -300, "xyz")].enumerated() {
            let base = index * 24
            stored[base] = a
            withUnsafeBytes(of: b.bitPattern.bigEndian) { stored.replaceSubrange((base + 8)..<(base + 16), with: $0) }
            withUnsafeBytes(of: c0.littleEndian) { stored.replaceSubrange((base + 16)..<(base + 18), with: $0) }
            withUnsafeBytes(of: c1.littleEndian) { stored.replaceSubrange((base + 18)..<(base + 20), with: $0) }
            stored.replaceSubrange((base + 20)..<(base + 20 + name.utf8.count), with: Array(name.utf8))
        }
        try builder.dataset("records", type: record, shape: [2], chunks: [1], filters: [.deflate(4)], data: stored)
        try builder.dataset("nested", type: nested, shape: [2])
        HDF5Library.withLock { [record, nested, inner].forEach { _ = H5Tclose($0) } }
        builder.close()

        let file = try HDF5File(path: builder.path)
        let records = try file.dataset(atPath: "records")
        guard case .structured(let layout) = records.dataType else {
            Issue.record("records is \(records.dataType)")
            return
        }
        #expect(layout.itemSize == 24)
        #expect(layout.fields.map(\.name) == ["a", "b", "c", "name"])
        #expect(layout.fields.map(\.offset) == [0, 8, 16, 20])
        #expect(layout.fields.map(\.dataType) == [.uint8, .float64, .int16, .bytes(3)])
        #expect(layout.fields.map(\.byteOrder) == [nil, .big, .little, nil])
        #expect(layout.fields[2].shape == [2])
        #expect(!records.decodesChunksDirectly)
        #expect(try records.read(Region(shape: [2])).bytes == stored)
        #expect(try records.read(Region(start: [1], count: [1])).bytes == Array(stored[24...]))

        let refused = #expect(throws: CubeError.self) { try file.dataset(atPath: "nested") }
        #expect(refused?.kind == .unsupported)
        #expect(refused?.message.contains("member 'inner'") == true)
    }

    @Test("compound, opaque, reference and sequence datasets are refused or skipped by name")
    func unsupportedTypes() throws {
        let builder = try H5Builder("unsupported")
        try builder.dataset("good", type: h5(cube_H5T_STD_I32LE), shape: [3], data: rawBytes([Int32(1), 2, 3]),
                            memoryType: h5(cube_H5T_NATIVE_INT32))
        let (compound, opaque, sequence, complex) = try HDF5Library.withLock { () -> (hid_t, hid_t, hid_t, hid_t) in
            // A compound with a variable-length member.
            let sequence = try ok(H5Tvlen_create(h5(cube_H5T_STD_I32LE)), "H5Tvlen_create")
            let compound = try ok(H5Tcreate(H5T_COMPOUND, 24), "H5Tcreate")
            try ok(H5Tinsert(compound, "a", 0, h5(cube_H5T_STD_I32LE)), "H5Tinsert")
            try ok(H5Tinsert(compound, "v", 8, sequence), "H5Tinsert")
            let opaque = try ok(H5Tcreate(H5T_OPAQUE, 4), "H5Tcreate")
            let complex = try ok(H5Tcreate(H5T_COMPOUND, 16), "H5Tcreate")
            try ok(H5Tinsert(complex, "r", 0, h5(cube_H5T_IEEE_F64LE)), "H5Tinsert")
            try ok(H5Tinsert(complex, "i", 8, h5(cube_H5T_IEEE_F64LE)), "H5Tinsert")
            return (compound, opaque, sequence, complex)
        }
        try builder.dataset("group/records", type: compound, shape: [2])
        try builder.dataset("blob", type: opaque, shape: [2])
        try builder.dataset("ragged", type: sequence, shape: [2])
        try builder.dataset("refs", type: h5(cube_H5T_STD_REF_OBJ), shape: [1])
        try builder.dataset("z", type: complex, shape: [2], data: rawBytes([1.0, -2.0, 3.5, 4.25]))
        HDF5Library.withLock { [compound, opaque, sequence, complex].forEach { _ = H5Tclose($0) } }
        builder.close()

        let file = try HDF5File(path: builder.path)
        let error = #expect(throws: CubeError.self) { try file.readDataset() }
        #expect(error?.kind == .unsupported)
        let compoundReason = "compound type with a member 'v' of a nested, variable-length or other unsupported type"
        #expect(error?.message.contains("group/records (\(compoundReason))") == true)
        #expect(error?.message.contains("blob (opaque type)") == true)
        #expect(error?.context == builder.path)

        let (root, unsupported) = try file.readDataset(skipUnsupported: true)
        #expect(Set(unsupported) == [
            UnsupportedVariable(path: "group/records", reason: compoundReason),
            UnsupportedVariable(path: "blob", reason: "opaque type"),
            UnsupportedVariable(path: "ragged", reason: "variable-length sequence type"),
            UnsupportedVariable(path: "refs", reason: "reference type"),
        ])
        #expect(root.variables.map(\.path) == ["good", "z"])
        let complexDataset = try #require(variable("z", in: root))
        #expect(complexDataset.dataType == .complex128)
        #expect(try complexDataset.read(Region(shape: [2])).bytes == rawBytes([1.0, -2.0, 3.5, 4.25]))

        let single = #expect(throws: CubeError.self) { try file.dataset(atPath: "group/records") }
        #expect(single?.kind == .unsupported)
        #expect(single?.message.contains("group/records") == true)
    }

    @Test("concurrent reads from several threads return the same data")
    func concurrentReads() throws {
        let big = [64, 90]
        let data = sampleFloats(big)
        let builder = try H5Builder("concurrent")
        try builder.dataset("raw", type: h5(cube_H5T_IEEE_F32LE), shape: big, chunks: [8, 10], filters: [.shuffle, .deflate(4)],
                            data: rawBytes(data), memoryType: h5(cube_H5T_NATIVE_FLOAT))
        try builder.dataset("lib", type: h5(cube_H5T_IEEE_F32BE), shape: big, chunks: [8, 10], filters: [.fletcher32, .deflate(2)],
                            data: rawBytes(data), memoryType: h5(cube_H5T_NATIVE_FLOAT))
        builder.close()
        let file = try HDF5File(path: builder.path)
        let datasets = [try file.dataset(atPath: "raw"), try file.dataset(atPath: "lib")]
        let expected = ArrayBuffer(dataType: .float32, shape: big, storage: .fixed(rawBytes(data)))
        final class Failures: @unchecked Sendable {
            let lock = NSLock()
            var messages: [String] = []
            func add(_ m: String) { lock.lock(); messages.append(m); lock.unlock() }
        }
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 64) { task in
            let dataset = datasets[task % 2]
            let start = [(task * 7) % 50, (task * 13) % 70]
            let region = Region(start: start, count: [big[0] - start[0] - task % 5, big[1] - start[1] - task % 3])
            do {
                let got = try dataset.read(region)
                if got != expected.extracting(region) { failures.add("\(dataset.path) \(region) differs") }
            } catch {
                failures.add("\(dataset.path) \(region): \(error)")
            }
        }
        #expect(failures.messages.isEmpty, "\(failures.messages)")
    }

    @Test("reading while holding the library lock decodes on the calling thread instead of deadlocking")
    func readUnderLock() throws {
        let data = sampleFloats(shape)
        let builder = try H5Builder("underlock")
        try builder.dataset("v", type: h5(cube_H5T_IEEE_F32LE), shape: shape, chunks: [10, 16], filters: [.shuffle, .deflate(4)],
                            data: rawBytes(data), memoryType: h5(cube_H5T_NATIVE_FLOAT))
        builder.close()
        let dataset = try HDF5File(path: builder.path).dataset(atPath: "v")
        let whole = try HDF5Library.withLock { try dataset.read(Region(shape: shape)) }
        #expect(whole.bytes == rawBytes(data))
    }

    @Test("missing files, directories and non-HDF5 files fail naming the path")
    func badFiles() throws {
        let missing = temporaryPath("missing")
        let notFound = #expect(throws: CubeError.self) { try HDF5File(path: missing) }
        #expect(notFound?.kind == .notFound)
        #expect(notFound?.context == missing)

        let text = temporaryPath("text")
        try Data("this is not HDF5, just text\n".utf8).write(to: URL(fileURLWithPath: text))
        let invalid = #expect(throws: CubeError.self) { try HDF5File(path: text) }
        #expect(invalid?.kind == .invalidInput)
        #expect(invalid?.context == text)
        #expect(invalid?.description.contains(text) == true)

        let source = try H5Builder("truncate-source")
        try source.dataset("v", type: h5(cube_H5T_STD_U8LE), shape: [4096], data: [UInt8](repeating: 9, count: 4096))
        source.close()
        let truncated = temporaryPath("truncated")
        let whole = try Data(contentsOf: URL(fileURLWithPath: source.path))
        try whole.prefix(1000).write(to: URL(fileURLWithPath: truncated))
        let broken = #expect(throws: CubeError.self) { try HDF5File(path: truncated) }
        #expect(broken?.context == truncated)
        #expect(broken?.message.contains("H5Fopen") == true)

        let directory = FileManager.default.temporaryDirectory.path
        let isDirectory = #expect(throws: CubeError.self) { try HDF5File(path: directory) }
        #expect(isDirectory?.context == directory)

        let builder = try H5Builder("paths")
        try builder.group("g")
        builder.close()
        let file = try HDF5File(path: builder.path)
        let noDataset = #expect(throws: CubeError.self) { try file.dataset(atPath: "g/nothing/here") }
        #expect(noDataset?.kind == .notFound)
        #expect(noDataset?.context?.contains(builder.path) == true)
        #expect(noDataset?.context?.contains("/g/nothing/here") == true)
        let isGroup = #expect(throws: CubeError.self) { try file.dataset(atPath: "g") }
        #expect(isGroup?.kind == .notFound)
    }

    @Test("regions outside the array and raw chunks outside the grid are refused")
    func badRegions() throws {
        let builder = try H5Builder("regions")
        try builder.dataset("v", type: h5(cube_H5T_STD_U8LE), shape: [4, 4], chunks: [2, 2], data: [UInt8](repeating: 1, count: 16))
        try builder.dataset("p", type: h5(cube_H5T_STD_U8LE), shape: [4], data: [1, 2, 3, 4])
        builder.close()
        let file = try HDF5File(path: builder.path)
        let dataset = try file.dataset(atPath: "v")
        #expect(throws: CubeError.self) { try dataset.read(Region(start: [3, 0], count: [2, 1])) }
        #expect(throws: CubeError.self) { try dataset.read(Region(start: [0], count: [1])) }
        #expect(throws: CubeError.self) { try dataset.readRawChunk([2, 0]) }
        #expect(throws: CubeError.self) { try file.dataset(atPath: "p").readRawChunk([0]) }
    }
}
