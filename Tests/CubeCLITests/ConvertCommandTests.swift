import CubeCLI
import CubeCore
import CubeTestSupport
import Foundation
import Testing

/// One conversion checked by xarray: the sources, the cube-convert arguments, and what the
/// checker is told.
struct ConversionCase: CustomTestStringConvertible, Sendable {
    var name: String
    var sources: [String]
    var arguments: [String] = []
    var checkerArguments: [String] = []
    var testDescription: String { name }

    static let fixtures = "fixtures/netcdf/"

    /// The compound variables of the compound fixtures.
    static let compounds = ["compound.nc": ["samples", "padded", "series"], "compound.h5": ["samples", "big_endian", "records"]]

    /// chars.nc's variables with a `_FillValue` on characters, which Zarr v3 refuses.
    static let charsRefusedInV3 = ["fill_name", "encoded_fill", "shared_chars"]

    static let all: [ConversionCase] = ["2", "3"].flatMap { format -> [ConversionCase] in
        let zarr = ["--zarr-format", format]
        return ["classic.nc", "offset64.nc", "cdf5.nc", "nc4.nc", "bigendian.nc", "plain.h5", "xarray_lossy.nc"].map {
            ConversionCase(name: "\($0) v\(format)", sources: [fixtures + $0], arguments: zarr)
        } + [
            // Zarr v2 holds the compound `samples`; v3 skips it with the vlen `ragged`.
            ConversionCase(name: "unsupported.nc --skip-unsupported v\(format)", sources: [fixtures + "unsupported.nc"],
                           arguments: zarr + ["--skip-unsupported"],
                           checkerArguments: (format == "3" ? ["--drop", "samples"] : []) + ["--drop", "ragged"]),
            ConversionCase(name: "compound.nc v\(format)", sources: [fixtures + "compound.nc"],
                           arguments: zarr + (format == "3" ? ["--skip-unsupported"] : []),
                           checkerArguments: format == "3" ? compounds["compound.nc", default: []].flatMap { ["--drop", $0] } : []),
            // Character variables joined into strings where xarray joins them; in v3 the ones
            // with a _FillValue xarray could not read back are left out.
            ConversionCase(name: "chars.nc v\(format)", sources: [fixtures + "chars.nc"],
                           arguments: zarr + (format == "3" ? ["--skip-unsupported"] : []),
                           checkerArguments: format == "3" ? charsRefusedInV3.flatMap { ["--drop", $0] } : []),
            ConversionCase(name: "monthly --concat time v\(format)",
                           sources: ["01", "02", "03"].map { fixtures + "monthly/era_2000-\($0).nc" },
                           arguments: zarr + ["--concat", "time"], checkerArguments: ["--concat", "time"]),
            ConversionCase(name: "nc4.nc rechunked and sharded v\(format)", sources: [fixtures + "nc4.nc"],
                           arguments: zarr + ["--chunks", "time=2,lat=3", "--codec", "blosc:zstd:3:bitshuffle"]
                               + (format == "3" ? ["--shards", "time=4,lat=4"] : [])),
        ]
    }
}

