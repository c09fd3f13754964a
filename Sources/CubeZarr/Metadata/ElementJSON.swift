import CubeCore

/// Converts single elements between native bytes and their JSON form, as Zarr writes
/// fill values: numbers, `"NaN"`, `"Infinity"`, `"-Infinity"`, hex bit patterns
/// (`"0x7fc00000"`), `[re, im]` for complex numbers, base64 for bytes, strings for text.
public enum ElementJSON {
    /// Encodes one native-order element of `dataType` as JSON.
    public static func encode(_ item: [UInt8], as dataType: DataType) -> JSON {
        func load<T>(_ type: T.Type, at offset: Int = 0) -> T {
            item.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: T.self) }
        }
        switch dataType {
        case .bool: return .bool(item.first.map { $0 != 0 } ?? false)
        case .int8: return .int(Int64(load(Int8.self)))
        case .int16: return .int(Int64(load(Int16.self)))
        case .int32: return .int(Int64(load(Int32.self)))
        case .int64: return .int(load(Int64.self))
        case .uint8: return .int(Int64(load(UInt8.self)))
        case .uint16: return .int(Int64(load(UInt16.self)))
        case .uint32: return .int(Int64(load(UInt32.self)))
        case .uint64:
            let v = load(UInt64.self)
            return v <= UInt64(Int64.max) ? .int(Int64(v)) : .uint(v)
        case .float16: return float(Double(Half.toFloat(load(UInt16.self))))
        case .float32: return float(Double(load(Float.self)))
        case .float64: return float(load(Double.self))
        case .complex64: return .array([float(Double(load(Float.self))), float(Double(load(Float.self, at: 4)))])
        case .complex128: return .array([float(load(Double.self)), float(load(Double.self, at: 8))])
        case .bytes: return .string(Base64.encode(item))
        case .unicode: return .string(UTF32Text.decode(item))
        case .string: return .string(String(decoding: item, as: UTF8.self))
        case .structured: return .string(Base64.encode(item))
        }
    }

    /// A float as JSON, with non-finite values as the strings Zarr uses.
    public static func float(_ d: Double) -> JSON {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        return .double(d)
    }

    /// Decodes a JSON element of `dataType` into native-order bytes.
    public static func decode(_ json: JSON, as dataType: DataType, context: String? = nil) throws -> [UInt8] {
        func bad() -> CubeError {
            CubeError(.invalidInput, "fill value \(json.serialized()) is not valid for data type \(dataType)", context: context)
        }
        func store<T>(_ value: T) -> [UInt8] {
            withUnsafeBytes(of: value) { Array($0) }
        }
        func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> [UInt8] {
            switch json {
            case .int(let v): guard let x = T(exactly: v) else { throw bad() }; return store(x)
            case .uint(let v): guard let x = T(exactly: v) else { throw bad() }; return store(x)
            case .double(let d): guard d.isFinite, let x = T(exactly: d) else { throw bad() }; return store(x)
            case .bool(let b): return store(T(b ? 1 : 0))
            case .string(let s):
                if let bits = try hexBits(s, byteCount: MemoryLayout<T>.size) { return bits }
                throw bad()
            default: throw bad()
            }
        }
        func floating(_ json: JSON, byteCount: Int) throws -> [UInt8] {
            let value: Double
            switch json {
            case .int, .uint, .double: value = json.numberValue ?? 0
            case .string(let s):
                switch s {
                case "NaN": value = .nan
                case "Infinity": value = .infinity
                case "-Infinity": value = -.infinity
                default:
                    if let bits = try hexBits(s, byteCount: byteCount) { return bits }
                    throw bad()
                }
            default: throw bad()
            }
            switch byteCount {
            case 2: return store(Half.fromFloat(Float(value)))
            case 4: return store(Float(value))
            default: return store(value)
            }
        }
        switch dataType {
        case .bool:
            switch json {
            case .bool(let b): return [b ? 1 : 0]
            case .int(let v) where v == 0 || v == 1: return [UInt8(v)]
            default: throw bad()
            }
        case .int8: return try integer(Int8.self)
        case .int16: return try integer(Int16.self)
        case .int32: return try integer(Int32.self)
        case .int64: return try integer(Int64.self)
        case .uint8: return try integer(UInt8.self)
        case .uint16: return try integer(UInt16.self)
        case .uint32: return try integer(UInt32.self)
        case .uint64: return try integer(UInt64.self)
        case .float16: return try floating(json, byteCount: 2)
        case .float32: return try floating(json, byteCount: 4)
        case .float64: return try floating(json, byteCount: 8)
        case .complex64, .complex128:
            let half = dataType.itemSize / 2
            if case .array(let parts) = json, parts.count == 2 {
                return try floating(parts[0], byteCount: half) + floating(parts[1], byteCount: half)
            }
            if case .string(let s) = json, let bits = try hexBits(s, byteCount: dataType.itemSize) { return bits }
            // A bare real number is accepted as a complex number with zero imaginary part.
            if json.numberValue != nil { return try floating(json, byteCount: half) + [UInt8](repeating: 0, count: half) }
            throw bad()
        case .bytes, .structured:
            // Fixed-width bytes and structured elements are base64 of their bytes (NUL-padded).
            let n = dataType.itemSize
            var raw: [UInt8]
            switch json {
            case .string(let s):
                guard let decoded = Base64.decode(s) else { throw bad() }
                raw = decoded
            case .array(let items):
                raw = try items.map { item -> UInt8 in
                    guard let v = item.intValue, let b = UInt8(exactly: v) else { throw bad() }
                    return b
                }
            case .int(0): raw = []
            default: throw bad()
            }
            guard raw.count <= n else { throw bad() }
            return raw + [UInt8](repeating: 0, count: n - raw.count)
        case .unicode(let n):
            guard case .string(let s) = json else {
                if case .int(0) = json { return [UInt8](repeating: 0, count: 4 * n) }
                throw bad()
            }
            let encoded = UTF32Text.encode(s)
            guard encoded.count <= 4 * n else { throw bad() }
            return encoded + [UInt8](repeating: 0, count: 4 * n - encoded.count)
        case .string:
            guard case .string(let s) = json else { throw bad() }
            return Array(s.utf8)
        }
    }

    /// Bit patterns written as `"0x…"` (big-endian hex of the stored value), in native order.
    static func hexBits(_ s: String, byteCount: Int) throws -> [UInt8]? {
        guard s.hasPrefix("0x") || s.hasPrefix("0X") else { return nil }
        let digits = Array(s.dropFirst(2))
        guard digits.count == 2 * byteCount, let value = UInt64(String(digits.prefix(16)), radix: 16) ?? (byteCount > 8 ? 0 : nil) else {
            return nil
        }
        if byteCount <= 8 {
            var bytes = withUnsafeBytes(of: value.littleEndian) { Array($0.prefix(byteCount)) }
            if ByteOrder.native == .big { bytes.reverse() }
            return bytes
        }
        // 16-byte patterns (complex128): two 8-byte halves, each big-endian hex.
        guard let re = UInt64(String(digits[0..<16]), radix: 16), let im = UInt64(String(digits[16..<32]), radix: 16) else { return nil }
        return withUnsafeBytes(of: re.littleEndian) { Array($0) } + withUnsafeBytes(of: im.littleEndian) { Array($0) }
    }
}

