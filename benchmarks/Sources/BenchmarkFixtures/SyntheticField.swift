import CubeCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Deterministic float32 data that looks and compresses like a real geophysical field.
///
/// The field is a 2 m temperature (kelvin) of a 3-hourly reanalysis on a 1° grid, the shape
/// of the rechunk benchmark's source: `time` × 181 latitudes (90° N to 90° S) × 360
/// longitudes. It is a climatology (latitude, season, land and sea, a diurnal cycle), two
/// travelling waves, and ±0.05 K of grid-scale noise, so neighbouring values are close but
/// their low mantissa bits are not. Time-series chunks of it compress about 1.3:1 with zstd
/// level 0 alone and 1.8:1 with shuffle + zlib level 1 (the reanalysis file of
/// `make_reanalysis.py`: 1.15:1 and 1.81:1). Every value depends only on its grid index, so
/// a box is the same wherever and whenever it is cut, on every run and machine.
public enum SyntheticField {
    /// Latitudes of the grid.
    public static let latitudes = 181
    /// Longitudes of the grid.
    public static let longitudes = 360
    /// Time steps of one year, 3-hourly.
    public static let stepsPerYear = 2920

    /// The box `count` = (time, lat, lon) starting at `origin`, as a float32 buffer in C order.
    ///
    /// `origin + count` must stay inside the grid along lat and lon; time may run past one year.
    public static func temperature(origin: [Int], count: [Int]) -> ArrayBuffer {
        precondition(origin.count == 3 && count.count == 3, "a box is (time, lat, lon)")
        precondition(origin[1] >= 0 && origin[1] + count[1] <= latitudes
                     && origin[2] >= 0 && origin[2] + count[2] <= longitudes, "box outside the grid")
        var values: [Float] = []
        values.reserveCapacity(count[0] * count[1] * count[2])
        for t in origin[0]..<(origin[0] + count[0]) {
            for y in origin[1]..<(origin[1] + count[1]) {
                for x in origin[2]..<(origin[2] + count[2]) {
                    values.append(value(step: t, lat: y, lon: x))
                }
            }
        }
        // Native byte order, as ArrayBuffer holds it.
        return ArrayBuffer(dataType: .float32, shape: count, storage: .fixed(values.withUnsafeBytes { Array($0) }))
    }

    /// One value of the field.
    static func value(step t: Int, lat y: Int, lon x: Int) -> Float {
        let degree = Double.pi / 180
        let phi = (90 - Double(y)) * degree
        let lambda = Double(x) * degree
        let day = Double(t) / 8
        let hour = Double(t % 8) * 3
        let year = 2 * Double.pi * day / 365.25
        var k = 250 + 50 * cos(phi) * cos(phi)                               // latitude
        k -= 15 * sin(phi) * cos(year)                                        // season
        k += 5 * sin(3 * lambda) * cos(2 * phi)                               // land and sea
        k += 4 * cos(phi) * cos(2 * Double.pi * hour / 24 + lambda)           // diurnal cycle
        k += 3 * sin(6 * lambda - 2 * Double.pi * day / 5 + 0.5) * sin(2 * phi)  // travelling waves
        k += 2 * cos(4 * lambda + 2 * Double.pi * day / 7.5) * cos(3 * phi)
        let index = UInt64((t * latitudes + y) * longitudes + x)
        k += 0.1 * (unitNoise(index) - 0.5)                                  // grid-scale noise
        return Float(k)
    }

    /// A uniform value in [0, 1) from the SplitMix64 finalizer of `index`.
    static func unitNoise(_ index: UInt64) -> Double {
        var z = index &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 11) / Double(1 << 53)
    }
}
