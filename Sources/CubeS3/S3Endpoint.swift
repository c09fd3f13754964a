import Foundation

/// The URL parts of a request to one bucket (and key): scheme and host, the `Host`
/// header, and the encoded path that is both sent and signed.
struct S3Endpoint: Sendable, Equatable {
    /// `scheme://host[:port]`, without a trailing `/`.
    let baseURL: String
    /// The `Host` header: host, and port when it is not the scheme's default.
    let host: String
    /// The request path, percent-encoded as SigV4 signs it (starts with `/`).
    let encodedPath: String

    /// The endpoint for `key` in `bucket` under `settings`: path style
    /// (`endpoint/bucket/key`) or virtual-hosted (`bucket.s3.region.amazonaws.com/key`).
    init(settings: S3Settings, bucket: String, key: String) {
        let scheme: String
        var hostName: String
        var port: Int?
        var basePath = ""
        if let endpoint = settings.endpoint {
            scheme = endpoint.scheme?.lowercased() ?? "https"
            hostName = endpoint.host ?? "localhost"
            port = endpoint.port
            basePath = endpoint.path.hasSuffix("/") ? String(endpoint.path.dropLast()) : endpoint.path
        } else {
            scheme = "https"
            hostName = "s3.\(settings.region).amazonaws.com"
        }
        let defaultPort = scheme == "https" ? 443 : 80
        let virtual = settings.addressing == .virtualHosted && !bucket.contains(".")
        if virtual { hostName = "\(bucket).\(hostName)" }
        let authority = port.map { $0 == defaultPort ? hostName : "\(hostName):\($0)" } ?? hostName
        baseURL = "\(scheme)://\(authority)"
        host = authority
        let objectPath = virtual ? "/\(key)" : (key.isEmpty ? "/\(bucket)" : "/\(bucket)/\(key)")
        encodedPath = SigV4.encodePath(basePath) + SigV4.encodePath(objectPath)
    }
}
