/// A dimension of a NetCDF or HDF5 dataset.
public struct DimensionInfo: Sendable, Hashable {
    /// The dimension's name.
    public var name: String
    /// Its current length.
    public var length: Int
    /// Whether it is unlimited (can grow).
    public var isUnlimited: Bool

    /// Creates a dimension.
    public init(name: String, length: Int, isUnlimited: Bool = false) {
        self.name = name
        self.length = length
        self.isUnlimited = isUnlimited
    }
}

/// How a variable is stored in its source file, for `cube-info` and default chunking.
public struct StorageInfo: Sendable, Hashable {
    /// `contiguous`, `chunked` or `compact`.
    public var layout: String
    /// Chunk shape when chunked.
    public var chunkShape: [Int]?
    /// Filters in order (`shuffle`, `deflate(level=4)`, `fletcher32`, ...).
    public var filters: [String]
    /// Bytes used in the file, when known.
    public var storedBytes: Int?

    /// Creates a storage description.
    public init(layout: String, chunkShape: [Int]? = nil, filters: [String] = [], storedBytes: Int? = nil) {
        self.layout = layout
        self.chunkShape = chunkShape
        self.filters = filters
        self.storedBytes = storedBytes
    }
}

/// A group of a NetCDF or HDF5 dataset: its dimensions, variables, attributes and subgroups.
public struct DatasetGroup: Sendable {
    /// The group's path (`""` for the root, `a/b` below it).
    public var path: String
    /// Dimensions defined in this group.
    public var dimensions: [DimensionInfo]
    /// Variables of this group.
    public var variables: [any ArraySource]
    /// Storage details per variable name.
    public var storage: [String: StorageInfo]
    /// Group attributes in stored order.
    public var attributes: [Attribute]
    /// Subgroups.
    public var groups: [DatasetGroup]

    /// Creates a group.
    public init(path: String, dimensions: [DimensionInfo] = [], variables: [any ArraySource] = [],
                storage: [String: StorageInfo] = [:], attributes: [Attribute] = [], groups: [DatasetGroup] = []) {
        self.path = path
        self.dimensions = dimensions
        self.variables = variables
        self.storage = storage
        self.attributes = attributes
        self.groups = groups
    }

    /// This group and every group below it, depth first.
    public var allGroups: [DatasetGroup] { [self] + groups.flatMap(\.allGroups) }
}

/// Variables that cannot be converted, and whether to skip them or fail.
public struct UnsupportedVariable: Sendable, Hashable {
    /// The variable's path.
    public var path: String
    /// Why it is unsupported (`compound type`, `opaque type`, ...).
    public var reason: String

    /// Creates a record.
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
}
