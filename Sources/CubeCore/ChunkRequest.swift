/// Chunk lengths asked for on the command line: `time=1,lat=-1,lon=-1` for every variable
/// with those dimensions, `t2m:time=24` for one variable. `-1` means the full length.
public struct ChunkRequest: Sendable, Hashable {
    /// Lengths by dimension name for every variable.
    public var byDimension: [String: Int]
    /// Lengths by dimension name for one variable (keyed by variable name or path).
    public var byVariable: [String: [String: Int]]

    /// An empty request (keep defaults).
    public init(byDimension: [String: Int] = [:], byVariable: [String: [String: Int]] = [:]) {
        self.byDimension = byDimension
        self.byVariable = byVariable
    }

    /// Parses one `--chunks` value and merges it into this request.
    public mutating func add(_ text: String) throws {
        var variable: String?
        var spec = Substring(text)
        if let colon = text.firstIndex(of: ":") {
            variable = String(text[..<colon])
            spec = text[text.index(after: colon)...]
            guard let v = variable, !v.isEmpty else {
                throw CubeError(.invalidArgument, "chunk spec '\(text)' has an empty variable name before ':'")
            }
        }
        guard !spec.isEmpty else { throw CubeError(.invalidArgument, "chunk spec '\(text)' is empty") }
        for item in spec.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = item.split(separator: "=", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, let n = Int(parts[1].trimmingSpaces), n == -1 || n > 0 else {
                throw CubeError(.invalidArgument, "chunk spec item '\(item)' must be dim=N with N > 0, or dim=-1 for the full length")
            }
            let dimension = parts[0].trimmingSpaces
            if let variable {
                byVariable[variable, default: [:]][dimension] = n
            } else {
                byDimension[dimension] = n
            }
        }
    }

    /// Parses several `--chunks` values.
    public init(parsing texts: [String]) throws {
        self.init()
        for text in texts { try add(text) }
    }

    /// Whether nothing was asked for.
    public var isEmpty: Bool { byDimension.isEmpty && byVariable.isEmpty }

    /// Whether the request names `dimension` for `variable` (by name or path) or for all variables.
    public func names(_ dimension: String, variable: String, path: String) -> Bool {
        byDimension[dimension] != nil || byVariable[path]?[dimension] != nil || byVariable[variable]?[dimension] != nil
    }

    /// The chunk shape for a variable: requested lengths where given (`-1` → full length,
    /// clipped to the length), `defaults` elsewhere.
    public func resolve(variable: String, path: String, dimensions: [String], shape: [Int], defaults: [Int]) -> [Int] {
        let specific = byVariable[path] ?? byVariable[variable] ?? [:]
        return dimensions.indices.map { axis in
            let name = dimensions[axis]
            let length = max(shape[axis], 1)
            guard let n = specific[name] ?? byDimension[name] else { return max(1, min(defaults[axis], length)) }
            return n == -1 ? length : max(1, min(n, length))
        }
    }

    /// Names used in the request that match no dimension of any variable: usually a typo.
    public func unknownNames(dimensions: Set<String>, variables: Set<String>) -> [String] {
        var unknown = byDimension.keys.filter { !dimensions.contains($0) }
        for (variable, dims) in byVariable {
            if !variables.contains(variable) { unknown.append("\(variable):") ; continue }
            unknown += dims.keys.filter { !dimensions.contains($0) }.map { "\(variable):\($0)" }
        }
        return unknown.sorted()
    }
}
