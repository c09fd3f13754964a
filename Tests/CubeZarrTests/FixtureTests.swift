import Foundation
import Testing
import CubeCore
import CubeCodecs
@testable import CubeZarr

/// The fixture manifest (`fixtures/zarr/manifest.json`, described in `fixtures/README.md`).
enum FixtureManifest {
    /// One array or group entry of the manifest.
    struct Entry: Sendable, CustomTestStringConvertible {
        var store: String
        var path: String
        var json: JSON
        var testDescription: String { "\(store)/\(path)" }
    }

    /// The parsed manifest, or why it could not be read.
    static let document: Result<JSON, CubeError> = load(Repo.fixtureManifest)

    static func load(_ path: String) -> Result<JSON, CubeError> {
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(CubeError(.notFound, "fixture manifest missing (run fixtures/regen-zarr)", context: path))
        }
        do {
            return .success(try JSON.parse(Array(data), context: path))
        } catch let error as CubeError {
            return .failure(error)
        } catch {
            return .failure(CubeError(.invalidInput, "\(error)", context: path))
        }
    }

    static func entries(_ section: String) -> [Entry] {
        guard case .success(let json) = document else { return [] }
        return (json[section]?.arrayValue ?? []).map {
            Entry(store: $0["store"]?.stringValue ?? "?", path: $0["path"]?.stringValue ?? "?", json: $0)
        }
    }

    static let arrays = entries("arrays")
    static let groups = entries("groups")

    /// Names of the stores whose consolidated metadata the manifest promises.
    static var consolidatedStores: Set<String> {
        guard case .success(let json) = document else { return [] }
        return Set((json["stores"]?.arrayValue ?? []).compactMap {
            $0["consolidated"]?.boolValue == false ? nil : $0["store"]?.stringValue
        })
    }

    static var storeNames: [String] {
        Array(Set(arrays.map(\.store) + groups.map(\.store))).sorted()
    }

    /// The directory of a fixture store.
    static func storePath(_ store: String) -> String { Repo.path("fixtures/zarr/\(store)") }
}

@Suite struct FixtureTests {
    @Test func manifestIsPresentAndCoversAllStores() throws {
        let json = try FixtureManifest.document.get()
        #expect((json["arrays"]?.arrayValue?.count ?? 0) > 100)
        #expect(FixtureManifest.storeNames.count >= 4, "\(FixtureManifest.storeNames)")
        #expect(!FixtureManifest.groups.isEmpty)
    }

    /// Every manifest array, read through cube with and without consolidated metadata.
    @Test(arguments: FixtureManifest.arrays)
    func array(_ entry: FixtureManifest.Entry) throws {
        let e = entry.json
        let store = try DirectoryStore(path: FixtureManifest.storePath(entry.store))
        let consolidated = FixtureManifest.consolidatedStores.contains(entry.store)
        for useConsolidated in [true, false] {
            let mode = useConsolidated ? "consolidated" : "walked"
            let hierarchy = try ZarrHierarchy.open(store, useConsolidated: useConsolidated)
            #expect(hierarchy.fromConsolidated == (useConsolidated && consolidated), "\(mode)")
            let node = try #require(hierarchy.node(at: entry.path), "\(mode): no node at \(entry.path)")
            guard case .array = node.kind else {
                Issue.record("\(mode): \(entry.path) is not an array")
                continue
            }
            let array = try hierarchy.array(at: entry.path)
            try check(array, against: e, mode: mode)
        }
        // Opening the array directly gives the same metadata as the hierarchy.
        let direct = try ZarrArray.open(store, path: entry.path)
        try check(direct, against: e, mode: "direct")
    }

