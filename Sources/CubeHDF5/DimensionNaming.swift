import CubeCore

/// Names the dimensions of every dataset of an HDF5 file the way h5netcdf does when it
/// opens a file read-only with `phony_dims="sort"`, the netCDF-C–compatible mode.
///
/// This is pure logic over a summary of the file, so it is tested without libhdf5.
///
/// **Dimensions of a group.** Walking the group's members in link order (creation order
/// when the group tracks it, else name order, as h5py iterates):
/// - every dataset whose `CLASS` attribute is `DIMENSION_SCALE` (rank ≥ 1) is a *labeled*
///   dimension named after its link name, of length `shape[0]`; an unlimited scale is as
///   long as the longest axis it is attached to;
/// - every other dataset that has no dimension scale attached to any axis contributes
///   the multiset of its axis lengths; the group's multiset is the per-length *maximum*
///   over those datasets (Python's `Counter |=`), keyed in order of first appearance
///   (datasets in link order, axes in order);
/// - for each length `n` in that order, `phony_dim_K` dimensions are created for the
///   count minus the number of fixed-size labeled dimensions of length `n` in the group.
///   `K` is the number of phony dimensions created before it in the file plus (in `sort`
///   mode) the number of labeled dimensions met so far, including this group's: h5netcdf
///   adds its running dimension id, which makes the numbers those netCDF-C gives
///   (`phony_dim_3` after three labeled dimensions). In `access` mode `K` counts phony
///   dimensions only.
///
/// Groups are visited depth first, a group before its subgroups, subgroups in link order,
/// so the root's phony dimensions come first. The group's dimension list is its labeled
/// dimensions in link order followed by its phony ones.
///
/// **Names of a dataset**, first rule that applies:
/// 1. a dimension scale with `_Netcdf4Coordinates` (a netCDF-4 multi-dimensional
///    coordinate variable): the dimensions with those `_Netcdf4Dimid`s in scope;
/// 2. scales attached to every axis (`DIMENSION_LIST`): per axis, the link name of the
///    *last* scale attached to it;
/// 3. a one-dimensional dataset whose name is a dimension in scope (this group or an
///    ancestor, phony ones included): that name;
/// 4. per axis: the first attached scale's name if any; else the `k`-th dimension of
///    this group (labeled or phony, in list order) whose length equals the axis length,
///    where `k` counts earlier axes of the same length in this dataset.
///
/// Where h5netcdf fails, this is lenient: a dataset with scales on some axes only
/// (h5netcdf raises "malformed variable") gets phony names for the other axes, and they
/// are counted in its group; a multi-dimensional scale without resolvable
/// `_Netcdf4Coordinates` names its first axis after itself and the others as above.
/// Rule 3 applies only to one-dimensional datasets (h5netcdf applies it to any rank,
/// producing a name list shorter than the rank).
///
/// h5netcdf's `phony_dims="access"` mode (xarray's default for `engine="h5netcdf"`) creates
/// a group's phony dimensions when the group is first accessed; ``HDF5PhonyDimensions/access``
/// assumes groups are accessed in the same depth-first order.
struct DimensionNaming {
    /// Identifies an HDF5 object within a process (file number and address).
    struct ObjectID: Hashable, Sendable {
        var fileNumber: UInt64
        var address: UInt64
    }

    /// A scale attached to an axis through `DIMENSION_LIST`.
    struct AttachedScale: Hashable, Sendable {
        /// The last component of the scale's path.
        var name: String
        /// The scale's identity, when known.
        var id: ObjectID?
    }

    /// What naming needs to know about one dataset.
    struct Dataset: Sendable {
        /// The link name.
        var name: String
        /// Current extent.
        var shape: [Int]
        /// Whether the first axis is unlimited (for scales).
        var isUnlimited: Bool = false
        /// Whether `CLASS` is `DIMENSION_SCALE`.
        var isScale: Bool = false
        /// Per axis, the scales attached in `DIMENSION_LIST` order; `nil` when the
        /// attribute is absent.
        var attached: [[AttachedScale]]? = nil
        /// `_Netcdf4Dimid`, for scales.
        var netcdfDimID: Int? = nil
        /// `_Netcdf4Coordinates`.
        var netcdfCoordinates: [Int]? = nil
        /// The object's identity.
        var id: ObjectID? = nil

