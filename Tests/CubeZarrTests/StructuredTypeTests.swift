import Foundation
import Testing
import CubeCore
import CubeCodecs
import CubeTestSupport
@testable import CubeZarr

/// Structured (compound) data types in Zarr v2, spelled and filled as zarr-python 2.18 does.
@Suite struct StructuredTypeTests {
    /// zarr-python 2.18's `.zarray` dtype of NumPy's aligned
    /// `[("a", "u1"), ("b", "<f8"), ("c", "<i2", (2,)), ("name", "S1", (4,)), ("n", [("p", "<i2"), ("q", "u1")])]`.
    static let alignedDescr = """
        [["a", "|u1"], ["", "|V7"], ["b", "<f8"], ["c", "<i2", [2]], ["name", "|S1", [4]], \
        ["n", [["p", "<i2"], ["q", "|u1"], ["", "|V1"]]], ["", "|V4"]]
        """

    static func layout(_ json: String) throws -> StructuredType {
        let (type, order) = try DataTypeCoding.parseV2(try JSON.parse(Array(json.utf8)))
        #expect(order == nil)
        guard case .structured(let layout) = type else {
            Issue.record("\(json) did not parse as a structured type")
            throw CubeError(.invalidInput, "not structured")
        }
        return layout
    }

    @Test func parsesAndWritesNumPyDescrWithPadding() throws {
        let layout = try Self.layout(Self.alignedDescr)
        #expect(layout.itemSize == 32)
        #expect(layout.fields.map(\.name) == ["a", "b", "c", "name", "n"])
        #expect(layout.fields.map(\.offset) == [0, 8, 16, 20, 24])
        #expect(layout.fields[2].shape == [2])
        #expect(layout.fields[2].byteOrder == .little)
        #expect(layout.fields[3].dataType == .bytes(1))
        guard case .structured(let inner) = layout.fields[4].dataType else {
            Issue.record("nested field not structured")
            return
        }
        #expect(inner.itemSize == 4)
        #expect(inner.fields.map(\.offset) == [0, 2])
        #expect(DataTypeCoding.v2JSON(.structured(layout)) == (try JSON.parse(Array(Self.alignedDescr.utf8))))
        #expect(DataType.structured(layout).itemSize == 32)
        #expect(DataType.structured(layout).swapUnit == 1)
        #expect("\(DataType.structured(inner))" == "structured{p: int16, q: uint8}")
    }