@Suite struct ConvertCommandTests {
    func temporaryOutput(_ name: String = "out.zarr") -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("cube-convert-\(UUID().uuidString)/\(name)").path
    }

    func convert(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String, output: String) {
        let output = temporaryOutput()
        try FileManager.default.createDirectory(atPath: (output as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let result = ConvertCommand.runCapturing(arguments + ["-o", output, "-q"])
        return (result.status, result.stdout, result.stderr, output)
    }

    /// xarray opens what cube wrote as identical to what it opens from the source.
    @Test(.enabled(if: PythonClients.installed(PythonClients.zarr3) || PythonClients.required,
                   "xarray is not installed in .venv/zarr3 (run scripts/setup-python)"),
          arguments: ConversionCase.all)
    func xarrayReadsTheSameDataset(_ conversion: ConversionCase) throws {
        let sources = conversion.sources.map(PythonClients.path)
        let result = try convert(sources + conversion.arguments)
        try #require(result.status == 0, "cube-convert failed: \(result.stderr)")
        let check = try PythonClients.run(PythonClients.zarr3, [PythonClients.path("interop/check_convert.py")]
                                           + sources + [result.output] + conversion.checkerArguments)
        #expect(check.status == 0, "\(check.output)")
        #expect(check.output.contains(" passed, 0 failed"), "\(check.output)")
    }

    @Test func existingOutputNeedsOverwrite() throws {
        let source = PythonClients.path("fixtures/netcdf/classic.nc")
        let first = try convert([source])
        #expect(first.status == 0, "\(first.stderr)")
        let again = ConvertCommand.runCapturing([source, "-o", first.output, "-q"])
        #expect(again.status == 1)
        #expect(again.stderr.contains("already exists; use --overwrite to replace it"))
        #expect(ConvertCommand.runCapturing([source, "-o", first.output, "-q", "--overwrite"]).status == 0)
    }

    @Test func unsupportedTypesAreRefusedByName() throws {
        let result = try convert([PythonClients.path("fixtures/netcdf/unsupported.nc")])
        #expect(result.status == 1)
        #expect(result.stderr.contains("ragged") && result.stderr.contains("vlen"))
        #expect(!FileManager.default.fileExists(atPath: result.output))
    }

    /// zarr-python 2.18 reads every compound variable cube writes with the values netCDF4 or
    /// h5py read from the source, field by field.
    @Test(.enabled(if: (PythonClients.installed(PythonClients.zarr2) && PythonClients.installed(PythonClients.zarr3))
                   || PythonClients.required, "the .venv/zarr2 and .venv/zarr3 venvs are missing (run scripts/setup-python)"),
          arguments: ["compound.nc", "compound.h5"])
    func zarrPython2ReadsCompounds(_ fixture: String) throws {
        let source = PythonClients.path("fixtures/netcdf/" + fixture)
        let result = try convert([source, "--zarr-format", "2"])
        try #require(result.status == 0, "cube-convert failed: \(result.stderr)")
        let script = PythonClients.path("interop/check_structured.py")
        for name in ConversionCase.compounds[fixture, default: []] {
            let expected = (result.output as NSString).deletingLastPathComponent + "/\(name).npy"
            let read = try PythonClients.run(PythonClients.zarr3, [script, "source", source, name, expected])
            try #require(read.status == 0, "\(read.output)")
            let check = try PythonClients.run(PythonClients.zarr2, [script, "compare", result.output, name, expected])
            #expect(check.status == 0 && check.output.contains("1 passed, 0 failed"), "\(name): \(check.output)")
        }
    }

    /// Compound variables are refused in Zarr v3 by name, with the ways around it.
    @Test func compoundsAreRefusedInZarrV3() throws {
        let result = try convert([PythonClients.path("fixtures/netcdf/compound.nc")])
        #expect(result.status == 1)
        #expect(result.stderr.contains("compound.nc: samples: cannot be written to Zarr v3: compound (structured) data types"),
                "\(result.stderr)")
        #expect(result.stderr.contains("; use --zarr-format 2 to convert it, or --skip-unsupported to leave it out"))
        #expect(!FileManager.default.fileExists(atPath: result.output))
    }

    /// A character variable with a `_FillValue` is refused in Zarr v3 by name, with the ways
    /// around it; `--skip-unsupported` leaves exactly those out, with a warning each.
    @Test func charactersWithFillValueAreRefusedInZarrV3() throws {
        let source = PythonClients.path("fixtures/netcdf/chars.nc")
        let refused = try convert([source])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("chars.nc: fill_name: cannot be written to Zarr v3: "), "\(refused.stderr)")
        #expect(refused.stderr.contains("; use --zarr-format 2 to convert it, or --skip-unsupported to leave it out"))
        #expect(!FileManager.default.fileExists(atPath: refused.output))

        let skipped = ConvertCommand.runCapturing([source, "-o", refused.output, "--skip-unsupported"])
        #expect(skipped.status == 0, "\(skipped.stderr)")
        for name in ConversionCase.charsRefusedInV3 {
            #expect(skipped.stderr.contains("skipped \(name): cannot be written to Zarr v3"), "\(skipped.stderr)")
            #expect(!FileManager.default.fileExists(atPath: refused.output + "/" + name))
        }
        #expect(FileManager.default.fileExists(atPath: refused.output + "/missing_name/zarr.json"))
        #expect(try convert([source, "--zarr-format", "2"]).status == 0)
    }

    @Test func badConcatenationsAreRefused() throws {
        let base = PythonClients.path("fixtures/netcdf/monthly_bad") + "/"
        let lat = try convert(["era_2000-01.nc", "era_2000-02.nc"].map { base + "lat_mismatch/" + $0 } + ["--concat", "time"])
        #expect(lat.status == 1)
        #expect(lat.stderr.contains("values of 'lat' differ"))
        let time = try convert(["era_2000-01.nc", "era_2000-02.nc"].map { base + "time_not_monotonic/" + $0 } + ["--concat", "time"])
        #expect(time.status == 1)
        #expect(time.stderr.contains("not monotonic"))
        let missing = try convert([base + "lat_mismatch/era_2000-01.nc", base + "lat_mismatch/era_2000-02.nc"])
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("--concat"))
    }

    @Test func usageErrors() throws {
        let source = PythonClients.path("fixtures/netcdf/classic.nc")
        #expect(try convert([source, "--chunks", "time=0"]).status == 64)
        #expect(try convert([source, "--chunks", "depth=2"]).stderr.contains("depth"))
        #expect(try convert([source, "--zarr-format", "2", "--shards", "time=4"]).status == 64)
        let codec = try convert([source, "--codec", "blosc:foo"])
        #expect(codec.status == 64)
        #expect(codec.stderr.contains("blosc compressor 'foo' is not one of"))
        #expect(try convert([source, "--codec", "lz4"]).status == 64)
        #expect(try convert([source, "--max-mem", "lots"]).status == 64)
        let missing = try convert(["/nonexistent.nc"])
        #expect(missing.status == 1)
        #expect(missing.stderr == "cube-convert: error: /nonexistent.nc: no such file\n")
    }
}
