import Foundation

/// Runs the built `segscore` binary, as a user would, and captures everything it printed.
struct BinaryRunner {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The package root, from this file's location.
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The `segscore` binary beside the test bundle (same build folder and configuration).
    static var binary: URL {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var folder = executable.deletingLastPathComponent()
        while folder.path != "/" {
            let candidate = folder.appendingPathComponent("segscore")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return packageRoot.appendingPathComponent(".build/debug/segscore")
    }

    static func fixture(_ relative: String) -> String {
        packageRoot.appendingPathComponent("Fixtures").appendingPathComponent(relative).path
    }

    /// `../shared/data/real` beside the project: real data that may not be redistributed (DRIVE,
    /// CamVid, VOC), present on the developers' machines only. Its tests are skipped when it is absent.
    static func shared(_ relative: String) -> String {
        packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data/real")
            .appendingPathComponent(relative).path
    }

    /// Whether the data set `name` (a folder of `../shared/data/real`) is beside the project.
    static func hasShared(_ name: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: shared(name), isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// Runs `segscore arguments…` from the package root with NO_COLOR set.
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Output {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = packageRoot
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes to the end before waiting, so a large output cannot block the child.
        let errData = DispatchQueueReader.read(err.fileHandleForReading)
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData.wait(), as: UTF8.self))
    }
}

/// Reads a pipe on a background thread.
final class DispatchQueueReader: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    static func read(_ handle: FileHandle) -> DispatchQueueReader {
        let reader = DispatchQueueReader()
        // One writer (this block) before `done` is signalled; `wait` reads only after it.
        DispatchQueue.global().async {
            reader.data = handle.readDataToEndOfFile()
            reader.done.signal()
        }
        return reader
    }

    func wait() -> Data {
        done.wait()
        return data
    }
}