        /// Whether no axis has a scale attached.
        var isUnlabeled: Bool {
            guard let attached else { return true }
            return attached.allSatisfy(\.isEmpty)
        }
    }

    /// What naming needs to know about one group: datasets and subgroups in link order.
    struct Group: Sendable {
        /// Datasets in link order.
        var datasets: [Dataset] = []
        /// Subgroups in link order.
        var groups: [Group] = []
    }

    /// Naming results for one group, mirroring the input tree.
    struct NamedGroup: Sendable {
        /// The group's dimensions: labeled in link order, then phony.
        var dimensions: [DimensionInfo]
        /// Dimension names of each dataset, in input order.
        var datasetDimensions: [[String]]
        /// Subgroups, in input order.
        var groups: [NamedGroup]
    }

    /// One dimension visible while naming.
    private struct Dimension {
        var name: String
        /// Length used to match axes (h5netcdf `size`).
        var size: Int
        /// Length used to count labeled dimensions (h5netcdf `_maxsize`): `nil` if unlimited.
        var maxSize: Int?
        var isUnlimited: Bool
        var dimID: Int?
    }

    /// Names every dataset of the tree rooted at `root`.
    static func name(_ root: Group, mode: HDF5PhonyDimensions = .sort) -> NamedGroup {
        // Unlimited scales are as long as the longest axis they are attached to.
        var attachedLength: [ObjectID: Int] = [:]
        func collect(_ group: Group) {
            for dataset in group.datasets {
                guard let attached = dataset.attached else { continue }
                for (axis, scales) in attached.enumerated() where axis < dataset.shape.count {
                    for scale in scales {
                        guard let id = scale.id else { continue }
                        attachedLength[id] = max(attachedLength[id] ?? 0, dataset.shape[axis])
                    }
                }
            }
            group.groups.forEach(collect)
        }
        collect(root)

        var phonyCounter = 0
        var labeledCounter = 0
        func visit(_ group: Group, scope: [[Dimension]]) -> NamedGroup {
            // Labeled dimensions.
            var dimensions: [Dimension] = []
            for dataset in group.datasets where dataset.isScale {
                labeledCounter += 1  // h5netcdf counts every scale, even a (broken) scalar one
                guard !dataset.shape.isEmpty else { continue }
                var size = dataset.shape[0]
                if dataset.isUnlimited, let id = dataset.id, let longest = attachedLength[id] { size = max(size, longest) }
                dimensions.append(Dimension(name: dataset.name, size: size, maxSize: dataset.isUnlimited ? nil : size,
                                            isUnlimited: dataset.isUnlimited, dimID: dataset.netcdfDimID))
            }
            // Phony dimensions: per-length maximum counts in order of first appearance.
            var order: [Int] = []
            var counts: [Int: Int] = [:]
            for dataset in group.datasets {
                var local: [Int: Int] = [:]
                var localOrder: [Int] = []
                for axis in phonyAxes(of: dataset) {
                    let n = dataset.shape[axis]
                    if local[n] == nil { localOrder.append(n) }
                    local[n, default: 0] += 1
                }
                for n in localOrder {
                    if counts[n] == nil { order.append(n) }
                    counts[n] = max(counts[n] ?? 0, local[n] ?? 0)
                }
            }
            var labeledCounts: [Int: Int] = [:]
            for dimension in dimensions { if let n = dimension.maxSize { labeledCounts[n, default: 0] += 1 } }
            for n in order {
                let wanted = counts[n] ?? 0
                let have = labeledCounts[n] ?? 0
                guard wanted > have else { continue }
                for _ in have..<wanted {
                    let number = phonyCounter + (mode == .sort ? labeledCounter : 0)
                    dimensions.append(Dimension(name: "phony_dim_\(number)", size: n, maxSize: n,
                                                isUnlimited: false, dimID: nil))
                    phonyCounter += 1
                }
            }

            let inScope = [dimensions] + scope
            let datasetNames = group.datasets.map { names(of: $0, group: dimensions, scope: inScope) }
            let children = group.groups.map { visit($0, scope: inScope) }
            return NamedGroup(dimensions: dimensions.map { DimensionInfo(name: $0.name, length: $0.size, isUnlimited: $0.isUnlimited) },
                              datasetDimensions: datasetNames, groups: children)
        }
        return visit(root, scope: [])
    }

