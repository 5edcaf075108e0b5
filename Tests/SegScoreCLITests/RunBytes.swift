import Foundation
import SegScoreTestSupport

/// What a byte-identical comparison of two runs compares: the exit status, stdout, stderr and
/// the named report files of one `segscore` run, with the run's folder written as `DIR`.
enum RunBytes {
    /// Runs the binary with `arguments` and `environment` and collects `outputs` (files in `folder`).
    static func collect(
        _ arguments: [String], environment: [String: String], folder: TemporaryFolder, outputs: [String]
    ) throws -> [String: Data] {
        let result = try BinaryRunner.run(arguments, environment: environment)
        var bytes: [String: Data] = [
            "status": Data("\(result.status)".utf8),
            "stdout": Data(result.stdout.replacingOccurrences(of: folder.path, with: "DIR").utf8),
            "stderr": Data(result.stderr.replacingOccurrences(of: folder.path, with: "DIR").utf8),
        ]
        for name in outputs {
            let text = try String(contentsOfFile: folder.path(name), encoding: .utf8)
            bytes[name] = Data(text.replacingOccurrences(of: folder.path, with: "DIR").utf8)
        }
        return bytes
    }
}
