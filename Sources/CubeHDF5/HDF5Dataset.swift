import CHDF5
import CubeCodecs
import CubeCore
import Dispatch
import Foundation

/// One dataset of an HDF5 (or netCDF-4) file, readable by region.
///
/// Reads of chunked datasets whose filters are only deflate and/or shuffle fetch the
/// stored chunks under the libhdf5 lock and decode them in parallel outside it; every
/// other layout or filter is read through libhdf5 (`H5Dread` of a hyperslab). Safe to use
/// from several threads.
public final class HDF5Dataset: ArraySource, Sendable {
    /// The dataset's path in its file, without the leading `/` (`t2m`, `group/sub/var`).
    public let path: String
    /// The file the dataset belongs to.
    public let filePath: String
    /// The current extent.
    public let shape: [Int]
    /// The maximum extent per axis; `nil` for unlimited axes.
    public let maxShape: [Int?]
    /// The element type in memory (native byte order).
    public let dataType: DataType
    /// The stored chunk shape, or `nil` for contiguous and compact layouts.
    public let chunkShape: [Int]?
    /// One name per dimension (see ``HDF5File`` for how they are found).
    public let dimensionNames: [String]
    /// The dataset's attributes in stored order, plus `flag_values`/`flag_meanings` for enums.
    public let attributes: [Attribute]
    /// Layout, chunking, filters and stored size.
    public let storage: StorageInfo
    /// The filter pipeline in the order the file applies it when writing.
    public let filters: [HDF5Filter]
    /// The value of elements never written (`H5Pget_fill_value`; zero when undefined).
    public let fillValue: FillValue
    /// Whether ``read(_:)`` decodes stored chunks itself (deflate/shuffle only) rather than
    /// going through `H5Dread`.
    public var decodesChunksDirectly: Bool { decoder != nil }

    /// The open dataset.
    let handle: HDF5Handle
    /// The open file it belongs to, kept open while the dataset is.
    let file: SharedOpen<hid_t>
    /// The type to read into with libhdf5.
    let memoryType: HDF5Handle
    /// Where errors point.
    let location: HDF5Location
    /// Set when chunks can be decoded without libhdf5.
    let decoder: RawChunkDecoder?
    /// Whether partial edge chunks are stored unfiltered.
    let partialEdgeChunksUnfiltered: Bool

    /// Either an opened dataset or the reason it cannot be represented.
    enum Opening {
        case dataset(HDF5Dataset)
        case unsupported(String)
    }

    private init(handle: HDF5Handle, file: SharedOpen<hid_t>, memoryType: HDF5Handle, location: HDF5Location, path: String, shape: [Int],
                 maxShape: [Int?], dataType: DataType, chunkShape: [Int]?, dimensionNames: [String],
                 attributes: [Attribute], storage: StorageInfo, filters: [HDF5Filter], fillValue: FillValue,
                 decoder: RawChunkDecoder?, partialEdgeChunksUnfiltered: Bool) {
        self.handle = handle
        self.file = file
        self.memoryType = memoryType
        self.location = location
        self.path = path
        self.filePath = location.file
        self.shape = shape
        self.maxShape = maxShape
        self.dataType = dataType
        self.chunkShape = chunkShape
        self.dimensionNames = dimensionNames
        self.attributes = attributes
        self.storage = storage
        self.filters = filters
        self.fillValue = fillValue
        self.decoder = decoder
        self.partialEdgeChunksUnfiltered = partialEdgeChunksUnfiltered
    }