/// IEEE 754 half-precision conversions (portable: no `Float16` dependence).
public enum Half {
    /// The single-precision value of a half-precision bit pattern.
    public static func toFloat(_ bits: UInt16) -> Float {
        let sign = UInt32(bits >> 15) << 31
        let exponent = UInt32(bits >> 10) & 0x1F
        let mantissa = UInt32(bits) & 0x3FF
        if exponent == 0 {
            if mantissa == 0 { return Float(bitPattern: sign) }
            // Subnormal: value = mantissa * 2^-24.
            let value = Float(mantissa) * Float(sign: .plus, exponent: -24, significand: 1)
            return sign != 0 ? -value : value
        }
        if exponent == 0x1F { return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13)) }
        return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
    }

    /// The nearest half-precision bit pattern of `value` (round to nearest even).
    public static func fromFloat(_ value: Float) -> UInt16 {
        let bits = value.bitPattern
        let sign = UInt16((bits >> 16) & 0x8000)
        let exponent = Int((bits >> 23) & 0xFF)
        var mantissa = bits & 0x7F_FFFF
        if exponent == 0xFF { return sign | 0x7C00 | (mantissa != 0 ? 0x200 | UInt16(mantissa >> 13) : 0) }
        var e = exponent - 127 + 15
        if e >= 0x1F { return sign | 0x7C00 }
        if e <= 0 {
            if e < -10 { return sign }
            mantissa |= 0x80_0000
            let shift = UInt32(14 - e)
            var half = mantissa >> shift
            let remainder = mantissa & ((1 << shift) - 1)
            let halfway = UInt32(1) << (shift - 1)
            if remainder > halfway || (remainder == halfway && half & 1 == 1) { half += 1 }
            return sign | UInt16(half)
        }
        var half = mantissa >> 13
        let remainder = mantissa & 0x1FFF
        if remainder > 0x1000 || (remainder == 0x1000 && half & 1 == 1) {
            half += 1
            if half == 0x400 { half = 0; e += 1; if e >= 0x1F { return sign | 0x7C00 } }
        }
        return sign | UInt16(e << 10) | UInt16(half)
    }
}

