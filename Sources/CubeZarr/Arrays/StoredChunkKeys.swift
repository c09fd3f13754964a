import CubeCore

extension ArrayMetadata {
    /// The keys in `store` under the array at `path` that name chunks of its grid (shards,
    /// for sharded arrays), sorted; metadata documents and stray files are left out.
    public func storedChunkKeys(in store: any ListableStore, path: String) throws -> [String] {
        let grid = try grid(context: StoreKey.join(store.location, path))
        let rank = shape.count
        return try store.keys(under: path).filter { key in
            let relative = path.isEmpty ? key : String(key.dropFirst(path.count + 1))
            guard let coords = chunkKeyEncoding.coordinates(of: relative, rank: rank) else { return false }
            return grid.contains(chunk: coords)
        }
    }
}
