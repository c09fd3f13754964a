import CubeCore

/// A stable 64-bit FNV-1a hash of a JSON document, printed as hex: identifies a plan, so a
/// resumed run can tell whether it was started with the same command and inputs.
public enum Fingerprint {
    /// The fingerprint of `document` (serialized compactly with sorted keys).
    public static func of(_ document: JSON) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in document.serialized(JSON.Format(indent: nil, sortKeys: true)).utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