    /// Reads the metadata of the open dataset `handle`. `dimensionNames` must have one
    /// name per axis.
    static func open(_ handle: HDF5Handle, in file: SharedOpen<hid_t>, location: HDF5Location,
                     dimensionNames: [String]) throws -> Opening {
        try HDF5Library.withLock {
            let path = String((location.object ?? "").drop { $0 == "/" })
            let extent = try HDF5Shape.read(dataset: handle.id, at: location)
            guard let shape = extent.shape else { return .unsupported("empty dataset (null dataspace)") }
            let fileType = try HDF5Handle.make(.datatype, "H5Dget_type", at: location) { H5Dget_type(handle.id) }
            let element: HDF5ElementType
            switch try HDF5Types.map(fileType.id, at: location) {
            case .unsupported(let reason): return .unsupported(reason)
            case .supported(let e): element = e
            }
            let dcpl = try HDF5Handle.make(.propertyList, "H5Dget_create_plist", at: location) {
                H5Dget_create_plist(handle.id)
            }
            let layout = H5Pget_layout(dcpl.id)
            let layoutName: String
            var chunkShape: [Int]? = nil
            switch layout {
            case H5D_COMPACT: layoutName = "compact"
            case H5D_CONTIGUOUS: layoutName = "contiguous"
            case H5D_VIRTUAL: layoutName = "virtual"
            case H5D_CHUNKED:
                layoutName = "chunked"
                var dims = [hsize_t](repeating: 0, count: max(shape.count, 1))
                let rank = try h5check(H5Pget_chunk(dcpl.id, Int32(dims.count), &dims), "H5Pget_chunk", at: location)
                guard Int(rank) == shape.count else {
                    throw CubeError(.corrupt, "chunk rank \(rank) differs from dataset rank \(shape.count)",
                                    context: location.description)
                }
                chunkShape = dims.prefix(Int(rank)).map { Int($0) }
            default:
                _ = try h5check(Int32(layout.rawValue), "H5Pget_layout", at: location)
                layoutName = "layout \(layout.rawValue)"
            }
            let filters = try readFilters(dcpl.id, at: location)
            var partialUnfiltered = false
            if chunkShape != nil {
                var options: UInt32 = 0
                if H5Pget_chunk_opts(dcpl.id, &options) >= 0 {
                    partialUnfiltered = options & cube_H5D_CHUNK_DONT_FILTER_PARTIAL_CHUNKS() != 0
                } else {
                    _ = cube_H5E_clear()
                }
            }
            let externalFiles = H5Pget_external_count(dcpl.id)
            let stored = H5Dget_storage_size(handle.id)
            let storage = StorageInfo(layout: layoutName, chunkShape: chunkShape,
                                      filters: filters.map(\.description), storedBytes: Int(exactly: stored))
            let fill = try readFillValue(dcpl.id, element: element, at: location)

            var decoder: RawChunkDecoder? = nil
            if let chunkShape, let storedOrder = element.storedOrder, !element.dataType.isVariableLength,
               externalFiles <= 0 {
                let chunkBytes = try ShapeMath.byteCount(chunkShape, itemSize: element.dataType.itemSize,
                                                         context: location.description)
                decoder = RawChunkDecoder(filters: filters, chunkBytes: chunkBytes, itemSize: element.dataType.itemSize,
                                          storedOrder: storedOrder, swapUnit: element.dataType.swapUnit)
            }

            var attributes = try HDF5Attributes.readAll(of: handle.id, at: location)
            if let members = element.enumMembers {
                let names = Set(attributes.map(\.name))
                if !names.contains("flag_values") {
                    attributes.append(Attribute("flag_values", .numbers(element.dataType, members.flatMap(\.value))))
                }
                if !names.contains("flag_meanings") {
                    // CF separates meanings by blanks, so blanks inside a member name become `_`.
                    let meanings = members.map { member in
                        String(member.name.map { $0.isWhitespace ? "_" : $0 })
                    }
                    attributes.append(Attribute("flag_meanings", .text(meanings.joined(separator: " "))))
                }
            }
            guard dimensionNames.count == shape.count else {
                throw CubeError(.invalidInput, "\(dimensionNames.count) dimension names given for rank \(shape.count)",
                                context: location.description)
            }
            return .dataset(HDF5Dataset(
                handle: handle, file: file, memoryType: element.memoryType, location: location, path: path, shape: shape,
                maxShape: extent.maxShape, dataType: element.dataType, chunkShape: chunkShape,
                dimensionNames: dimensionNames, attributes: attributes, storage: storage, filters: filters,
                fillValue: fill, decoder: decoder, partialEdgeChunksUnfiltered: partialUnfiltered))
        }
    }

    /// The filter pipeline of a dataset creation property list.
    private static func readFilters(_ dcpl: hid_t, at location: HDF5Location) throws -> [HDF5Filter] {
        let count = try h5check(H5Pget_nfilters(dcpl), "H5Pget_nfilters", at: location)
        var filters: [HDF5Filter] = []
        for index in 0..<UInt32(count) {
            var flags: UInt32 = 0
            var parameterCount = 32
            var parameters = [UInt32](repeating: 0, count: parameterCount)
            var name = [CChar](repeating: 0, count: 256)
            var config: UInt32 = 0
            let id = try h5check(H5Pget_filter2(dcpl, index, &flags, &parameterCount, &parameters, name.count, &name, &config),
                                 "H5Pget_filter2", at: location)
            let fileName = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let resolved = HDF5Filter.knownName(Int(id)) ?? (fileName.isEmpty ? "filter \(id)" : fileName)
            filters.append(HDF5Filter(id: Int(id), name: resolved, isOptional: flags & UInt32(H5Z_FLAG_OPTIONAL) != 0,
                                      parameters: Array(parameters.prefix(min(parameterCount, parameters.count)))))
        }
        return filters
    }

