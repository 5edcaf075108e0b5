import ArgumentParser
import MaskIO
import ReportWriters
import SegScore

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what is inside mask files: encoding, size, pages, channels and values.",
        discussion: """
            The values are the ones stored in the file: palette indices (not colours), 16-bit \
            labels, 0/255 binary masks as 0 and 255. Formats are recognised by content, not \
            by extension.

            Examples:
              segscore inspect gt/01_manual1.png
              segscore inspect --json masks/*.tif | jq .values

            With --json, one JSON object per file and per line (path, format, width, height, \
            pages, channels, bit_depth, sample, color, min, max, distinct, values, …); a file \
            that cannot be read gives {"path": …, "error": …}. Exit code 3 when any file \
            could not be read.
            """
    )

    @Argument(help: "PNG, TIFF or NIfTI (.nii, .nii.gz) files to inspect.")
    var files: [String]

    @Flag(help: "Print one JSON object per file and per line.")
    var json = false

    @Option(help: "Refuse files declaring more than this many samples (width·height·pages·channels).")
    var maxSamples: UInt64 = MaskDecoder.defaultMaxSamples

    @Option(help: ArgumentHelp(MemoryLimit.helpText, valueName: "size"))
    var maxMemory: String?

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one file") }
        _ = try MemoryLimit.option(maxMemory)
    }

    func run() throws {
        let results = inspect(
            paths: files, decoder: MaskDecoder(maxSamples: maxSamples), memory: try MemoryLimit.option(maxMemory))
        var failed = false
        for result in results {
            switch result {
            case .success(let inspection):
                try Terminal.output(json ? inspection.facts.json.rendered(indent: 0) : inspection.facts.text)
            case .failure(let error):
                failed = true
                Terminal.error(error.description)
                if json {
                    try Terminal.output(InspectionFacts.failureJSON(path: error.path, reason: error.reason).rendered(indent: 0))
                }
            }
        }
        if failed { throw ExitCode(status: .dataProblem) }
    }
}

extension MemoryLimit {
    /// The `--max-memory` help of `evaluate`, `explain` and `inspect`.
    static let helpText =
        "Memory the decoded masks in flight may hold: 512M, 4G, 1.5G (powers of 1024) or bytes (default: half of "
        + "the memory, or of the cgroup limit). A file or pair needing more alone is an error; others wait their turn."

    /// `--max-memory`'s value, or the machine default when it is absent.
    /// - Throws: `ValidationError` (exit 2) for zero or a malformed size.
    static func option(_ text: String?) throws -> MemoryLimit {
        guard let text else { return .machineDefault }
        guard let limit = MemoryLimit(parsing: text) else {
            throw ValidationError("--max-memory takes a size above zero: 512M, 4G, 1.5G or a number of bytes, not '\(text)'")
        }
        return limit
    }
}
