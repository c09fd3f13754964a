/// A JSON value that keeps object key order and integer precision, and accepts the
/// bare `NaN`, `Infinity` and `-Infinity` that Python's `json` module writes.
public enum JSON: Sendable, Hashable {
    case null
    case bool(Bool)
    /// An integer literal that fits in `Int64`.
    case int(Int64)
    /// A non-negative integer literal above `Int64.max`.
    case uint(UInt64)
    /// Any other number, including NaN and the infinities.
    case double(Double)
    case string(String)
    case array([JSON])
    /// Members in document order.
    case object([(String, JSON)])

    public static func == (lhs: JSON, rhs: JSON) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)):
            // Key order does not matter for equality; of a repeated key the last member counts,
            // as for lookups (so an object with repeated keys equals itself).
            return Dictionary(a, uniquingKeysWith: { _, last in last }) == Dictionary(b, uniquingKeysWith: { _, last in last })
        default:
            guard let x = lhs.numberValue, let y = rhs.numberValue else { return false }
            if case .double(let a) = lhs, case .double(let b) = rhs, a.isNaN, b.isNaN { return true }
            if lhs.isIntegerLiteral && rhs.isIntegerLiteral { return lhs.exactInteger == rhs.exactInteger }
            return x == y
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let b): hasher.combine(b)
        case .string(let s): hasher.combine(s)
        case .array(let a): hasher.combine(a)
        case .object(let members): hasher.combine(Set(members.map(\.0)).count)
        case .int, .uint, .double: hasher.combine(numberValue ?? 0)
        }
    }

    private var isIntegerLiteral: Bool {
        switch self { case .int, .uint: true; default: false }
    }

    private var exactInteger: String? {
        switch self {
        case .int(let v): String(v)
        case .uint(let v): String(v)
        default: nil
        }
    }

    /// The member `key` of an object, or `nil`.
    public subscript(key: String) -> JSON? {
        guard case .object(let members) = self else { return nil }
        return members.last(where: { $0.0 == key })?.1
    }

    /// The object's members, or `nil` if this is not an object.
    public var objectValue: [(String, JSON)]? {
        if case .object(let m) = self { return m }
        return nil
    }

    /// The array's elements, or `nil` if this is not an array.
    public var arrayValue: [JSON]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// The string, or `nil` if this is not a string.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The Boolean, or `nil` if this is not a Boolean.
    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// The value as an `Int` if it is an integer that fits (a float with no fraction counts).
    public var intValue: Int? {
        switch self {
        case .int(let v): return Int(exactly: v)
        case .uint(let v): return Int(exactly: v)
        case .double(let d): return d.isFinite ? Int(exactly: d) : nil
        default: return nil
        }
    }

    /// The value as a `Double` if it is a number.
    public var numberValue: Double? {
        switch self {
        case .int(let v): return Double(v)
        case .uint(let v): return Double(v)
        case .double(let d): return d
        default: return nil
        }
    }

    /// Whether this is `null`.
    public var isNull: Bool { if case .null = self { return true } else { return false } }

    /// An object with `key` set to `value` (replacing an existing member in place, or appended).
    public func setting(_ key: String, _ value: JSON) -> JSON {
        var members = objectValue ?? []
        if let index = members.firstIndex(where: { $0.0 == key }) {
            members[index].1 = value
        } else {
            members.append((key, value))
        }
        return .object(members)
    }

    /// An object without member `key`.
    public func removing(_ key: String) -> JSON {
        .object((objectValue ?? []).filter { $0.0 != key })
    }
}

extension JSON: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByFloatLiteral, ExpressibleByNilLiteral, ExpressibleByDictionaryLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(nilLiteral: ()) { self = .null }
    public init(dictionaryLiteral elements: (String, JSON)...) { self = .object(elements) }

    /// A JSON integer from an `Int`.
    public init(_ value: Int) { self = .int(Int64(value)) }

    /// A JSON array of integers.
    public init(_ values: [Int]) { self = .array(values.map { JSON($0) }) }
}
