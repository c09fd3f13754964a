import Foundation
import Testing
import CubeCLI
import CubeCore

@Suite struct ConsolidateCommandTests {
    /// Consolidating again a store whose consolidated metadata zarr-python wrote (after
    /// removing it) yields an equivalent document.
    @Test(arguments: ["zarr2-v2.zarr", "zarr3-v2.zarr"])
    func v2MatchesZarrPython(_ name: String) throws {
        let store = try CLITestSupport.copyOfFixture(name)
        let theirs = try CLITestSupport.readJSON(store + "/.zmetadata")
        #expect(ConsolidateCommand.runCapturing([store, "--remove"]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: store + "/.zmetadata"))
        let check = ConsolidateCommand.runCapturing([store, "--check"])
        #expect(check.status == 1)
        #expect(check.stdout.contains("absent"))
        #expect(ConsolidateCommand.runCapturing([store]).status == 0)
        let ours = try CLITestSupport.readJSON(store + "/.zmetadata")
        #expect(ours["zarr_consolidated_format"] == 1)
        let their = Dictionary(uniqueKeysWithValues: theirs["metadata"]?.objectValue ?? [])
        let our = Dictionary(uniqueKeysWithValues: ours["metadata"]?.objectValue ?? [])
        #expect(Set(our.keys) == Set(their.keys))
        for (key, value) in their {
            // zarr-python 3 adds an empty consolidated_metadata member to nested .zgroup entries.
            let expected = key.hasSuffix(".zgroup") ? value.removing("consolidated_metadata") : value
            #expect(our[key] == expected, "\(key) differs: \(our[key]?.serialized() ?? "missing") vs \(value.serialized())")
        }
        #expect(ConsolidateCommand.runCapturing([store, "--check"]).status == 0)
    }

    @Test func v3MatchesZarrPython() throws {
        let store = try CLITestSupport.copyOfFixture("zarr3-v3.zarr")
        let theirs = try CLITestSupport.readJSON(store + "/zarr.json")
        #expect(ConsolidateCommand.runCapturing([store, "--remove"]).status == 0)
        #expect(try CLITestSupport.readJSON(store + "/zarr.json")["consolidated_metadata"] == nil)
        #expect(ConsolidateCommand.runCapturing([store, "--check"]).status == 1)
        #expect(ConsolidateCommand.runCapturing([store]).status == 0)
        let ours = try CLITestSupport.readJSON(store + "/zarr.json")
        #expect(ours["consolidated_metadata"] == theirs["consolidated_metadata"])
        #expect(ours["attributes"] == theirs["attributes"])
    }

    @Test func checkListsStaleNodes() throws {
        let store = try CLITestSupport.copyOfFixture("zarr3-v3.zarr")
        // Change one array's attributes and delete another node behind the consolidated metadata's back.
        let arrayPath = store + "/codecs/gzip/zarr.json"
        let changed = try CLITestSupport.readJSON(arrayPath).setting("attributes", ["description": "edited"])
        try Data(changed.serializedBytes(.zarrV3)).write(to: URL(fileURLWithPath: arrayPath))
        try FileManager.default.removeItem(atPath: store + "/codecs/zstd")
        let result = ConsolidateCommand.runCapturing([store, "--check", "--json"])
        #expect(result.status == 1)
        let report = try JSON.parse(result.stdout)
        #expect(report["state"] == "stale")
        #expect(report["changed"] == ["codecs/gzip"])
        #expect(report["extra"] == ["codecs/zstd"])
        #expect(ConsolidateCommand.runCapturing([store]).status == 0)
        #expect(ConsolidateCommand.runCapturing([store, "--check"]).status == 0)
    }

    @Test func unconsolidatedStoreIsAbsentThenCurrent() throws {
        let store = try CLITestSupport.copyOfFixture("zarr3-v3-unconsolidated.zarr")
        let before = ConsolidateCommand.runCapturing([store, "--check", "--json"])
        #expect(before.status == 1)
        #expect(try JSON.parse(before.stdout)["state"] == "absent")
        #expect(ConsolidateCommand.runCapturing([store]).status == 0)
        #expect(ConsolidateCommand.runCapturing([store, "--check"]).status == 0)
    }

    @Test func errorsAreOneLineWithExitStatus() {
        let missing = ConsolidateCommand.runCapturing(["/nonexistent/store.zarr"])
        #expect(missing.status == 1)
        #expect(missing.stderr == "cube-consolidate: error: /nonexistent/store.zarr: no such file or directory\n")
        let usage = ConsolidateCommand.runCapturing(["--check", "--remove", "x"])
        #expect(usage.status == 64)
        #expect(usage.stderr.contains("--check and --remove cannot be combined"))
    }

    @Test func malformedMetadataNamesTheFile() throws {
        let store = try CLITestSupport.copyOfFixture("zarr3-v3-unconsolidated.zarr")
        try Data("{\"zarr_format\": 3,".utf8).write(to: URL(fileURLWithPath: store + "/top/zarr.json"))
        let result = ConsolidateCommand.runCapturing([store])
        #expect(result.status == 1)
        #expect(result.stderr.contains("top/zarr.json: malformed JSON"))
        #expect(result.stderr.split(separator: "\n").count == 1)
    }
}
