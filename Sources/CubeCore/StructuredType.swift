/// The layout of a structured element (a NetCDF or HDF5 compound, a NumPy structured
/// dtype): named fields at fixed byte offsets inside an item of fixed size.
///
/// Elements keep exactly this layout in memory and in storage — each field at its offset in
/// its own byte order, unnamed padding in between — so they move as opaque items and are
/// never byte-swapped as a whole. Zarr v2 spells the layout as NumPy's `descr` list.
public struct StructuredType: Sendable, Hashable, CustomStringConvertible {
    /// One named field of a structured element.
    public struct Field: Sendable, Hashable {
        /// The field's name (not empty).
        public var name: String
        /// The type of one value of the field (fixed-size; itself structured for nested fields).
        public var dataType: DataType
        /// The byte order of multi-byte values (`nil` where order is meaningless).
        public var byteOrder: ByteOrder?
        /// The shape of a sub-array field (`[]` for a single value).
        public var shape: [Int]
        /// The byte offset of the field inside the element.
        public var offset: Int

        /// Creates a field; `byteOrder` is dropped for types where order is meaningless.
        public init(name: String, dataType: DataType, byteOrder: ByteOrder? = .little, shape: [Int] = [], offset: Int) {
            self.name = name
            self.dataType = dataType
            self.byteOrder = dataType.swapUnit > 1 ? (byteOrder ?? .little) : nil
            self.shape = shape
            self.offset = offset
        }

        /// Bytes the field occupies.
        public var byteCount: Int { dataType.itemSize * ShapeMath.product(shape) }
    }

    /// The fields in offset order.
    public private(set) var fields: [Field]
    /// Bytes per element, padding included.
    public private(set) var itemSize: Int

    /// Creates a layout, checking that fields have distinct names, fixed sizes, and fit
    /// side by side inside `itemSize` bytes.
    ///
    /// Throws `.invalidInput` with `context` when they do not.
    public init(fields: [Field], itemSize: Int, context: String? = nil) throws {
        let sorted = fields.sorted { $0.offset < $1.offset }
        func bad(_ message: String) -> CubeError { CubeError(.invalidInput, "structured type: \(message)", context: context) }
        guard !sorted.isEmpty else { throw bad("no fields") }
        guard Set(sorted.map(\.name)).count == sorted.count else { throw bad("field names repeat") }
        var end = 0
        for field in sorted {
            guard !field.name.isEmpty else { throw bad("a field has no name") }
            guard !field.dataType.isVariableLength, field.dataType.itemSize > 0,
                  field.shape.allSatisfy({ $0 > 0 }) else {
                throw bad("field '\(field.name)' has no fixed size")
            }
            guard field.offset >= end else { throw bad("field '\(field.name)' overlaps the field before it") }
            let (fieldEnd, overflow) = field.offset.addingReportingOverflow(field.byteCount)
            guard !overflow, fieldEnd <= itemSize else { throw bad("field '\(field.name)' ends beyond the \(itemSize)-byte element") }
            end = fieldEnd
        }
        self.fields = sorted
        self.itemSize = itemSize
    }

    /// Whether fields follow each other without padding and fill the element.
    public var isPacked: Bool {
        var end = 0
        for field in fields {
            guard field.offset == end else { return false }
            end += field.byteCount
        }
        return end == itemSize
    }

    /// The same fields in the same order, side by side without padding (NumPy's unaligned
    /// layout of the same fields).
    public var packed: StructuredType {
        var end = 0
        var copy = self
        copy.fields = fields.map { field in
            var moved = field
            moved.offset = end
            end += field.byteCount
            return moved
        }
        copy.itemSize = end
        return copy
    }

    /// `{depth: float32, count: int32, c: int16[2]}`.
    public var description: String {
        let parts = fields.map { field in
            "\(field.name): \(field.dataType)" + (field.shape.isEmpty ? "" : "[\(field.shape.map(String.init).joined(separator: ","))]")
        }
        return "{" + parts.joined(separator: ", ") + "}"
    }
}
