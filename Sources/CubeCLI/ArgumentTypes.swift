import ArgumentParser
import CubeCore
import CubeZarr

extension ByteCount: ExpressibleByArgument {
    public init?(argument: String) { self.init(parsing: argument) }
}

extension ZarrFormat: ExpressibleByArgument {
    public init?(argument: String) {
        guard let n = Int(argument), let format = ZarrFormat(rawValue: n) else { return nil }
        self = format
    }

    public static var allValueStrings: [String] { ["2", "3"] }
}
