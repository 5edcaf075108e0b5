import Foundation
import ReportWriters
import SegScore

extension RunReports {
    /// Writes the pictures asked for into the run's report batch: the overlays (`--overlays`), the
    /// HTML page (`--html`, overlays embedded) and the confusion CSV (`--confusion-csv`).
    /// - Parameter write: stages one report in the batch (nothing when an earlier one failed).
    /// - Returns: the Markdown report's links to the overlays, by (class id, key): paths relative
    ///   to the Markdown file's folder; empty without `--overlays`.
    static func writePictures(
        result: EvaluationResult, report: EvaluationReport, output: OutputOptions, commandLine: [String],
        write: (String?, (ReportFile.Sink) -> Void) -> Void
    ) -> [EvaluationReportValue.OverlayLink] {
        let wantOverlays = output.html != nil || output.overlays != nil
        let overlays = wantOverlays ? Overlays.render(result: result, worst: output.worst) : []
        var links: [EvaluationReportValue.OverlayLink] = []
        if let folder = output.overlays {
            try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
            for overlay in overlays where !overlay.png.isEmpty {
                write((folder as NSString).appendingPathComponent(overlay.fileName)) { $0.write(bytes: overlay.png) }
                let base = output.markdown.flatMap { $0 == "-" ? nil : $0 } ?? "./report.md"
                links.append(
                    .init(
                        classID: overlay.classID, key: overlay.key,
                        path: Self.relativePath(
                            of: (folder as NSString).appendingPathComponent(overlay.fileName), from: base)))
            }
        }
        // One line for pictures that could not be drawn (channel data gives one per class and image).
        let undrawn = overlays.filter { $0.note != nil }
        if let first = undrawn.first {
            let more = undrawn.count > 1 ? " (and \(undrawn.count - 1) more pictures not drawn)" : ""
            Terminal.warning("\(first.key): \(first.note ?? "")\(more)")
        }
        if let html = output.html {
            let folder = output.overlays.map { Self.relativePath(of: $0, from: html == "-" ? "./report.html" : html) }
            let extras = EvaluationReportValue.HTMLExtras(
                generated: Self.generatedDate(), commandLine: commandLine,
                overlays: overlays, overlayFolder: folder)
            write(html) { report.value.writeHTML(to: $0, extras: extras) }
        }
        if let path = output.confusionCsv {
            let names = Dictionary(report.value.classes.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
            if let confusion = report.value.confusion {
                write(path) { $0.write(confusion.csv(names: names).renderedCSV()) }
            } else {
                Terminal.warning(
                    "--confusion-csv \(path): no confusion matrix (it is counted for label maps of at most 256 ids, not for channel data or region labels); the file has its header alone"
                )
                write(path) { $0.write(Table(header: ["gt_id", "gt_name"]).renderedCSV()) }
            }
        }
        return links
    }

    /// Before any work: `--overlays` names a folder, or a path whose parent folder exists.
    /// - Throws: `ReportFile.WriteError` (exit 2, one line).
    static func checkOverlayFolder(_ output: OutputOptions) throws {
        guard let folder = output.overlays else { return }
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) {
            guard isFolder.boolValue else {
                throw ReportFile.WriteError(path: folder, reason: "--overlays names a file, not a folder")
            }
            return
        }
        let parent = (folder as NSString).deletingLastPathComponent
        guard parent.isEmpty || FileManager.default.fileExists(atPath: parent, isDirectory: &isFolder),
            isFolder.boolValue || parent.isEmpty
        else {
            throw ReportFile.WriteError(path: folder, reason: "folder \(parent) does not exist (--overlays)")
        }
    }

    /// `target` as a path relative to the folder of the file `file` (both made absolute first).
    static func relativePath(of target: String, from file: String) -> String {
        let cwd = FileManager.default.currentDirectoryPath
        func parts(_ path: String) -> [String] {
            let absolute = path.hasPrefix("/") ? path : cwd + "/" + path
            return URL(fileURLWithPath: absolute).standardized.pathComponents.filter { $0 != "/" }
        }
        let to = parts(target)
        let from = parts(file).dropLast()
        var common = 0
        while common < min(to.count, from.count) && to[common] == from[common] { common += 1 }
        let up = Array(repeating: "..", count: from.count - common)
        let rest = up + to[common...]
        return rest.isEmpty ? "." : rest.joined(separator: "/")
    }
}
