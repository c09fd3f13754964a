import CubeCore
@testable import CubeEngine
import Foundation
import Testing

@Suite struct DatasetOpenerTests {
    /// The netCDF-4 fixture (the repository root is three levels above this file).
    static let nc4 = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fixtures/netcdf/nc4.nc").path

    @Test("a netCDF-4 file's deflated chunks are decoded by cube beside libnetcdf's open, in every open of it")
    func netCDF4ChunksAreDecodedDirectly() throws {
        let first = try DatasetOpener.open(Self.nc4, skipUnsupported: true)
        let second = try DatasetOpener.open(Self.nc4, skipUnsupported: true)
        for opened in [first, second] {
            let t2m = try #require(opened.root.variables.first { $0.path == "t2m" })
            let direct = try #require(t2m as? DirectChunkSource)
            let whole = Region(shape: t2m.shape)
            #expect(try direct.read(whole) == direct.variable.read(whole))
        }
    }
}