    /// The axes of `dataset` that take phony (length-matched) names.
    private static func phonyAxes(of dataset: Dataset) -> [Int] {
        let rank = dataset.shape.count
        guard rank > 0 else { return [] }
        if dataset.isScale {
            // A multi-dimensional scale without usable coordinates (lenient extension);
            // one with _Netcdf4Coordinates resolves through rule 1 and needs none.
            guard rank > 1, dataset.netcdfCoordinates == nil else { return [] }
            return (1..<rank).filter { axis in (dataset.attached?[safe: axis] ?? []).isEmpty }
        }
        return (0..<rank).filter { axis in (dataset.attached?[safe: axis] ?? []).isEmpty }
    }

    /// Applies the four naming rules to one dataset.
    private static func names(of dataset: Dataset, group: [Dimension], scope: [[Dimension]]) -> [String] {
        let rank = dataset.shape.count
        guard rank > 0 else { return [] }
        // 1. netCDF-4 multi-dimensional coordinate variable.
        if dataset.isScale, let coordinates = dataset.netcdfCoordinates, coordinates.count == rank {
            var byID: [Int: String] = [:]
            for level in scope.reversed() {  // inner groups shadow outer ones
                for dimension in level { if let id = dimension.dimID { byID[id] = dimension.name } }
            }
            let resolved = coordinates.compactMap { byID[$0] }
            if resolved.count == rank { return resolved }
        }
        // 2. Scales attached to every axis: the last one of each.
        if let attached = dataset.attached, attached.count == rank, attached.allSatisfy({ !$0.isEmpty }) {
            return attached.compactMap { $0.last?.name }
        }
        // 3. A one-dimensional dataset named like a dimension in scope.
        if rank == 1, scope.contains(where: { $0.contains { $0.name == dataset.name } }) {
            return [dataset.name]
        }
        // 4. Per axis.
        var used: [Int: Int] = [:]
        var result: [String] = []
        for axis in 0..<rank {
            if let first = dataset.attached?[safe: axis]?.first {
                result.append(first.name)
                continue
            }
            if dataset.isScale && axis == 0 {
                result.append(dataset.name)
                continue
            }
            let n = dataset.shape[axis]
            let candidates = group.filter { $0.size == n }
            let k = used[n, default: 0]
            used[n] = k + 1
            // The counting above guarantees a candidate; never trap on odd input.
            result.append(k < candidates.count ? candidates[k].name : "phony_dim_\(n)_\(k)")
        }
        return result
    }
}

extension Array {
    /// The element at `index`, or `nil` when out of range.
    subscript(safe index: Int) -> Element? {
        indices.contains(index) ? self[index] : nil
    }
}

/// How `phony_dim_N` names are numbered, after h5netcdf's `phony_dims` option.
public enum HDF5PhonyDimensions: String, Sendable, Hashable, CaseIterable {
    /// h5netcdf `phony_dims="sort"`: `N` counts phony dimensions and labeled dimensions
    /// (dimension scales) met before, as netCDF-C numbers them.
    case sort
    /// h5netcdf `phony_dims="access"` (xarray's default for the h5netcdf engine): `N`
    /// counts phony dimensions only.
    case access
}