    /// The fill value converted to the memory type, or zero when none is defined.
    private static func readFillValue(_ dcpl: hid_t, element: HDF5ElementType, at location: HDF5Location) throws -> FillValue {
        var status = H5D_FILL_VALUE_UNDEFINED
        guard H5Pfill_value_defined(dcpl, &status) >= 0 else {
            _ = cube_H5E_clear()
            return .zero(for: element.dataType)
        }
        guard status != H5D_FILL_VALUE_UNDEFINED else { return .zero(for: element.dataType) }
        if element.dataType.isVariableLength {
            var pointer: UnsafeMutablePointer<CChar>? = nil
            guard H5Pget_fill_value(dcpl, element.memoryType.id, &pointer) >= 0 else {
                _ = cube_H5E_clear()
                return .string("")
            }
            defer { if let pointer { H5free_memory(pointer) } }
            return .string(pointer.map { String(cString: $0) } ?? "")
        }
        var item = [UInt8](repeating: 0, count: element.dataType.itemSize)
        try h5check(H5Pget_fill_value(dcpl, element.memoryType.id, &item), "H5Pget_fill_value", at: location)
        return .element(item)
    }

    // MARK: - Reading

    /// Reads `region` into a buffer of shape `region.count`.
    public func read(_ region: Region) throws -> ArrayBuffer {
        try region.validate(within: shape, context: location.description)
        if region.count.contains(0) {
            return ArrayBuffer(dataType: dataType, shape: region.count,
                               storage: dataType.isVariableLength ? .strings([]) : .fixed([]))
        }
        if let decoder, let chunkShape {
            return try readChunks(region, decoder: decoder, chunkShape: chunkShape)
        }
        return try readThroughLibrary(region)
    }

    /// Reads `region` with `H5Dread` whatever the layout and filters, letting libhdf5
    /// decode every chunk (under the lock). ``read(_:)`` is faster where it can decode
    /// chunks itself; this is for comparisons and checks.
    public func readThroughLibrary(_ region: Region) throws -> ArrayBuffer {
        try region.validate(within: shape, context: location.description)
        let count = region.elementCount
        if count == 0 {
            return ArrayBuffer(dataType: dataType, shape: region.count,
                               storage: dataType.isVariableLength ? .strings([]) : .fixed([]))
        }
        return try HDF5Library.withLock {
            let all = cube_H5S_ALL()
            var memorySpace: HDF5Handle? = nil
            var fileSpace: HDF5Handle? = nil
            if region.rank > 0 {
                let memoryDims = region.count.map { hsize_t($0) }
                memorySpace = try HDF5Handle.make(.dataspace, "H5Screate_simple", at: location) {
                    H5Screate_simple(Int32(region.rank), memoryDims, nil)
                }
                let space = try HDF5Handle.make(.dataspace, "H5Dget_space", at: location) { H5Dget_space(handle.id) }
                let start = region.start.map { hsize_t($0) }
                try h5check(H5Sselect_hyperslab(space.id, H5S_SELECT_SET, start, nil, memoryDims, nil),
                            "H5Sselect_hyperslab \(region)", at: location)
                fileSpace = space
            }
            let memoryID = memorySpace?.id ?? all
            let fileID = fileSpace?.id ?? all
            if dataType.isVariableLength {
                var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
                try h5check(H5Dread(handle.id, memoryType.id, memoryID, fileID, cube_H5P_DEFAULT(), &pointers),
                            "H5Dread \(region)", at: location)
                let strings = pointers.map { $0.map { String(cString: $0) } ?? "" }
                let reclaimSpace = try memorySpace ?? HDF5Handle.make(.dataspace, "H5Screate", at: location) {
                    H5Screate(H5S_SCALAR)
                }
                _ = cube_H5vlen_reclaim(memoryType.id, reclaimSpace.id, &pointers)
                return ArrayBuffer(dataType: dataType, shape: region.count, storage: .strings(strings))
            }
            let byteCount = try ShapeMath.byteCount(region.count, itemSize: dataType.itemSize, context: location.description)
            var bytes = [UInt8](repeating: 0, count: byteCount)
            try h5check(H5Dread(handle.id, memoryType.id, memoryID, fileID, cube_H5P_DEFAULT(), &bytes),
                        "H5Dread \(region)", at: location)
            return ArrayBuffer(dataType: dataType, shape: region.count, storage: .fixed(bytes))
        }
    }

