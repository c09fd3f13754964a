import CubeCore
import CubeEngine
import Foundation

/// A progress bar with throughput and ETA on standard error, drawn only on a terminal.
final class TerminalProgress: ProgressSink, @unchecked Sendable {
    private let lock = NSLock()
    private let label: String
    private var total = 0
    private var done = 0
    private var started = Date()
    private var lastDraw = Date.distantPast

    /// A progress bar when standard error is a terminal and not `quiet`, else `nil`.
    static func make(label: String, quiet: Bool) -> TerminalProgress? {
        guard !quiet, isatty(STDERR_FILENO) == 1, Terminal.capture == nil else { return nil }
        return TerminalProgress(label: label)
    }

    private init(label: String) {
        self.label = label
    }

    func start(totalBytes: Int) {
        lock.withLock {
            total = totalBytes
            started = Date()
        }
    }

    func advance(bytes: Int) {
        lock.withLock {
            done += bytes
            let now = Date()
            guard now.timeIntervalSince(lastDraw) >= 0.1 else { return }
            lastDraw = now
            draw(now: now, final: false)
        }
    }

    func finish() {
        lock.withLock { draw(now: Date(), final: true) }
    }

    private func draw(now: Date, final: Bool) {
        let elapsed = max(now.timeIntervalSince(started), 1e-3)
        let fraction = total > 0 ? min(Double(done) / Double(total), 1) : 0
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "=", count: filled) + (filled < width ? ">" : "") + String(repeating: " ", count: max(0, width - filled - 1))
        let rate = Double(done) / elapsed
        let eta = rate > 0 && total > done ? Double(total - done) / rate : 0
        let line = String(format: "\r%@ [%@] %3d%% %@/%@ %@/s %@ %@", label, bar, Int(fraction * 100),
                          ByteCount.format(done), ByteCount.format(total), ByteCount.format(Int(rate)),
                          final ? "in" : "ETA", Self.clock(final ? elapsed : eta))
        FileHandle.standardError.write(Data((line + (final ? "\n" : "")).utf8))
    }

    private static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
