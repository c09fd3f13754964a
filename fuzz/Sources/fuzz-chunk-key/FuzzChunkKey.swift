import CubeCore
import CubeZarr
import FuzzSupport

/// Chunk keys as listed from a store (`c/0/1`, `0.1`, …) parsed back into coordinates, and store
/// key validation. Input: one byte choosing the encoding and rank, then the key.
/// Parsed coordinates must name the key again.
@main enum FuzzChunkKey: FuzzTarget {
    static func test(_ input: [UInt8]) throws {
        var reader = FuzzInput(input)
        let choice = reader.byte()
        let encoding = ChunkKeyEncoding(separator: choice & 1 == 0 ? "/" : ".", prefixed: choice & 2 != 0)
        let rank = Int(choice >> 2) % 8
        let key = String(decoding: reader.rest, as: UTF8.self)
        _ = try? StoreKey.segments(of: key, store: "fuzz")
        guard let coordinates = encoding.coordinates(of: key, rank: rank) else { return }
        FuzzCheck.require(coordinates.count == rank && coordinates.allSatisfy { $0 >= 0 },
                          "'\(key)' parsed to \(coordinates) for rank \(rank)")
        let again = encoding.coordinates(of: encoding.key(for: coordinates), rank: rank)
        FuzzCheck.require(again == coordinates, "'\(key)' parsed to \(coordinates), whose key parses to \(String(describing: again))")
    }
}
