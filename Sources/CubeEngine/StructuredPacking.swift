import CubeCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Compound variables written without their padding.
///
/// A compound laid out for C alignment (`{char a; double b;}` has 7 bytes after `a`) would
/// be spelled in Zarr v2 with unnamed `|V7` padding fields, which zarr-python 2.18 reads back
/// as extra fields and cannot write to, and zarr-python 3 (so xarray) cannot read at all.
/// The same fields side by side are what zarr-python 2.18 writes for the field list, and
/// every reader takes them.
public enum StructuredPacking {
    /// `source` read with its structured elements packed, or `source` itself when it is not
    /// structured or already packed.
    public static func packed(_ source: any ArraySource) -> any ArraySource {
        guard case .structured(let layout) = source.dataType, !layout.isPacked else { return source }
        return PackedStructuredSource(source: source, layout: layout)
    }
}

/// A structured source whose elements are repacked field by field (contiguous runs of
/// fields move with one `memcpy`).
struct PackedStructuredSource: ArraySource {
    /// The padded source.
    let source: any ArraySource
    /// The source's element layout.
    let layout: StructuredType
    /// `(from, to, length)` byte runs of one element: adjacent fields merged.
    private let runs: [(from: Int, to: Int, length: Int)]
    /// The packed layout.
    private let target: StructuredType

    init(source: any ArraySource, layout: StructuredType) {
        self.source = source
        self.layout = layout
        let target = layout.packed
        self.target = target
        var runs: [(from: Int, to: Int, length: Int)] = []
        for (field, moved) in zip(layout.fields, target.fields) {
            if let last = runs.last, last.from + last.length == field.offset {
                runs[runs.count - 1].length += field.byteCount
            } else {
                runs.append((field.offset, moved.offset, field.byteCount))
            }
        }
        self.runs = runs
    }

    var path: String { source.path }
    var shape: [Int] { source.shape }
    var dataType: DataType { .structured(target) }
    var chunkShape: [Int]? { source.chunkShape }
    var dimensionNames: [String] { source.dimensionNames }

    /// The source's attributes, with a `_FillValue` of the compound type repacked too.
    var attributes: [Attribute] {
        source.attributes.map { attribute in
            guard case .numbers(.structured(let type), let raw) = attribute.value, type == layout else { return attribute }
            return Attribute(attribute.name, .numbers(dataType, pack(raw)))
        }
    }

    func read(_ region: Region) throws -> ArrayBuffer {
        try read(region, concurrency: 1)
    }

    func read(_ region: Region, concurrency: Int) throws -> ArrayBuffer {
        let padded = try source.read(region, concurrency: concurrency)
        guard let bytes = padded.bytes else {
            throw CubeError(.invalidInput, "structured data came back without bytes", context: path)
        }
        return ArrayBuffer(dataType: dataType, shape: region.count, storage: .fixed(pack(bytes)))
    }

    /// Packed copies of the padded elements in `bytes`.
    private func pack(_ bytes: [UInt8]) -> [UInt8] {
        let count = bytes.count / layout.itemSize
        var out = BufferCache.take(count: count * target.itemSize)
        out.withUnsafeMutableBytes { dst in
            bytes.withUnsafeBytes { src in
                guard let to = dst.baseAddress, let from = src.baseAddress else { return }
                for element in 0..<count {
                    let source = from + element * layout.itemSize
                    let destination = to + element * target.itemSize
                    for run in runs { memcpy(destination + run.to, source + run.from, run.length) }
                }
            }
        }
        return out
    }
}
