import CubeS3
import CubeTestSupport
import Foundation

/// A moto S3 server on loopback, started by the tests (interop/s3_test_server.py) and
/// stopped when the test process ends (the script serves until its standard input closes).
final class S3TestServer: Sendable {
    /// `http://127.0.0.1:PORT`.
    let endpoint: URL
    /// The IAM key the server checks signatures against (empty for the anonymous server).
    let credentials: S3Credentials?
    /// The environment a child process (a built tool) needs to reach this server as its
    /// IAM user, as the AWS tools read it.
    let environment: [String: String]
    /// A bucket for the tests to write in.
    let bucket: String
    /// A bucket holding `hello.txt`.
    let publicBucket: String
    private let process: Process
    private let input: Pipe

    /// The Python of the S3 venv.
    static let python = PythonClients.path(".venv/s3/bin/python")

    /// Whether the server tests run: the venv exists, or CI demands them (so they fail loudly).
    static let enabled = PythonClients.installed(python) || PythonClients.required

    /// The signature-checking server, started on first use.
    static let signing = Result { try S3TestServer(anonymous: false) }
    /// The server that takes unsigned requests, started on first use.
    static let anonymous = Result { try S3TestServer(anonymous: true) }

    private init(anonymous: Bool) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.python)
        process.arguments = [PythonClients.path("interop/s3_test_server.py")] + (anonymous ? ["--anonymous"] : [])
        input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while true {
            let byte = output.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line += byte
        }
        guard let fields = try JSONSerialization.jsonObject(with: line) as? [String: String],
              let endpoint = fields["endpoint"].flatMap(URL.init(string:)),
              let key = fields["access_key_id"], let secret = fields["secret_access_key"],
              let bucket = fields["bucket"], let publicBucket = fields["public_bucket"]
        else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "the S3 test server did not start"])
        }
        self.endpoint = endpoint
        self.credentials = key.isEmpty ? nil : S3Credentials(accessKeyID: key, secretAccessKey: secret)
        self.environment = ["AWS_ENDPOINT_URL": endpoint.absoluteString, "AWS_REGION": "us-east-1",
                            "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent", "AWS_CONFIG_FILE": "/nonexistent"]
            .merging(key.isEmpty ? ["AWS_NO_SIGN_REQUEST": "true"] : ["AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret]) { $1 }
        self.bucket = bucket
        self.publicBucket = publicBucket
    }

    /// Settings reaching this server as its IAM user (or anonymously).
    var settings: S3Settings { S3Settings(region: "us-east-1", endpoint: endpoint, credentials: credentials) }

    /// A client of this server; small multipart sizes make multipart tests cheap.
    func client(credentials override: S3Credentials? = nil, multipartThreshold: Int = 64 << 20,
                retry: S3RetryPolicy = .standard) -> S3Client {
        var settings = self.settings
        if let override { settings.credentials = override }
        return S3Client(settings: settings, retry: retry, multipartThreshold: multipartThreshold, partSize: 5 << 20)
    }

    /// A store under a fresh, unique prefix of the test bucket (so it starts empty).
    func freshStore(client: S3Client? = nil) throws -> S3Store {
        try S3Store(client: client ?? self.client(), root: S3Location(bucket: bucket, prefix: "t-\(UUID().uuidString)"))
    }
}
