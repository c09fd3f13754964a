import CubeCore
import FuzzSupport

/// cube's JSON parser (every metadata document goes through it), and its writer: whatever
/// parses must read back equal after writing, in each layout cube writes.
@main enum FuzzJSON: FuzzTarget {
    static func test(_ input: [UInt8]) throws {
        let value = try JSON.parse(input)
        for format in [JSON.Format.compact, .zarrV2, .zarrV3] {
            let written = value.serializedBytes(format)
            let reread = try? JSON.parse(written)
            FuzzCheck.require(reread == value, "JSON changed in a write and read back: \(String(decoding: written, as: UTF8.self))")
        }
    }
}
