/// The Zarr storage specification version of a store.
public enum ZarrFormat: Int, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case v2 = 2
    case v3 = 3

    /// `v2` or `v3`.
    public var description: String { "v\(rawValue)" }
}
