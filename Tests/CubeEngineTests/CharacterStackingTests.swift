import CubeCore
import CubeEngine
import Testing

/// Character arrays are joined into strings exactly where xarray's CF decoding joins them.
@Suite struct CharacterStackingTests {
    func stacked(_ variables: [any ArraySource], groups: [DatasetGroup] = []) -> [String: any ArraySource] {
        let root = CharacterStacking.apply(DatasetGroup(path: "", variables: variables, groups: groups))
        return Dictionary(uniqueKeysWithValues: root.allGroups.flatMap(\.variables).map { ($0.path, $0) })
    }

    @Test func aStringLengthUsedOnlyLastByCharactersIsJoined() throws {
        let names = BufferSource.characters("name", ["ab", "c", "defg"], width: 4, dims: ["n", "strlen"])
        let codes = BufferSource.characters("code", ["x", "yz", ""], width: 4, dims: ["n", "strlen"])
        let vars = stacked([names, codes, BufferSource.numbers("n_count", count: 3, dim: "n")])
        let name = try #require(vars["name"])
        #expect(name.shape == [3])
        #expect(name.dataType == .bytes(4))
        #expect(name.dimensionNames == ["n"])
        #expect(try name.read(Region(start: [1], count: [2])).bytes == Array("c\0\0\0defg".utf8))
        #expect(try name.read(Region(shape: [3])).shape == [3])
        #expect(vars["code"]?.dataType == .bytes(4))
        #expect(vars["n_count"]?.dataType == .int32)
    }

    @Test func aDimensionAlsoUsedOtherwiseKeepsCharacters() throws {
        // `shared` is used by a number; `coord` has a coordinate variable; `inner` is not last in `b`.
        let vars = stacked([
            BufferSource.characters("shared_chars", ["ab"], width: 3, dims: ["n", "shared"]),
            BufferSource.numbers("shared_count", count: 3, dim: "shared"),
            BufferSource.characters("coord_chars", ["ab"], width: 2, dims: ["n", "coord"]),
            BufferSource.numbers("coord", count: 2, dim: "coord"),
            BufferSource.characters("a", ["xy"], width: 2, dims: ["n", "inner"]),
            BufferSource.characters("b", ["x", "z"], width: 1, dims: ["inner", "n"]),
        ])
        for name in ["shared_chars", "coord_chars", "a", "b"] {
            let variable = try #require(vars[name])
            #expect(variable.dataType == .bytes(1), "\(name)")
            #expect(variable.shape.count == 2, "\(name)")
        }
    }

    @Test func scalarsStayAndOneDimensionalCharactersBecomeOneString() throws {
        let letter = BufferSource(path: "letter", buffer: ArrayBuffer(dataType: .bytes(1), shape: [], storage: .fixed([81])),
                                  dimensionNames: [])
        let word = BufferSource(path: "word", buffer: ArrayBuffer(dataType: .bytes(1), shape: [5], storage: .fixed(Array("hello".utf8))),
                                dimensionNames: ["len"])
        let vars = stacked([letter, word])
        #expect(vars["letter"]?.dataType == .bytes(1))
        #expect(vars["letter"]?.shape == [])
        let one = try #require(vars["word"])
        #expect(one.shape == [])
        #expect(one.dataType == .bytes(5))
        #expect(try one.read(Region(shape: [])).bytes == Array("hello".utf8))
    }

    @Test func eachGroupDecidesForItself() throws {
        // The root's number makes `w` no string length there; the subgroup has only characters on it.
        let sub = DatasetGroup(path: "sub", variables: [BufferSource.characters("sub/label", ["one", "two"], width: 3, dims: ["m", "w"])])
        let vars = stacked([BufferSource.characters("grid", ["abc"], width: 3, dims: ["n", "w"]),
                            BufferSource.numbers("w_weight", count: 3, dim: "w")], groups: [sub])
        #expect(vars["grid"]?.dataType == .bytes(1))
        #expect(vars["sub/label"]?.dataType == .bytes(3))
        #expect(vars["sub/label"]?.dimensionNames == ["m"])
    }

    @Test func anEmptyStringLengthGivesEmptyOneByteStrings() throws {
        let empty = BufferSource(path: "empty", buffer: ArrayBuffer(dataType: .bytes(1), shape: [2, 0], storage: .fixed([])),
                                 dimensionNames: ["n", "len"])
        let variable = try #require(stacked([empty])["empty"])
        #expect(variable.dataType == .bytes(1))
        #expect(variable.shape == [2])
        #expect(try variable.read(Region(shape: [2])).bytes == [0, 0])
    }

    @Test func storedChunksLoseTheStringLength() throws {
        var chars = BufferSource.characters("name", ["ab"], width: 4, dims: ["n", "strlen"])
        chars.chunkShape = [1, 4]
        let root = CharacterStacking.apply(DatasetGroup(path: "", variables: [chars],
                                                        storage: ["name": StorageInfo(layout: "chunked", chunkShape: [1, 4])]))
        #expect(root.variables[0].chunkShape == [1])
        #expect(root.storage["name"]?.chunkShape == [1])
    }
}
