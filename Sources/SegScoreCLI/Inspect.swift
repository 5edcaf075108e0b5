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

    @Argument(help: "PNG or TIFF files to inspect.")
    var files: [String]

    @Flag(help: "Print one JSON object per file and per line.")
    var json = false

    @Option(help: "Refuse files declaring more than this many samples (width·height·pages·channels).")
    var maxSamples: UInt64 = MaskDecoder.defaultMaxSamples

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one file") }
    }

    func run() throws {
        let results = inspect(paths: files, decoder: MaskDecoder(maxSamples: maxSamples))
        var failed = false
        for result in results {
            switch result {
            case .success(let inspection):
                try Terminal.output(json ? inspection.json.rendered(indent: 0) : inspection.text)
            case .failure(let error):
                failed = true
                Terminal.error(error.description)
                if json {
                    try Terminal.output(
                        JSONValue.object([("path", .string(error.path)), ("error", .string(error.reason))])
                            .rendered(indent: 0))
                }
            }
        }
        if failed { throw ExitCode(status: .dataProblem) }
    }
}
