/// An AWS access key: the key id, its secret, and a session token for temporary keys.
///
/// The secret and the token never appear in a description, a debug description or a
/// mirror, so printing settings, a client or an error can never leak them.
public struct S3Credentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The access key id (`AKIA…`, `ASIA…` for temporary keys); not a secret.
    public let accessKeyID: String
    /// The secret access key, used only to derive signing keys.
    let secretAccessKey: String
    /// The session token of temporary credentials, sent as `x-amz-security-token`.
    let sessionToken: String?

    /// Credentials from a key id, its secret and, for temporary keys, a session token.
    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    /// Whether the credentials are temporary (they carry a session token).
    public var isTemporary: Bool { sessionToken != nil }

    /// `access key AKIA… (secret hidden)`.
    public var description: String {
        "access key \(accessKeyID)\(isTemporary ? " with session token" : "") (secret hidden)"
    }

    /// The same as ``description``: the secret stays hidden.
    public var debugDescription: String { description }

    /// A mirror showing only the key id, so `dump` hides the secret too.
    public var customMirror: Mirror {
        Mirror(self, children: ["accessKeyID": accessKeyID, "isTemporary": isTemporary])
    }
}