    @Test func fieldsKeepTheirByteOrder() throws {
        let layout = try Self.layout(#"[["x", "<f4"], ["y", ">i4"]]"#)
        #expect(layout.fields.map(\.byteOrder) == [.little, .big])
        #expect(DataTypeCoding.v2JSON(.structured(layout)).serialized() == #"[["x","<f4"],["y",">i4"]]"#)
    }

    @Test(arguments: [
        (#"[]"#, CubeError.Kind.invalidInput),
        (#"[["a"]]"#, .invalidInput),
        (#"[["a", "<i4"], ["a", "<f4"]]"#, .invalidInput),
        (#"[["", "<i4"]]"#, .invalidInput),
        (#"[["a", "<i4", [0]]]"#, .invalidInput),
        (#"[["a", "|O"]]"#, .unsupported),
        (#"[["a", "<q9"]]"#, .unsupported),
    ])
    func malformedDescrsAreRefused(_ json: String, kind: CubeError.Kind) throws {
        do {
            _ = try DataTypeCoding.parseV2(try JSON.parse(Array(json.utf8)), context: "x/.zarray")
            Issue.record("\(json) parsed")
        } catch let error as CubeError {
            #expect(error.kind == kind, "\(json): \(error)")
            #expect(error.context == "x/.zarray")
        }
    }

    @Test func fillValuesAreBase64OfTheElement() throws {
        let type = DataType.structured(try Self.layout(#"[["x", "<f4"], ["y", ">i4"]]"#))
        // zarr-python 2.18 for fill (1.5, -1).
        let item = try ElementJSON.decode("AADAP/////8=", as: type)
        #expect(item == [0, 0, 0xC0, 0x3F, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect(ElementJSON.encode(item, as: type) == "AADAP/////8=")
        #expect(try ElementJSON.decode(0, as: type) == [UInt8](repeating: 0, count: 8))
        #expect(throws: CubeError.self) { try ElementJSON.decode("AAAAAAAAAAAAAA==", as: type) }
    }

    @Test func v2ArraysRoundTripAndV3IsRefused() throws {
        let type = DataType.structured(try Self.layout(Self.alignedDescr))
        let store = MemoryStore()
        var metadata = ArrayMetadata(format: .v2, shape: [5], chunkShape: [2], dataType: type, fillValueJSON: .null)
        metadata.compressor = ["id": "zlib", "level": 1]
        let array = try ZarrArray.create(store, path: "s", metadata: metadata)
        let bytes = (0..<(5 * 32)).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        try array.write(try ArrayBuffer(dataType: type, shape: [3], bytes: Array(bytes[32..<128])), at: [1])
        let reopened = try ZarrArray.open(store, path: "s")
        #expect(reopened.metadata.dataType == type)
        #expect(try reopened.readAll().bytes == [UInt8](repeating: 0, count: 32) + Array(bytes[32..<128]) + [UInt8](repeating: 0, count: 32))
        let zarray = try JSON.parse(try #require(try store.get("s/.zarray")))
        #expect(zarray["dtype"] == (try JSON.parse(Array(Self.alignedDescr.utf8))))

        let v3 = ArrayMetadata(format: .v3, shape: [5], chunkShape: [2], dataType: type, fillValueJSON: "AAAAAAAAAAA=",
                               codecs: [["name": "bytes"]])
        do {
            _ = try ZarrArray.create(store, path: "v3", metadata: v3)
            Issue.record("a v3 structured array was created")
        } catch let error as CubeError {
            #expect(error.kind == .unsupported)
            #expect(error.context?.hasSuffix("v3") == true)
        }
        #expect(try store.get("v3/zarr.json") == nil)
    }

    /// zarr-python 2.18 writes structured arrays; cube reads them and writes a copy with the
    /// same metadata, which zarr-python reads back with the same values.
    @Test(.enabled(if: PythonClients.installed(PythonClients.zarr2) || PythonClients.required,
                   "zarr-python 2 is not installed in .venv/zarr2 (run scripts/setup-python)"))
    func zarrPython2ReadsWhatCubeCopies() throws {
        let dir = try TemporaryDirectory()
        let script = PythonClients.path("interop/check_structured.py")
        let written = try PythonClients.run(PythonClients.zarr2, [script, "sample", dir.sub("zp.zarr"), dir.sub("expected")])
        try #require(written.status == 0, "\(written.output)")
        let source = try DirectoryStore(path: dir.sub("zp.zarr"))
        let copy = try DirectoryStore(path: dir.sub("cube.zarr"), create: true)
        for name in ["nested", "with_fill"] {
            let original = try ZarrArray.open(source, path: name)
            guard case .structured = original.metadata.dataType else {
                Issue.record("\(name): \(original.metadata.dataType)")
                continue
            }
            let made = try ZarrArray.create(copy, path: name, metadata: original.metadata)
            try made.write(try original.readAll(), at: [0])
            for key in [".zarray"] {
                let a = try JSON.parse(try #require(try source.get("\(name)/\(key)")))
                let b = try JSON.parse(try #require(try copy.get("\(name)/\(key)")))
                #expect(a["dtype"] == b["dtype"] && a["fill_value"] == b["fill_value"], "\(name)")
            }
            let check = try PythonClients.run(PythonClients.zarr2, [script, "compare", dir.sub("cube.zarr"), name,
                                                                    dir.sub("expected/\(name).npy")])
            #expect(check.status == 0 && check.output.contains("1 passed, 0 failed"), "\(name): \(check.output)")
        }
        // The never-written chunks of with_fill read as its fill value (1.5, -1).
        let filled = try ZarrArray.open(source, path: "with_fill").read(Region(start: [6], count: [1]))
        #expect(filled.bytes == [0, 0, 0xC0, 0x3F, 0xFF, 0xFF, 0xFF, 0xFF])
    }
}
