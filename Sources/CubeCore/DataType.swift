/// The element type of an array, independent of byte order and storage format.
public enum DataType: Sendable, Hashable, CustomStringConvertible {
    case bool
    case int8, int16, int32, int64
    case uint8, uint16, uint32, uint64
    case float16, float32, float64
    case complex64, complex128
    /// Fixed-length byte strings of `n` bytes (NumPy `S<n>`).
    case bytes(Int)
    /// Fixed-length Unicode strings of `n` code points, stored as UTF-32 (NumPy `U<n>`).
    case unicode(Int)
    /// Variable-length UTF-8 strings.
    case string
    /// Structured elements (NetCDF/HDF5 compounds, NumPy structured dtypes), kept in their
    /// own layout and byte orders.
    case structured(StructuredType)

    /// Bytes per element in memory; 0 for variable-length strings.
    public var itemSize: Int {
        switch self {
        case .bool, .int8, .uint8: 1
        case .int16, .uint16, .float16: 2
        case .int32, .uint32, .float32: 4
        case .int64, .uint64, .float64, .complex64: 8
        case .complex128: 16
        case .bytes(let n): n
        case .unicode(let n): 4 * n
        case .string: 0
        case .structured(let layout): layout.itemSize
        }
    }

    /// The size of the unit that byte order applies to (component size for complex,
    /// 4 for UTF-32, 1 where byte order is meaningless or, for structured types, belongs to
    /// each field).
    public var swapUnit: Int {
        switch self {
        case .complex64: 4
        case .complex128: 8
        case .unicode: 4
        case .bytes, .string, .bool, .int8, .uint8, .structured: 1
        default: itemSize
        }
    }

    /// Whether elements have no fixed size.
    public var isVariableLength: Bool { self == .string }

    /// Whether the type is a (real or complex) floating-point type.
    public var isFloatingPoint: Bool {
        switch self {
        case .float16, .float32, .float64, .complex64, .complex128: true
        default: false
        }
    }

    /// Whether the type is a signed or unsigned integer type.
    public var isInteger: Bool {
        switch self {
        case .int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64: true
        default: false
        }
    }

    /// Canonical name: `int16`, `float32`, `bytes:5`, `unicode:4`, `string`,
    /// `structured{depth: float32, count: int32}`, ...
    public var description: String {
        switch self {
        case .bool: "bool"
        case .int8: "int8"
        case .int16: "int16"
        case .int32: "int32"
        case .int64: "int64"
        case .uint8: "uint8"
        case .uint16: "uint16"
        case .uint32: "uint32"
        case .uint64: "uint64"
        case .float16: "float16"
        case .float32: "float32"
        case .float64: "float64"
        case .complex64: "complex64"
        case .complex128: "complex128"
        case .bytes(let n): "bytes:\(n)"
        case .unicode(let n): "unicode:\(n)"
        case .string: "string"
        case .structured(let layout): "structured\(layout)"
        }
    }

    /// Every fixed-size numeric type, for tests and listings.
    public static let numericTypes: [DataType] = [
        .bool, .int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64,
        .float16, .float32, .float64, .complex64, .complex128,
    ]
}

/// Byte order of stored multi-byte values.
public enum ByteOrder: String, Sendable, Hashable {
    case little, big

    /// The byte order of the machine running this code.
    public static var native: ByteOrder {
        1.littleEndian == 1 ? .little : .big
    }
}
