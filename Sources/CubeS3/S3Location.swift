import CubeCore

/// A bucket and a key prefix inside it, parsed from `s3://BUCKET/PREFIX`.
///
/// The prefix is where a store's keys start: key `a/b` of the store at `s3://data/era5.zarr`
/// is the object `era5.zarr/a/b` in bucket `data`. It is kept without leading or trailing
/// `/`, so `s3://data/era5.zarr/` and `s3://data/era5.zarr` name the same store.
public struct S3Location: Sendable, Hashable, CustomStringConvertible {
    /// The bucket name (checked against S3's naming rules).
    public let bucket: String
    /// The key prefix, without leading or trailing `/`; `""` for the bucket's root.
    public let prefix: String

    /// Parses `url`, which must look like `s3://BUCKET` or `s3://BUCKET/PREFIX`.
    ///
    /// Throws ``CubeError/Kind/invalidArgument`` naming the URL when the scheme is not `s3`,
    /// the bucket name breaks S3's rules, or the prefix has empty, `.` or `..` segments
    /// (which S3 would store literally and no directory could mirror).
    public init(parsing url: String) throws {
        let scheme = "s3://"
        guard url.lowercased().hasPrefix(scheme) else {
            throw CubeError(.invalidArgument, "not an S3 URL: it must start with s3://", context: url)
        }
        let rest = url.dropFirst(scheme.count)
        let bucket = String(rest.prefix { $0 != "/" })
        var prefix = Substring(rest.dropFirst(bucket.count))
        while prefix.hasPrefix("/") { prefix = prefix.dropFirst() }
        while prefix.hasSuffix("/") { prefix = prefix.dropLast() }
        try Self.checkBucket(bucket, url: url)
        if !prefix.isEmpty {
            _ = try StoreKeyCheck.segments(of: String(prefix), what: "prefix", context: url)
        }
        self.bucket = bucket
        self.prefix = String(prefix)
    }

    /// A location from parts already known to be valid (the bucket is still checked).
    public init(bucket: String, prefix: String = "") throws {
        let url = "s3://\(bucket)/\(prefix)"
        try Self.checkBucket(bucket, url: url)
        if !prefix.isEmpty {
            _ = try StoreKeyCheck.segments(of: prefix, what: "prefix", context: url)
        }
        self.bucket = bucket
        self.prefix = prefix
    }

    /// `s3://bucket/prefix` (or `s3://bucket` for the root).
    public var description: String { prefix.isEmpty ? "s3://\(bucket)" : "s3://\(bucket)/\(prefix)" }

    /// The object key of store key `key` (`prefix/key`, or `key` at the root).
    public func objectKey(_ key: String) -> String {
        if prefix.isEmpty { return key }
        if key.isEmpty { return prefix }
        return prefix + "/" + key
    }

    /// The object-key prefix that lists everything below store prefix `key`: `prefix/key/`,
    /// or `""` for the whole bucket.
    public func listingPrefix(under key: String) -> String {
        let base = objectKey(key)
        return base.isEmpty ? "" : base + "/"
    }

    /// S3's rules for general-purpose bucket names: 3 to 63 characters, lower-case letters,
    /// digits, `.` and `-`, starting and ending with a letter or digit, no `..`, and not
    /// shaped like an IP address.
    static func checkBucket(_ bucket: String, url: String) throws {
        func refuse(_ why: String) -> CubeError {
            CubeError(.invalidArgument, "bucket name '\(bucket)' refused: \(why)", context: url)
        }
        guard !bucket.isEmpty else { throw CubeError(.invalidArgument, "no bucket name after s3://", context: url) }
        guard (3...63).contains(bucket.utf8.count) else { throw refuse("it must be 3 to 63 characters long") }
        let allowed = bucket.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-")
        }
        guard allowed else { throw refuse("only lower-case letters, digits, '.' and '-' are allowed") }
        guard let first = bucket.first, let last = bucket.last,
              first.isLetter || first.isNumber, last.isLetter || last.isNumber
        else { throw refuse("it must start and end with a letter or digit") }
        guard !bucket.contains("..") else { throw refuse("it must not contain '..'") }
        let parts = bucket.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 4, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) {
            throw refuse("it must not look like an IP address")
        }
    }
}

/// Segment checks shared by store keys and S3 prefixes, with a caller-chosen context.
enum StoreKeyCheck {
    /// The `/`-separated segments of `path`, refusing empty, `.`, `..`, NUL and backslash.
    static func segments(of path: String, what: String, context: String) throws -> [Substring] {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        for part in parts where part.isEmpty || part == "." || part == ".." || part.contains("\0") || part.contains("\\") {
            throw CubeError(.invalidArgument, "\(what) '\(path)' refused: empty, '.' or '..' segments, NUL and backslash are not allowed", context: context)
        }
        return parts
    }
}
