import CubeCore
import CubeEngine
import CubeZarr
import Foundation
import Testing

/// Compound variables convert to packed structured Zarr v2 arrays and are refused in v3.
@Suite struct StructuredConversionTests {
    /// `{uint8 a; float64 b; uint8 flag}` laid out for C: 7 padding bytes after `a` and after `flag`.
    static func padded() throws -> DataType {
        .structured(try StructuredType(fields: [
            .init(name: "a", dataType: .uint8, offset: 0),
            .init(name: "b", dataType: .float64, byteOrder: .native, offset: 8),
            .init(name: "flag", dataType: .uint8, offset: 16),
        ], itemSize: 24))
    }

    /// One padded element, padding filled with 0xEE so a packing mistake shows.
    static func element(_ a: UInt8, _ b: Double, _ flag: UInt8) -> [UInt8] {
        var bytes = [UInt8](repeating: 0xEE, count: 24)
        bytes[0] = a
        withUnsafeBytes(of: b) { bytes.replaceSubrange(8..<16, with: $0) }
        bytes[16] = flag
        return bytes
    }

    static func packedElement(_ a: UInt8, _ b: Double, _ flag: UInt8) -> [UInt8] {
        [a] + withUnsafeBytes(of: b) { Array($0) } + [flag]
    }

    func source(fill: [UInt8]? = nil) throws -> BufferSource {
        let type = try Self.padded()
        let bytes = Self.element(1, 0.5, 250) + Self.element(2, -1.5, 251) + Self.element(3, 8, 252)
        return BufferSource(path: "records", buffer: ArrayBuffer(dataType: type, shape: [3], storage: .fixed(bytes)),
                            dimensionNames: ["n"], attributes: fill.map { [Attribute("_FillValue", .numbers(type, $0))] } ?? [])
    }

    @Test func paddedElementsArePackedFieldByField() throws {
        let packed = StructuredPacking.packed(try source(fill: Self.element(9, -9, 9)))
        guard case .structured(let layout) = packed.dataType else {
            Issue.record("\(packed.dataType)")
            return
        }
        #expect(layout.isPacked && layout.itemSize == 10)
        #expect(layout.fields.map(\.offset) == [0, 1, 9])
        #expect(try packed.read(Region(start: [1], count: [2])).bytes
            == Self.packedElement(2, -1.5, 251) + Self.packedElement(3, 8, 252))
        #expect(packed.attributes == [Attribute("_FillValue", .numbers(packed.dataType, Self.packedElement(9, -9, 9)))])
        // Packed and other types pass through.
        #expect(StructuredPacking.packed(packed).dataType == packed.dataType)
        #expect(StructuredPacking.packed(BufferSource.numbers("n", count: 2, dim: "n")).dataType == .int32)
    }

    @Test func v2GetsThePackedFieldsAndABase64Fill() throws {
        let output = temporaryPath("compound.zarr")
        var options = ConvertOptions(inputs: [], output: output)
        options.format = .v2
        let dataset = OpenedDataset(path: "c.nc", formatDescription: "test",
                                    root: DatasetGroup(path: "", variables: [try source(fill: Self.element(9, -9, 9)), try source().renamed("plain")]),
                                    unsupported: [])
        let plan = try ConvertPlanner.plan([dataset], options: options)
        _ = try Converter.run(plan, options: options)
        let store = try DirectoryStore(path: output)
        let zarray = try JSON.parse(try #require(try store.get("records/.zarray")))
        #expect(zarray["dtype"]?.serialized() == #"[["a","|u1"],["b","<f8"],["flag","|u1"]]"#)
        #expect(zarray["fill_value"] == .string(Base64.encode(Self.packedElement(9, -9, 9))))
        #expect(try JSON.parse(try #require(try store.get("plain/.zarray")))["fill_value"] == .null)
        #expect(try ZarrArray.open(store, path: "records").readAll().bytes
            == Self.packedElement(1, 0.5, 250) + Self.packedElement(2, -1.5, 251) + Self.packedElement(3, 8, 252))
    }

    @Test func v3RefusesCompoundsByNameOrSkipsThem() throws {
        var options = ConvertOptions(inputs: [], output: temporaryPath("compound.zarr"))
        options.format = .v3
        let dataset = OpenedDataset(path: "c.nc", formatDescription: "test",
                                    root: DatasetGroup(path: "", variables: [try source(), BufferSource.numbers("n_count", count: 3, dim: "n")]),
                                    unsupported: [])
        do {
            _ = try ConvertPlanner.plan([dataset], options: options)
            Issue.record("planned a v3 compound")
        } catch let error as CubeError {
            #expect(error.kind == .unsupported)
            #expect(error.context == "c.nc: records")
            #expect(error.message == "cannot be written to Zarr v3: compound (structured) data types have no Zarr v3 encoding")
            #expect(error.remedy == .zarrFormatOrSkip(2))
            #expect(!error.message.contains("--"))
        }
        options.skipUnsupported = true
        let plan = try ConvertPlanner.plan([dataset], options: options)
        #expect(plan.arrays.map(\.path) == ["n_count"])
        #expect(plan.warnings == ["c.nc: skipped records: cannot be written to Zarr v3: compound (structured) data types have no Zarr v3 encoding"])
    }
}

extension BufferSource {
    /// The same data under another path.
    func renamed(_ path: String) -> BufferSource {
        var copy = self
        copy.path = path
        copy.attributes = []
        return copy
    }
}
