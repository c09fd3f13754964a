import CubeCLI
import CubeEngine
import Foundation

/// Test tool: runs a cube command in this process and kills the process with SIGKILL right
/// after its Nth finished task, as `kill -9` would at that moment, so the resume tests can
/// interrupt a run at a chosen point without any hook in the tools themselves.
///
/// Usage: `crash-runner N cube-rechunk|cube-convert ARGUMENTS...`. Exits 2 on bad usage, 1 if the command
/// failed, 0 if it finished before its Nth task.

/// A progress sink that kills the process after a number of tasks.
final class KillAfterTasks: ProgressSink, @unchecked Sendable {
    private let lock = NSLock()
    private var remaining: Int

    init(_ tasks: Int) { remaining = tasks }

    func start(totalBytes: Int) {}
    func finish() {}

    func advance(bytes: Int) {
        lock.withLock {
            remaining -= 1
            if remaining <= 0 { kill(getpid(), SIGKILL) }
        }
    }
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count >= 2, let tasks = Int(arguments[0]), tasks > 0 else {
    FileHandle.standardError.write(Data("usage: crash-runner TASKS cube-rechunk|cube-convert ARGUMENTS...\n".utf8))
    exit(2)
}
do {
    switch arguments[1] {
    case "cube-rechunk":
        let command = try RechunkCommand.parse(Array(arguments.dropFirst(2)))
        _ = try Rechunker.run(try RechunkJobBuilder.build(command.rechunkOptions()), progress: KillAfterTasks(tasks))
    case "cube-convert":
        let command = try ConvertCommand.parse(Array(arguments.dropFirst(2)))
        _ = try Converter.convert(command.convertOptions(), progress: KillAfterTasks(tasks))
    default:
        FileHandle.standardError.write(Data("crash-runner: unknown command \(arguments[1])\n".utf8))
        exit(2)
    }
} catch {
    FileHandle.standardError.write(Data("crash-runner: \(error)\n".utf8))
    exit(1)
}