    func check(_ array: ZarrArray, against e: JSON, mode: String) throws {
        let m = array.metadata
        #expect(m.format.rawValue == e["zarr_format"]?.intValue, "\(mode): format")
        #expect(m.dataType.description == e["dtype"]?.stringValue, "\(mode): dtype")
        #expect(JSON(m.shape) == e["shape"], "\(mode): shape")
        if let shards = e["shards"], !shards.isNull {
            #expect(JSON(m.chunkShape) == shards, "\(mode): shard shape")
            #expect(m.innerChunkShape.map { JSON($0) } == e["chunks"], "\(mode): inner chunk shape")
        } else {
            #expect(JSON(m.chunkShape) == e["chunks"], "\(mode): chunk shape")
            #expect(m.innerChunkShape == nil, "\(mode): not sharded")
        }
        // Byte order.
        if let order = e["byte_order"] {
            #expect((byteOrder(of: m).map(JSON.string) ?? .null) == order, "\(mode): byte order")
        }
        // Fill value.
        let expectedFill = e["fill_value"] ?? .null
        if expectedFill.isNull {
            #expect(m.fillValueJSON.isNull, "\(mode): null fill value, got \(m.fillValueJSON.serialized())")
        } else {
            let actual = fillJSON(array.fill, m.dataType)
            #expect(sameValue(actual, expectedFill), "\(mode): fill \(actual.serialized()) != \(expectedFill.serialized())")
        }
        // Dimension names and attributes.
        let expectedNames = e["dimension_names"] ?? .null
        let actualNames: JSON = m.dimensionNames.map { .array($0.map { $0.map(JSON.string) ?? .null }) } ?? .null
        #expect(actualNames == expectedNames, "\(mode): dimension names")
        if let attributes = e["attributes"] {
            #expect(m.attributes == attributes, "\(mode): attributes \(m.attributes.serialized())")
        }
        // Every value.
        let expected = e["values"]?.arrayValue ?? []
        let data = try array.readAll()
        #expect(data.shape == m.shape)
        #expect(data.elementCount == expected.count, "\(mode): element count")
        let actual = elementsJSON(data)
        var mismatches: [String] = []
        for (i, (a, b)) in zip(actual, expected).enumerated() where !sameValue(a, b) {
            mismatches.append("[\(i)] \(a.serialized()) != \(b.serialized())")
        }
        #expect(mismatches.isEmpty, "\(mode): \(mismatches.count) values differ: \(mismatches.prefix(5).joined(separator: ", "))")
        // Sub-regions (partial chunks and partial shards).
        let strides = ShapeMath.strides(m.shape)
        for region in sampleRegions(m.shape) {
            let part = elementsJSON(try array.read(region))
            let want = allIndicesOf(region.count).map { index -> JSON in
                var flat = 0
                for axis in 0..<index.count { flat += (region.start[axis] + index[axis]) * strides[axis] }
                return expected[flat]
            }
            #expect(part.count == want.count && zip(part, want).allSatisfy { sameValue($0, $1) }, "\(mode): region \(region)")
        }
    }

    /// `little`, `big` or `null`, worked out as the manifest does.
    func byteOrder(of m: ArrayMetadata) -> String? {
        switch m.format {
        case .v2:
            return m.byteOrder?.rawValue
        case .v3:
            var codecs = m.codecs
            if let sharding = codecs.first(where: { $0["name"]?.stringValue == "sharding_indexed" }) {
                codecs = sharding["configuration"]?["codecs"]?.arrayValue ?? []
            }
            return codecs.first(where: { $0["name"]?.stringValue == "bytes" })?["configuration"]?["endian"]?.stringValue
        }
    }

    @Test(arguments: FixtureManifest.groups)
    func group(_ entry: FixtureManifest.Entry) throws {
        let store = try DirectoryStore(path: FixtureManifest.storePath(entry.store))
        for useConsolidated in [true, false] {
            let hierarchy = try ZarrHierarchy.open(store, useConsolidated: useConsolidated)
            let node = try #require(hierarchy.node(at: entry.path))
            guard case .group(let group) = node.kind else {
                Issue.record("\(entry.path) is not a group")
                continue
            }
            #expect(group.format.rawValue == entry.json["zarr_format"]?.intValue)
            if let attributes = entry.json["attributes"] {
                #expect(group.attributes == attributes, "\(group.attributes.serialized()) != \(attributes.serialized())")
            }
        }
    }

    /// The consolidated metadata of each store lists exactly the nodes found by walking it,
    /// and cube considers it current.
    @Test(arguments: FixtureManifest.storeNames)
    func consolidatedMatchesTheStore(_ name: String) throws {
        let store = try DirectoryStore(path: FixtureManifest.storePath(name))
        let walked = try ZarrHierarchy.open(store, useConsolidated: false)
        let expectedPaths = Set(FixtureManifest.arrays.filter { $0.store == name }.map(\.path)
                                + FixtureManifest.groups.filter { $0.store == name }.map(\.path))
        #expect(Set(walked.nodes.map(\.path)) == expectedPaths)
        let check = try ConsolidatedMetadata.check(store)
        guard FixtureManifest.consolidatedStores.contains(name) else {
            #expect(!check.present)
            return
        }
        let consolidated = try ZarrHierarchy.open(store, useConsolidated: true)
        #expect(consolidated.fromConsolidated)
        #expect(consolidated.nodes.map(\.path) == walked.nodes.map(\.path))
        // zarr-python 3 gives each subgroup's consolidated copy an empty `consolidated_metadata`
        // member of its own; only the root's matters.
        func plain(_ node: ZarrNode) -> ZarrNode {
            guard !node.path.isEmpty, case .group(var g) = node.kind else { return node }
            g.consolidated = nil
            return ZarrNode(path: node.path, kind: .group(g))
        }
        for (a, b) in zip(consolidated.nodes, walked.nodes) {
            #expect(plain(a) == plain(b), "\(a.path): consolidated metadata differs from the node's own")
        }
        #expect(check.isCurrent, "\(check)")
    }
}

/// Every index of a box of `shape`, in C order (one empty index for rank 0).
func allIndicesOf(_ shape: [Int]) -> [[Int]] {
    if shape.contains(where: { $0 <= 0 }) { return [] }
    var result: [[Int]] = []
    var index = [Int](repeating: 0, count: shape.count)
    while true {
        result.append(index)
        var axis = shape.count - 1
        while axis >= 0 {
            index[axis] += 1
            if index[axis] < shape[axis] { break }
            index[axis] = 0
            axis -= 1
        }
        if axis < 0 { return result }
    }
}
