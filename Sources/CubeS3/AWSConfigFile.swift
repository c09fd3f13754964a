/// The sections of an AWS shared config or credentials file (an INI dialect).
///
/// `[NAME]` opens a section; `key = value` lines fill it (keys are lower-cased, values
/// trimmed); lines starting with `#` or `;` are comments. Indented lines continue a
/// nested setting (such as `s3 =` followed by `  addressing_style = path`) and are
/// skipped, as are lines that are neither.
struct AWSConfigFile: Sendable, Equatable {
    /// Settings by section name, exactly as written between the brackets (trimmed).
    private(set) var sections: [String: [String: String]] = [:]

    /// Parses the text of a file.
    init(parsing text: String) {
        var current: String?
        for rawLine in text.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline) {
            if rawLine.first == " " || rawLine.first == "\t" { continue }
            let line = rawLine.trimmingSpaces
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                let name = String(line.dropFirst().dropLast()).trimmingSpaces
                current = name
                sections[name, default: [:]] = sections[name] ?? [:]
                continue
            }
            guard let section = current, let equals = line.firstIndex(of: "=") else { continue }
            let key = String(line[..<equals]).trimmingSpaces.lowercased()
            let value = String(line[line.index(after: equals)...]).trimmingSpaces
            sections[section, default: [:]][key] = value
        }
    }

    /// The settings of section `name`, if the file has it.
    func section(_ name: String) -> [String: String]? { sections[name] }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[start...end])
    }
}
