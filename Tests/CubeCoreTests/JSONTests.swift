import Testing
@testable import CubeCore

@Suite struct JSONTests {
    @Test func acceptsPythonNonFiniteNumbers() throws {
        let value = try JSON.parse(#"{"a": NaN, "b": Infinity, "c": -Infinity, "d": [1, -2.5e3]}"#)
        #expect(value["a"]?.numberValue?.isNaN == true)
        #expect(value["b"]?.numberValue == .infinity)
        #expect(value["c"]?.numberValue == -.infinity)
        #expect(value["d"] == [1, -2500.0])
    }

    @Test func keepsKeyOrderAndBigIntegers() throws {
        let value = try JSON.parse(#"{"z": 18446744073709551615, "a": -9223372036854775808}"#)
        #expect(value.objectValue?.map(\.0) == ["z", "a"])
        #expect(value["z"] == .uint(UInt64.max))
        #expect(value["a"] == .int(Int64.min))
        #expect(value.serialized() == #"{"z":18446744073709551615,"a":-9223372036854775808}"#)
    }

    @Test func writesLikePython() throws {
        let value: JSON = .object([("b", .double(.nan)), ("a", "é\n")])
        #expect(value.serialized(.zarrV2) == "{\n    \"a\": \"\\u00e9\\n\",\n    \"b\": NaN\n}")
    }

    @Test func roundTripsEscapes() throws {
        let text = #"["\ud83d\ude00", "\"\\\/\b\f\t"]"#
        let value = try JSON.parse(text)
        #expect(value.arrayValue?.first == .string("😀"))
        #expect(try JSON.parse(value.serialized()) == value)
        #expect(try JSON.parse(value.serialized(.zarrV3)) == value)
    }

    /// Found by fuzz-json: an object with a repeated key did not equal itself (so a node whose
    /// attributes repeat a key read back "changed"). The last member counts, as for lookups.
    @Test func objectsWithRepeatedKeysEqualThemselves() throws {
        let value = try JSON.parse(#"{"a": 1, "b": 2, "a": 3}"#)
        let lastWins: JSON = ["b": 2, "a": 3]
        #expect(value == value)
        #expect(value == lastWins)
        #expect(value.hashValue == lastWins.hashValue)
        #expect(try JSON.parse(value.serialized(.zarrV2)) == value)
        #expect(value != ["a": 1, "b": 2])
    }

    @Test(arguments: ["{", "[1,]", "{\"a\" 1}", "tru", "\"abc", "1 2", "-", "{\"a\":}", ""])
    func rejectsMalformed(_ text: String) {
        #expect(throws: CubeError.self) { try JSON.parse(text, context: "x/.zarray") }
    }

    @Test func errorNamesFileAndLine() {
        do {
            _ = try JSON.parse("{\n\"a\": ?}", context: "store/.zarray")
            Issue.record("expected an error")
        } catch let error as CubeError {
            #expect(error.description.hasPrefix("store/.zarray: malformed JSON at line 2"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
