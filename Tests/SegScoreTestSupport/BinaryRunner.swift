import Foundation

/// Runs the built `segscore` binary, as a user would, and captures everything it printed.
package enum BinaryRunner {
    /// What one run of the binary left behind.
    package struct Output: Sendable {
        /// The exit status.
        package var status: Int32
        /// Everything written to standard output (empty when it went to a file).
        package var stdout: String
        /// Everything written to standard error.
        package var stderr: String
    }

    /// The `segscore` binary beside the test bundle (same build folder and configuration).
    package static var binary: URL {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var folder = executable.deletingLastPathComponent()
        while folder.path != "/" {
            let candidate = folder.appendingPathComponent("segscore")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return Fixtures.packageRoot.appendingPathComponent(".build/debug/segscore")
    }

    /// A process for `segscore arguments…`, not yet started: working directory the package root
    /// (so `Fixtures/…` arguments resolve), `NO_COLOR` set, `GITHUB_STEP_SUMMARY` removed (a test
    /// run on GitHub must not append to the job's summary), then `environment` applied.
    /// - Parameters:
    ///   - arguments: the command line after `segscore`.
    ///   - environment: variables to set on top (they may set `GITHUB_STEP_SUMMARY` again).
    /// - Returns: the configured process; the caller sets its streams and runs it.
    package static func process(_ arguments: [String], environment: [String: String] = [:]) -> Process {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = Fixtures.packageRoot
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        env["GITHUB_STEP_SUMMARY"] = nil
        for (key, value) in environment { env[key] = value }
        process.environment = env
        return process
    }

    /// Runs `segscore arguments…` to its end (see `process(_:environment:)` for its setting).
    /// - Parameters:
    ///   - arguments: the command line after `segscore`.
    ///   - environment: variables to set on top.
    ///   - stdoutPath: a file to send standard output to (e.g. `/dev/full`) instead of capturing it.
    /// - Returns: the exit status and what was printed.
    /// - Throws: when the binary cannot be started or `stdoutPath` cannot be opened.
    package static func run(
        _ arguments: [String], environment: [String: String] = [:], stdoutPath: String? = nil
    ) throws -> Output {
        let process = process(arguments, environment: environment)
        let err = Pipe()
        process.standardError = err
        if let stdoutPath {
            guard let sink = FileHandle(forWritingAtPath: stdoutPath) else { throw CocoaError(.fileWriteUnknown) }
            defer { try? sink.close() }
            process.standardOutput = sink
            try process.run()
            let errData = err.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return Output(status: process.terminationStatus, stdout: "", stderr: String(decoding: errData, as: UTF8.self))
        }
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        // Read both pipes to the end before waiting, so a large output cannot block the child.
        let errData = PipeReader.read(err.fileHandleForReading)
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData.wait(), as: UTF8.self))
    }
}

/// Reads a pipe to its end on a background thread.
final class PipeReader: @unchecked Sendable {
    // One writer (the block in `read`) before `done` is signalled; `wait` reads only after it.
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    static func read(_ handle: FileHandle) -> PipeReader {
        let reader = PipeReader()
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
