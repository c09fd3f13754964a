extension JSON {
    /// How a JSON document is laid out.
    public struct Format: Sendable {
        /// Spaces per nesting level; `nil` writes one line.
        public var indent: Int?
        /// Whether object members are written sorted by key (as zarr-python 2 does).
        public var sortKeys: Bool
        /// Whether non-ASCII characters are escaped as `\uXXXX` (Python's `ensure_ascii`).
        public var asciiOnly: Bool

        /// Creates a layout.
        public init(indent: Int? = nil, sortKeys: Bool = false, asciiOnly: Bool = false) {
            self.indent = indent
            self.sortKeys = sortKeys
            self.asciiOnly = asciiOnly
        }

        /// The layout zarr-python 2 uses for `.zarray`, `.zgroup`, `.zattrs`, `.zmetadata`.
        public static let zarrV2 = Format(indent: 4, sortKeys: true, asciiOnly: true)
        /// The layout zarr-python 3 uses for `zarr.json`.
        public static let zarrV3 = Format(indent: 2, sortKeys: false, asciiOnly: true)
        /// One line, for machine-readable output.
        public static let compact = Format()
    }

    /// The document as text.
    public func serialized(_ format: Format = .compact) -> String {
        var out = ""
        write(into: &out, format: format, level: 0)
        return out
    }

    /// The document as UTF-8 bytes.
    public func serializedBytes(_ format: Format = .compact) -> [UInt8] {
        Array(serialized(format).utf8)
    }

    /// The JSON text of a number, as Python's `json` module writes it.
    static func numberText(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        return "\(d)"
    }

    private func write(into out: inout String, format: Format, level: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let v): out += String(v)
        case .uint(let v): out += String(v)
        case .double(let d): out += JSON.numberText(d)
        case .string(let s): JSON.writeString(s, into: &out, asciiOnly: format.asciiOnly)
        case .array(let elements):
            if elements.isEmpty { out += "[]"; return }
            out += "["
            for (i, element) in elements.enumerated() {
                if i > 0 { out += "," }
                newline(&out, format, level + 1)
                element.write(into: &out, format: format, level: level + 1)
            }
            newline(&out, format, level)
            out += "]"
        case .object(let members):
            if members.isEmpty { out += "{}"; return }
            let ordered = format.sortKeys ? members.sorted { $0.0.unicodeScalars.lexicographicallyPrecedes($1.0.unicodeScalars) } : members
            out += "{"
            for (i, (key, value)) in ordered.enumerated() {
                if i > 0 { out += "," }
                newline(&out, format, level + 1)
                JSON.writeString(key, into: &out, asciiOnly: format.asciiOnly)
                out += format.indent == nil ? ":" : ": "
                value.write(into: &out, format: format, level: level + 1)
            }
            newline(&out, format, level)
            out += "}"
        }
    }

    private func newline(_ out: inout String, _ format: Format, _ level: Int) {
        guard let indent = format.indent else { return }
        out += "\n" + String(repeating: " ", count: indent * level)
    }

    private static func writeString(_ s: String, into out: inout String, asciiOnly: Bool) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 || (asciiOnly && scalar.value > 0x7E) {
                    if scalar.value > 0xFFFF {
                        let v = scalar.value - 0x10000
                        out += hex4(0xD800 + (v >> 10)) + hex4(0xDC00 + (v & 0x3FF))
                    } else {
                        out += hex4(scalar.value)
                    }
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    private static func hex4(_ v: UInt32) -> String {
        let digits = String(v, radix: 16)
        return "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
    }
}
