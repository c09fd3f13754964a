/// A store a stage reads or writes: the source, one of the plan's intermediate stores, or
/// the target.
public enum RechunkStore: Sendable, Hashable, CustomStringConvertible {
    /// The array being rechunked.
    case source
    /// The intermediate store with this number (1, 2, …), in the order the plan writes them.
    case intermediate(Int)
    /// The array being written, with the requested chunks.
    case target

    /// `source`, `intermediate 1`, `target`.
    public var description: String {
        switch self {
        case .source: return "source"
        case .intermediate(let n): return "intermediate \(n)"
        case .target: return "target"
        }
    }
}