    /// Collects the first error thrown by concurrent workers.
    private final class FirstError: @unchecked Sendable {
        private let mutex = RecursiveMutex()
        private var stored: Error?
        func record(_ error: Error) { mutex.withLock { if stored == nil { stored = error } } }
        var error: Error? { mutex.withLock { stored } }
    }

    /// Hands out `0..<count` once each to concurrent workers.
    private final class NextIndex: @unchecked Sendable {
        private let lock = RecursiveMutex()
        private var next = 0
        private let count: Int
        init(count: Int) { self.count = count }
        func take() -> Int? {
            lock.withLock {
                guard next < count else { return nil }
                defer { next += 1 }
                return next
            }
        }
    }

    /// A destination buffer shared by workers that write disjoint parts of it.
    private struct SharedOutput: @unchecked Sendable {
        let base: UnsafeMutableRawBufferPointer
    }

    /// Reads the chunks intersecting `region` raw under the lock, decodes them in
    /// parallel outside it and copies their selected parts into the output.
    private func readChunks(_ region: Region, decoder: RawChunkDecoder, chunkShape: [Int]) throws -> ArrayBuffer {
        let grid = try ChunkGrid(shape: shape, chunkShape: chunkShape, context: location.description)
        let selections = grid.selections(in: region)
        let itemSize = dataType.itemSize
        let byteCount = try ShapeMath.byteCount(region.count, itemSize: itemSize, context: location.description)
        let failure = FirstError()
        var bytes = BufferCache.take(count: byteCount)
        bytes.withUnsafeMutableBytes { buffer in
            let output = SharedOutput(base: buffer)
            let work: @Sendable (Int) -> Void = { index in
                do {
                    try self.copyChunk(selections[index], decoder: decoder, chunkShape: chunkShape, region: region,
                                       into: output.base)
                } catch {
                    failure.record(error)
                }
            }
            // Workers would wait forever for a lock this thread holds: decode here then.
            if selections.count == 1 || HDF5Library.isHeldByCurrentThread {
                for index in selections.indices { work(index) }
            } else {
                // Workers that pull chunks in turn, each reusing its own few chunk-sized
                // buffers (raw, inflated, unshuffled), instead of one allocation per chunk.
                let next = NextIndex(count: selections.count)
                let workers = min(selections.count, ProcessInfo.processInfo.activeProcessorCount)
                DispatchQueue.concurrentPerform(iterations: workers) { _ in
                    BufferCache.withCurrent(BufferCache(limit: 4 * decoder.chunkBytes)) {
                        while let index = next.take() { work(index) }
                    }
                }
            }
        }
        if let error = failure.error { throw error }
        return ArrayBuffer(dataType: dataType, shape: region.count, storage: .fixed(bytes))
    }

    /// Fetches, decodes and copies one chunk's share of a region read.
    private func copyChunk(_ selection: ChunkGrid.Selection, decoder: RawChunkDecoder, chunkShape: [Int], region: Region,
                           into output: UnsafeMutableRawBufferPointer) throws {
        let itemSize = dataType.itemSize
        guard let stored = try fetchChunk(selection.chunk, chunkShape: chunkShape) else {
            // Never written: the fill value.
            guard case .element(let item) = fillValue else { return }
            let filled = FillValue.replicate(item, count: selection.withinChunk.elementCount)
            filled.withUnsafeBytes { source in
                RegionCopy.copy(count: selection.withinChunk.count, itemSize: itemSize,
                                from: source, sourceShape: selection.withinChunk.count,
                                sourceStart: [Int](repeating: 0, count: region.rank),
                                to: output, destinationShape: region.count, destinationStart: selection.outputStart)
            }
            return
        }
        let unfiltered = partialEdgeChunksUnfiltered && isPartialEdge(selection.chunk, chunkShape: chunkShape)
        let decoded: [UInt8]
        do {
            decoded = try decoder.decode(stored.bytes, filterMask: stored.filterMask, unfiltered: unfiltered)
        } catch let error as CubeError {
            throw CubeError(error.kind, "chunk \(selection.chunk): \(error.message)", context: location.description)
        }
        decoded.withUnsafeBytes { source in
            RegionCopy.copy(count: selection.withinChunk.count, itemSize: itemSize,
                            from: source, sourceShape: chunkShape, sourceStart: selection.withinChunk.start,
                            to: output, destinationShape: region.count, destinationStart: selection.outputStart)
        }
        BufferCache.recycle(decoded, unlessSharedWith: [stored.bytes])
        BufferCache.recycle(stored.bytes)
    }