/// NumPy `U` strings: UTF-32 code units, zero-padded.
public enum UTF32Text {
    /// The text of a native-order UTF-32 buffer, stopping at trailing NULs.
    public static func decode(_ bytes: [UInt8]) -> String {
        var scalars = String.UnicodeScalarView()
        var offset = 0
        var pending: [Unicode.Scalar] = []
        while offset + 4 <= bytes.count {
            let v = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt32.self) }
            offset += 4
            if v == 0 { pending.append("\0"); continue }
            scalars.append(contentsOf: pending)
            pending.removeAll()
            scalars.append(Unicode.Scalar(v) ?? "\u{FFFD}")
        }
        return String(scalars)
    }

    /// The native-order UTF-32 code units of `text`.
    public static func encode(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.unicodeScalars.count * 4)
        for scalar in text.unicodeScalars {
            withUnsafeBytes(of: scalar.value) { out.append(contentsOf: $0) }
        }
        return out
    }
}

/// Standard base64 with padding, as Python's `base64.standard_b64encode`.
public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Encodes bytes.
    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i < bytes.count {
            let b0 = UInt32(bytes[i])
            let b1 = i + 1 < bytes.count ? UInt32(bytes[i + 1]) : 0
            let b2 = i + 2 < bytes.count ? UInt32(bytes[i + 2]) : 0
            let v = b0 << 16 | b1 << 8 | b2
            out.append(alphabet[Int(v >> 18 & 63)])
            out.append(alphabet[Int(v >> 12 & 63)])
            out.append(i + 1 < bytes.count ? alphabet[Int(v >> 6 & 63)] : UInt8(ascii: "="))
            out.append(i + 2 < bytes.count ? alphabet[Int(v & 63)] : UInt8(ascii: "="))
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes base64 text, or returns `nil` when it is malformed.
    public static func decode(_ text: String) -> [UInt8]? {
        var values: [UInt32] = []
        for c in text.utf8 {
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): values.append(UInt32(c - 65))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): values.append(UInt32(c - 97 + 26))
            case UInt8(ascii: "0")...UInt8(ascii: "9"): values.append(UInt32(c - 48 + 52))
            case UInt8(ascii: "+"), UInt8(ascii: "-"): values.append(62)
            case UInt8(ascii: "/"), UInt8(ascii: "_"): values.append(63)
            case UInt8(ascii: "="), UInt8(ascii: "\n"), UInt8(ascii: "\r"): continue
            default: return nil
            }
        }
        guard values.count % 4 != 1 else { return nil }
        var out: [UInt8] = []
        var i = 0
        while i < values.count {
            let group = values[i..<min(i + 4, values.count)]
            var v: UInt32 = 0
            for (k, x) in group.enumerated() { v |= x << (18 - 6 * UInt32(k)) }
            out.append(UInt8(v >> 16 & 0xFF))
            if group.count > 2 { out.append(UInt8(v >> 8 & 0xFF)) }
            if group.count > 3 { out.append(UInt8(v & 0xFF)) }
            i += 4
        }
        return out
    }
}
