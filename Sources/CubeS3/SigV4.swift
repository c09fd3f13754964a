import Crypto
import Foundation

/// AWS Signature Version 4 for S3: canonical request, string to sign, signing key and the
/// `Authorization` header.
///
/// Written here rather than taken from a package because no maintained Swift S3 client
/// fits (see README, Dependencies). Only what S3 needs: header-based signing with the
/// payload's SHA-256 in `x-amz-content-sha256`. The secret is used to derive the signing
/// key and nothing else; no value built here that contains it is ever put in a message.
struct SigV4: Sendable {
    /// Who signs.
    let credentials: S3Credentials
    /// The region the request is for (part of the credential scope).
    let region: String
    /// The service in the credential scope: always `s3` here.
    let service = "s3"

    /// What a signature covers: method, encoded path, query, headers and payload hash.
    struct Request: Sendable {
        /// `GET`, `PUT`, …
        var method: String
        /// The URI path exactly as sent, already encoded (``SigV4/encodePath(_:)``).
        var encodedPath: String
        /// Query parameters, unencoded; an empty value is a bare parameter such as `delete`.
        var query: [(name: String, value: String)]
        /// Headers to sign (names in any case); must include `host`.
        var headers: [(name: String, value: String)]
        /// The hex SHA-256 of the body (also sent as `x-amz-content-sha256`).
        var payloadHash: String
    }

    /// The headers to add to `request` for signing it at `date`: `x-amz-date`,
    /// `x-amz-content-sha256`, `x-amz-security-token` for temporary keys, and `Authorization`.
    func signingHeaders(for request: Request, at date: Date) -> [(name: String, value: String)] {
        let stamp = Self.timestamp(date)
        var added: [(name: String, value: String)] = [("x-amz-date", stamp), ("x-amz-content-sha256", request.payloadHash)]
        if let token = credentials.sessionToken { added.append(("x-amz-security-token", token)) }
        var signed = request
        signed.headers += added
        added.append(("Authorization", authorization(for: signed, timestamp: stamp)))
        return added
    }

    /// The `Authorization` header value for a request whose headers already include
    /// `x-amz-date` (= `timestamp`) and `x-amz-content-sha256`.
    func authorization(for request: Request, timestamp: String) -> String {
        let scope = credentialScope(day: String(timestamp.prefix(8)))
        let (canonical, signedHeaders) = Self.canonicalRequest(request)
        let toSign = stringToSign(canonicalRequest: canonical, timestamp: timestamp, scope: scope)
        let key = signingKey(day: String(timestamp.prefix(8)))
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Data(toSign.utf8), using: key))
        return "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope),SignedHeaders=\(signedHeaders),Signature=\(signature)"
    }

    /// `DAY/REGION/s3/aws4_request`.
    func credentialScope(day: String) -> String { "\(day)/\(region)/\(service)/aws4_request" }

    /// The canonical request and its signed-headers list: method, path, sorted encoded
    /// query, lower-case sorted headers with trimmed values, signed header names, payload hash.
    static func canonicalRequest(_ request: Request) -> (text: String, signedHeaders: String) {
        let encoded: [(name: String, value: String)] = request.query.map { pair in
            (encode(pair.name, keepSlash: false), encode(pair.value, keepSlash: false))
        }
        let sorted = encoded.sorted { left, right in
            left.name == right.name ? left.value < right.value : left.name < right.name
        }
        let query = sorted.map { pair in pair.name + "=" + pair.value }.joined(separator: "&")
        var headers: [String: String] = [:]
        for (name, value) in request.headers {
            let key = name.lowercased()
            let trimmed = value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
            headers[key] = headers[key].map { "\($0),\(trimmed)" } ?? trimmed
        }
        let names = headers.keys.sorted()
        let canonicalHeaders = names.map { "\($0):\(headers[$0] ?? "")\n" }.joined()
        let signedHeaders = names.joined(separator: ";")
        let text = [request.method, request.encodedPath, query, canonicalHeaders, signedHeaders, request.payloadHash]
            .joined(separator: "\n")
        return (text, signedHeaders)
    }

    /// `AWS4-HMAC-SHA256`, the timestamp, the scope and the canonical request's hash.
    func stringToSign(canonicalRequest: String, timestamp: String, scope: String) -> String {
        ["AWS4-HMAC-SHA256", timestamp, scope, Self.sha256Hex(Array(canonicalRequest.utf8))].joined(separator: "\n")
    }

    /// The key derived from the secret for one day, region and service.
    func signingKey(day: String) -> SymmetricKey {
        let secret = SymmetricKey(data: Data("AWS4\(credentials.secretAccessKey)".utf8))
        let dateKey = HMAC<SHA256>.authenticationCode(for: Data(day.utf8), using: secret)
        let regionKey = HMAC<SHA256>.authenticationCode(for: Data(region.utf8), using: SymmetricKey(data: Data(dateKey)))
        let serviceKey = HMAC<SHA256>.authenticationCode(for: Data(service.utf8), using: SymmetricKey(data: Data(regionKey)))
        let signing = HMAC<SHA256>.authenticationCode(for: Data("aws4_request".utf8), using: SymmetricKey(data: Data(serviceKey)))
        return SymmetricKey(data: Data(signing))
    }

    /// `YYYYMMDDTHHMMSSZ` in UTC.
    static func timestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String { let v = value ?? 0; return v < 10 ? "0\(v)" : "\(v)" }
        return "\(parts.year ?? 1970)\(two(parts.month))\(two(parts.day))T\(two(parts.hour))\(two(parts.minute))\(two(parts.second))Z"
    }

    /// An object path encoded the way S3 signs it: each segment percent-encoded, `/` kept.
    static func encodePath(_ path: String) -> String { encode(path, keepSlash: true) }

    /// Percent-encodes every byte of the UTF-8 form except the unreserved `A-Z a-z 0-9 - _ . ~`
    /// (and `/` when `keepSlash`), with upper-case hex, as SigV4 requires.
    static func encode(_ text: String, keepSlash: Bool) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "/") where keepSlash:
                out.append("/")
            default:
                let digits = Array("0123456789ABCDEF")
                out.append("%")
                out.append(digits[Int(byte >> 4)])
                out.append(digits[Int(byte & 0x0F)])
            }
        }
        return out
    }

    /// The hex SHA-256 of `bytes`.
    static func sha256Hex(_ bytes: [UInt8]) -> String { hex(SHA256.hash(data: bytes)) }

    /// The SHA-256 of the empty body.
    static let emptyPayloadHash = sha256Hex([])

    /// Lower-case hex of a digest or MAC.
    static func hex<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        bytes.map { $0 < 16 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }
}
