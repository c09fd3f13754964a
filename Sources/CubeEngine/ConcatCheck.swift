import CubeCore

/// Checks that files joined with `--concat` fit together.
enum ConcatCheck {
    /// Variables without the concat dimension must be equal in every file (checked on data up to 16 MiB).
    static func checkEqual(_ parts: [any ArraySource], files: [String]) throws {
        guard let first = parts.first else { return }
        let size = ShapeMath.product(first.shape) * max(first.dataType.itemSize, 8)
        let reference: ArrayBuffer? = size <= 16 << 20 ? try first.read(Region(shape: first.shape)) : nil
        for (part, file) in zip(parts, files).dropFirst() {
            guard part.shape == first.shape, part.dataType == first.dataType, part.dimensionNames == first.dimensionNames else {
                throw CubeError(.invalidInput, "variable '\(part.path)' differs from \(files[0]) (\(part.shape) \(part.dataType) vs \(first.shape) \(first.dataType))", context: file)
            }
            if let reference, try part.read(Region(shape: part.shape)) != reference {
                throw CubeError(.invalidInput, "values of '\(part.path)' differ from \(files[0]); files to concatenate must share their other coordinates", context: file)
            }
        }
    }

    /// The coordinate variable of the concat dimension must be strictly monotonic across files.
    static func checkMonotonic(_ datasets: [OpenedDataset], dimension: String) throws {
        guard datasets.allSatisfy({ $0.root.allGroups.flatMap(\.variables).contains { $0.dimensionNames.contains(dimension) } }) else {
            throw CubeError(.invalidArgument, "some input has no variable with the dimension '\(dimension)' to join along")
        }
        let values = try datasets.map { dataset -> [Double] in
            guard let coordinate = dataset.root.variables.first(where: { $0.path == dimension && $0.dimensionNames == [dimension] }) else {
                return []
            }
            return try numbers(coordinate.read(Region(shape: coordinate.shape)))
        }
        let all = values.flatMap { $0 }
        guard all.count > 1 else { return }
        let increasing = all[1] > all[0]
        var seen = 0
        for (index, list) in values.enumerated() {
            for (i, v) in list.enumerated() where seen + i > 0 {
                let previous = i > 0 ? list[i - 1] : values[..<index].last(where: { !$0.isEmpty })?.last ?? v
                if increasing ? !(v > previous) : !(v < previous) {
                    throw CubeError(.invalidInput, "coordinate '\(dimension)' is not monotonic across the inputs: \(v) follows \(previous) (put the files in order)", context: datasets[index].path)
                }
            }
            seen += list.count
        }
    }

    /// The elements of a numeric buffer as doubles.
    static func numbers(_ buffer: ArrayBuffer) -> [Double] {
        guard let raw = buffer.bytes else { return [] }
        let type = buffer.dataType
        return raw.withUnsafeBytes { p -> [Double] in
            let n = buffer.elementCount
            return (0..<n).map { i in
                let o = i * type.itemSize
                switch type {
                case .int8: return Double(p.loadUnaligned(fromByteOffset: o, as: Int8.self))
                case .int16: return Double(p.loadUnaligned(fromByteOffset: o, as: Int16.self))
                case .int32: return Double(p.loadUnaligned(fromByteOffset: o, as: Int32.self))
                case .int64: return Double(p.loadUnaligned(fromByteOffset: o, as: Int64.self))
                case .uint8: return Double(p.loadUnaligned(fromByteOffset: o, as: UInt8.self))
                case .uint16: return Double(p.loadUnaligned(fromByteOffset: o, as: UInt16.self))
                case .uint32: return Double(p.loadUnaligned(fromByteOffset: o, as: UInt32.self))
                case .uint64: return Double(p.loadUnaligned(fromByteOffset: o, as: UInt64.self))
                case .float32: return Double(p.loadUnaligned(fromByteOffset: o, as: Float.self))
                case .float64: return p.loadUnaligned(fromByteOffset: o, as: Double.self)
                default: return .nan
                }
            }
        }
    }
}
