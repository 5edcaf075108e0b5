/// The parts of the report value that the pictures need: percentiles, the pooled confusion matrix
/// and the overlays of the worst images. Each is optional, and a report without them renders as
/// before.
extension EvaluationReportValue {
    /// Per-class percentiles over the images with a value (NaN skipped): linear interpolation as
    /// NumPy's default (`numpy.nanpercentile(values, q)`; index (n − 1)·q).
    public struct Percentiles: Sendable, Equatable {
        /// The 5th percentile.
        public var p5: Double
        /// The 25th percentile (first quartile).
        public var p25: Double
        /// The 75th percentile (third quartile).
        public var p75: Double
        /// The 95th percentile.
        public var p95: Double

        /// The four percentiles.
        public init(p5: Double, p25: Double, p75: Double, p95: Double) {
            self.p5 = p5
            self.p25 = p25
            self.p75 = p75
            self.p95 = p95
        }

        /// (name, value) in report order: p5, p25, p75, p95.
        public var named: [(String, Double)] { [("p5", p5), ("p25", p25), ("p75", p75), ("p95", p95)] }
    }

    /// The class × class pixel counts summed over every pair of label maps (ignore labels and
    /// region of interest applied): rows are ground truth, columns prediction.
    public struct Confusion: Sendable, Equatable {
        /// The row and column ids, in report order; nil for the last row and column when present:
        /// stored ids that are not scored (e.g. 0 outside `--classes`).
        public var ids: [Int?]
        /// Row-major counts, `ids.count`² of them.
        public var cells: [Int]

        /// A matrix over `ids`.
        /// - Precondition: `cells.count == ids.count * ids.count`.
        public init(ids: [Int?], cells: [Int]) {
            precondition(cells.count == ids.count * ids.count, "a square matrix over the ids")
            self.ids = ids
            self.cells = cells
        }

        /// The count of ground truth `ids[row]` predicted as `ids[column]`.
        public subscript(row: Int, column: Int) -> Int { cells[row * ids.count + column] }

        /// The JSON `confusion` object: `ids` (null for "not scored") and `matrix` (one array per row).
        public var json: JSONValue {
            let k = ids.count
            return .object([
                ("ids", .array(ids.map { $0.map { .int($0) } ?? .null })),
                ("matrix", .array((0..<k).map { r in .array((0..<k).map { .int(cells[r * k + $0]) }) })),
            ])
        }

        /// The `--confusion-csv` table: a row per ground-truth id, a column per predicted id
        /// (`other` for ids not scored); class names from `names`.
        public func csv(names: [Int: String]) -> Table {
            func label(_ id: Int?) -> String { id.map(String.init) ?? "other" }
            var table = Table(header: ["gt_id", "gt_name"] + ids.map { "pred_" + label($0) })
            for (r, id) in ids.enumerated() {
                let counts = (0..<ids.count).map { String(self[r, $0]) }
                table.append([label(id), id.flatMap { names[$0] } ?? "not scored"] + counts)
            }
            return table
        }
    }

    /// One overlay picture: an image's prediction over its ground truth for one class.
    public struct Overlay: Sendable {
        /// The class id.
        public var classID: Int
        /// 1 for the lowest value of the class, then 2, …
        public var rank: Int
        /// The image's pairing key.
        public var key: String
        /// The image's value for the class.
        public var value: Double
        /// The file name the overlay has in the overlays folder (safe characters only).
        public var fileName: String
        /// The slice shown (0-based), for volumes; nil for 2-D images.
        public var slice: Int?
        /// The PNG file's bytes; empty when it could not be drawn (`note` says why).
        public var png: [UInt8]
        /// Why there is no picture, or nil.
        public var note: String?

        /// An overlay; every field is given by the caller.
        public init(
            classID: Int, rank: Int, key: String, value: Double, fileName: String, slice: Int?, png: [UInt8], note: String?
        ) {
            self.classID = classID
            self.rank = rank
            self.key = key
            self.value = value
            self.fileName = fileName
            self.slice = slice
            self.png = png
            self.note = note
        }
    }

    /// The JSON members of a class's percentiles (none when they are not reported).
    static func percentileMembers(_ row: ClassRow) -> [(String, JSONValue)] {
        row.percentiles?.named.map { ($0, .number($1)) } ?? []
    }
}

extension EvaluationReportValue {
    /// Where the Markdown report finds an overlay: class, image key and the path relative to the
    /// Markdown file.
    public struct OverlayLink: Sendable, Equatable {
        /// The class id.
        public var classID: Int
        /// The image's pairing key.
        public var key: String
        /// The PNG file, relative to the Markdown report's folder.
        public var path: String

        /// A link.
        public init(classID: Int, key: String, path: String) {
            self.classID = classID
            self.key = key
            self.path = path
        }

        /// The Markdown link target: every byte but `A-Z a-z 0-9 - . _ ~ /` percent-encoded, so
        /// no name can end the link or add markup.
        public var target: String {
            var out = ""
            for byte in path.utf8 {
                let c = Character(Unicode.Scalar(byte))
                if byte < 0x80 && (c.isLetter || c.isNumber || "-._~/".contains(c)) {
                    out.append(c)
                } else {
                    out += "%" + String(byte, radix: 16, uppercase: true).leftPadded
                }
            }
            return out
        }
    }
}

extension String {
    /// Two hex digits.
    fileprivate var leftPadded: String { count == 1 ? "0" + self : self }
}