    /// Whether the chunk at `coords` extends past the dataset's current extent.
    private func isPartialEdge(_ coords: [Int], chunkShape: [Int]) -> Bool {
        (0..<shape.count).contains { axis in chunkShape[axis] > shape[axis] - coords[axis] * chunkShape[axis] }
    }

    /// The stored bytes and filter mask of the chunk at grid coordinates `coords`, or
    /// `nil` when it was never written. Holds the lock only for the libhdf5 calls: two index
    /// lookups for a written chunk; `H5Dget_chunk_info_by_coord`, which walks every chunk,
    /// only to confirm that a chunk HDF5 1.10 cannot size or read was never written.
    private func fetchChunk(_ coords: [Int], chunkShape: [Int]) throws -> (bytes: [UInt8], filterMask: UInt32)? {
        let offset = zip(coords, chunkShape).map { hsize_t($0 * $1) }
        return try HDF5Library.withLock {
            do {
                var size: hsize_t = 0
                try h5check(cube_H5Dchunk_stored_size(handle.id, offset, &size), "H5Dget_chunk_storage_size \(coords)",
                            at: location)
                guard size > 0 else { return nil }  // never written (newer libhdf5)
                guard let count = Int(exactly: size) else {
                    throw CubeError(.corrupt, "chunk \(coords) claims \(size) stored bytes", context: location.description)
                }
                var filterMask: UInt32 = 0
                var bytes = BufferCache.take(count: count)
                _ = try bytes.withUnsafeMutableBytes { buffer in
                    try h5check(cube_H5Dread_chunk(handle.id, offset, &filterMask, buffer.baseAddress),
                                "H5Dread_chunk \(coords)", at: location)
                }
                return (bytes, filterMask)
            } catch {
                // HDF5 1.10 fails to size (filtered) or to read (unfiltered) chunks never
                // written; tell those apart from real failures with the slower query.
                var mask: UInt32 = 0
                var address: UInt64 = 0
                var size: hsize_t = 0
                guard cube_H5Dchunk_info(handle.id, offset, &mask, &address, &size) >= 0,
                      address == cube_HADDR_UNDEF() else {
                    _ = cube_H5E_clear()
                    throw error
                }
                return nil
            }
        }
    }

    /// The stored (still filtered) bytes of the chunk at grid coordinates `coords` and its
    /// filter mask (bit `i` set: filter `i` was skipped), or `nil` if it was never written.
    ///
    /// Throws for datasets that are not chunked and for coordinates outside the grid.
    public func readRawChunk(_ coords: [Int]) throws -> (bytes: [UInt8], filterMask: UInt32)? {
        guard let chunkShape else {
            throw CubeError(.invalidInput, "dataset is not chunked (\(storage.layout))", context: location.description)
        }
        let grid = try ChunkGrid(shape: shape, chunkShape: chunkShape, context: location.description)
        guard grid.contains(chunk: coords) else {
            throw CubeError(.invalidInput, "chunk \(coords) lies outside the chunk grid \(grid.chunkCounts)",
                            context: location.description)
        }
        return try fetchChunk(coords, chunkShape: chunkShape)
    }
}

/// Current and maximum extents of a dataspace.
enum HDF5Shape {
    /// The extent of `dataset`'s dataspace; `shape` is `nil` for a null dataspace.
    static func read(dataset: hid_t, at location: HDF5Location) throws -> (shape: [Int]?, maxShape: [Int?]) {
        try HDF5Library.withLock {
            let space = try HDF5Handle.make(.dataspace, "H5Dget_space", at: location) { H5Dget_space(dataset) }
            if H5Sget_simple_extent_type(space.id) == H5S_NULL { return (nil, []) }
            let rank = Int(try h5check(H5Sget_simple_extent_ndims(space.id), "H5Sget_simple_extent_ndims", at: location))
            var dims = [hsize_t](repeating: 0, count: max(rank, 1))
            var maxDims = [hsize_t](repeating: 0, count: max(rank, 1))
            try h5check(H5Sget_simple_extent_dims(space.id, &dims, &maxDims), "H5Sget_simple_extent_dims", at: location)
            var shape: [Int] = []
            for n in dims.prefix(rank) {
                guard let length = Int(exactly: n) else {
                    throw CubeError(.corrupt, "dimension length \(n) exceeds 64-bit signed range", context: location.description)
                }
                shape.append(length)
            }
            let unlimited = cube_H5S_UNLIMITED()
            let maxShape = maxDims.prefix(rank).map { $0 == unlimited ? nil : Int(exactly: $0) }
            return (shape, maxShape)
        }
    }
}
