import Foundation

/// The HTML report: one self-contained page (inline style, script and SVG; nothing fetched).
extension EvaluationReportValue {
    /// What the HTML page shows besides the report value.
    public struct HTMLExtras: Sendable {
        /// The date line (ISO 8601), given by the caller so tests can fix it.
        public var generated: String
        /// The exact command, shown at the end.
        public var commandLine: [String]
        /// The overlays of the worst images (embedded as data URIs within `embedBytes`).
        public var overlays: [Overlay]
        /// The overlays folder as the page reaches it (relative), when the files were written: an
        /// overlay past the embedding budget links there.
        public var overlayFolder: String?
        /// Bytes of embedded pictures at most (base64 counted).
        public var embedBytes: Int

        /// The extras; overlays and folder optional.
        public init(
            generated: String, commandLine: [String], overlays: [Overlay] = [], overlayFolder: String? = nil,
            embedBytes: Int = 12_000_000
        ) {
            self.generated = generated
            self.commandLine = commandLine
            self.overlays = overlays
            self.overlayFolder = overlayFolder
            self.embedBytes = embedBytes
        }
    }

    /// Classes drawn as distributions; classes in the per-class table; classes in the per-image
    /// table; ids in the confusion heat map; files per list. Past these the page says how many
    /// more there are (the JSON and CSV reports have everything).
    static let htmlLimits = (plots: 200, classRows: 5_000, imageColumns: 16, heatIDs: 60, listItems: 1_000)

    /// Streams the HTML report, in order: verdict (gates), headline, definition, distributions,
    /// per-class table, per-image table (paged), worst images with overlays, confusion heat map,
    /// unmatched and failed files, command line. Every name is escaped (`HTMLText`).
    public func writeHTML(to sink: some ReportSink, extras: HTMLExtras) {
        let e = HTMLText.escape
        sink.write(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                + "<title>segscore report</title><style>\n\(HTMLAssets.style)\n</style></head><body>\n")
        sink.write("<h1>segscore report</h1>\n")
        let passed = exitStatus == 0
        sink.write(
            "<div class=\"verdict \(passed ? "pass" : "fail")\" id=\"verdict\"><b>\(passed ? "passed" : "failed")</b> (exit \(exitStatus)): "
                + e(verdictWords) + "</div>\n")
        sink.write("<p class=\"note\">segscore \(e(toolVersion)) · \(e(extras.generated))</p>\n")
        if !gates.isEmpty {
            sink.write("<h2>Gates</h2>\n<table><tr><th></th><th>gate</th><th>value</th><th>detail</th></tr>\n")
            for gate in gates.filter({ !$0.passed }) + gates.filter(\.passed) {
                sink.write(
                    "<tr><td>\(gate.passed ? "pass" : "<b>fail</b>")</td><td>\(e(gate.name))</td><td class=\"n\">\(NumberText.fixed(gate.value))</td><td>\(e(gate.message))</td></tr>\n"
                )
            }
            sink.write("</table>\n")
        }
        writeHeadline(to: sink)
        writeDefinition(to: sink)
        writeDistributions(to: sink)
        writeClassTable(to: sink)
        writeImageTable(to: sink)
        writeWorst(to: sink, extras: extras)
        writeConfusion(to: sink)
        writeFiles(to: sink)
        sink.write(
            "<h2>Command</h2>\n<pre class=\"mono\">\(e(extras.commandLine.map(ShellText.quote).joined(separator: " ")))</pre>\n")
        sink.write("<script>\n\(HTMLAssets.script)\n</script>\n</body></html>\n")
    }

    /// The verdict in words, shared by the Markdown and HTML reports: data problems, gates, and
    /// whether every pair was scored.
    var verdictWords: String {
        let failed = gates.filter { !$0.passed }.count
        let grouped = NumberText.grouped
        var parts: [String] = []
        if !errors.isEmpty { parts.append("\(grouped(errors.count)) data problem\(errors.count == 1 ? "" : "s")") }
        if gates.isEmpty {
            parts.append("no gates")
        } else if failed > 0 {
            parts.append("\(grouped(failed)) of \(grouped(gates.count)) gate\(gates.count == 1 ? "" : "s") failed")
        } else {
            parts.append(gates.count == 1 ? "the gate passed" : "all \(grouped(gates.count)) gates passed")
        }
        if errors.isEmpty { parts.append("every pair scored") }
        return parts.joined(separator: "; ")
    }

    private func interval(_ interval: Interval?) -> String {
        interval.map { "[\(NumberText.fixed($0.lower)), \(NumberText.fixed($0.upper))]" } ?? "—"
    }

    private func writeHeadline(to sink: some ReportSink) {
        let e = HTMLText.escape
        let resampled = aggregate.resamples > 0
        sink.write("<h2>Headline</h2>\n<table><tr><th>statistic</th><th>value</th><th>95% CI</th></tr>\n")
        sink.write(
            "<tr><td>mean of class means</td><td class=\"n\" id=\"headline\">\(NumberText.fixed(aggregate.mean))</td><td>\(resampled ? interval(aggregate.interval) : "—")</td></tr>\n"
        )
        sink.write(
            "<tr><td>pooled (counts summed over images)</td><td class=\"n\">\(NumberText.fixed(aggregate.pooled))</td><td>—</td></tr>\n"
        )
        if let library = aggregate.library {
            sink.write(
                "<tr><td>\(e(library.variant)) \(e(library.name))</td><td class=\"n\">\(NumberText.fixed(library.value))</td><td>—</td></tr>\n"
            )
        }
        sink.write("</table>\n")
        let names = zip(aggregate.classNames, aggregate.classIDs).prefix(50).map { "\(e($0)) (\($1))" }
        let more = aggregate.classIDs.count - names.count
        sink.write(
            "<p>Headline classes: \(names.isEmpty ? "none (" + e(Self.noHeadline) + ")" : names.joined(separator: ", "))\(more > 0 ? " and \(more) more" : "").</p>\n"
        )
        sink.write(
            "<p>\(NumberText.grouped(inputs.pairs)) pairs scored from <code>\(e(inputs.truthFolder))</code> and <code>\(e(inputs.predictionFolder))</code>; \(NumberText.grouped(failedPairs)) failed.</p>\n"
        )
    }

    private func writeDefinition(to sink: some ReportSink) {
        let e = HTMLText.escape
        let d = definition
        var items = [
            "variant <code>\(e(d.variant))</code>: <code>\(e(d.formula))</code>", "empty rule (0/0): <code>\(e(d.empty))</code>",
            "smoothing: numerator \(e(d.smoothNumerator.map(NumberText.shortest).joined(separator: ","))), denominator \(e(d.smoothDenominator.map(NumberText.shortest).joined(separator: ",")))",
            "background (id 0): \(d.backgroundInHeadline ? "in" : "out of") the headline",
            "ignore labels: \(d.ignoreLabels.isEmpty ? "none" : d.ignoreLabels.map(String.init).joined(separator: ", "))",
            "encoding asked: ground truth <code>\(e(d.truthEncoding))</code>, predictions <code>\(e(d.predictionEncoding))</code>; missing predictions: <code>\(e(d.missing))</code>",
            "std: population standard deviation (ddof = 0); percentiles: linear interpolation between the sorted values (NumPy's default), NaN left out",
        ]
        if let reproduces = d.reproduces { items.insert("reproduces \(e(reproduces))", at: 1) }
        if let binarization = d.binarization {
            items.append(
                "probability maps binarised by <code>\(e(binarization))</code>, threshold \(e(d.thresholds.map(NumberText.shortest).joined(separator: ",")))"
            )
        }
        sink.write("<h2>Definition</h2>\n<ul>\n" + items.map { "<li>\($0)</li>\n" }.joined() + "</ul>\n")
        sink.write("<h3>Encodings detected</h3>\n<table><tr><th>ground truth</th><th>prediction</th><th>pairs</th></tr>\n")
        for encoding in inputs.encodings {
            sink.write(
                "<tr><td>\(e(encoding.truth))</td><td>\(e(encoding.prediction))</td><td class=\"n\">\(NumberText.grouped(encoding.pairs))</td></tr>\n"
            )
        }
        sink.write("</table>\n")
    }

    private func writeDistributions(to sink: some ReportSink) {
        let e = HTMLText.escape
        sink.write("<h2>Distributions</h2>\n<p class=\"note\">Per class: a histogram of the image values (20 bins), ")
        sink.write("the box p25–p75 with the median, whiskers p5–p95, dots at min and max.</p>\n")
        let width = classValueStride
        let rows = width == 0 ? 0 : classValues.count / width
        for (position, c) in classes.enumerated().prefix(Self.htmlLimits.plots) {
            let values = position < width ? (0..<rows).map { classValues[$0 * width + position] } : []
            sink.write(
                "<div class=\"dist\"><div class=\"label\" title=\"\(e(c.name))\">\(e(c.name)) (\(c.id))</div>"
                    + HTMLAssets.distribution(values: values, row: c)
                    + "<div>n = \(NumberText.grouped(c.n)), NaN = \(NumberText.grouped(c.nNaN))</div></div>\n")
        }
        if classes.count > Self.htmlLimits.plots {
            sink.write(
                "<p>… and \(NumberText.grouped(classes.count - Self.htmlLimits.plots)) more classes (see the table).</p>\n")
        }
    }

    private func writeClassTable(to sink: some ReportSink) {
        let e = HTMLText.escape
        let f = NumberText.fixed
        sink.write("<h2>Per class</h2>\n<table><tr><th>class</th><th>id</th><th>mean</th><th>std</th><th>median</th>")
        sink.write(
            "<th>p5</th><th>p25</th><th>p75</th><th>p95</th><th>min</th><th>max</th><th>pooled</th><th>n</th><th>NaN</th><th>95% CI</th></tr>\n"
        )
        for c in classes.prefix(Self.htmlLimits.classRows) {
            let p = c.percentiles
            let cells = [
                c.mean, c.std, c.median, p?.p5 ?? .nan, p?.p25 ?? .nan, p?.p75 ?? .nan, p?.p95 ?? .nan, c.min, c.max, c.pooled,
            ]
            sink.write(
                "<tr><td>\(e(c.name))</td><td class=\"n\">\(c.id)</td>" + cells.map { "<td class=\"n\">\(f($0))</td>" }.joined()
                    + "<td class=\"n\">\(c.n)</td><td class=\"n\">\(c.nNaN)</td><td>\(aggregate.resamples > 0 ? interval(c.interval) : "—")</td></tr>\n"
            )
        }
        sink.write("</table>\n")
        if classes.count > Self.htmlLimits.classRows {
            sink.write(
                "<p>… and \(NumberText.grouped(classes.count - Self.htmlLimits.classRows)) more classes; see the JSON report.</p>\n"
            )
        }
    }

    private func writeImageTable(to sink: some ReportSink) {
        let e = HTMLText.escape
        let width = classValueStride
        let shown = Array(classes.prefix(min(width, Self.htmlLimits.imageColumns)).enumerated())
        sink.write("<h2>Per image</h2>\n<p><input id=\"filter\" placeholder=\"filter by key\"> <span id=\"pager\">")
        sink.write("<button id=\"previous\" type=\"button\">previous</button><button id=\"next\" type=\"button\">next</button>")
        sink.write("<span id=\"pager-status\"></span></span></p>\n<table id=\"images\"><thead><tr><th>key</th>")
        for (_, c) in shown { sink.write("<th>\(e(c.name))</th>") }
        sink.write("</tr></thead><tbody></tbody></table>\n")
        if width > shown.count {
            sink.write("<p class=\"note\">The first \(shown.count) classes of \(width); the per-image CSV has them all.</p>\n")
        }
        sink.write("<script type=\"application/json\" id=\"image-data\">{\"rows\":[")
        let rows = width == 0 ? 0 : min(images.count, classValues.count / width)
        for row in 0..<rows {
            var line = (row == 0 ? "" : ",") + "[" + HTMLText.scriptJSON(DisplayText.visible(images.key(at: row)))
            for (position, _) in shown { line += "," + HTMLText.number(classValues[row * width + position]) }
            sink.write(line + "]")
        }
        sink.write("]}</script>\n")
    }

    private func writeWorst(to sink: some ReportSink, extras: HTMLExtras) {
        let e = HTMLText.escape
        sink.write("<h2>Worst images</h2>\n")
        guard !extras.overlays.isEmpty else {
            sink.write("<p class=\"note\">No overlays (none asked for, or no headline class with a value).</p>\n")
            return
        }
        sink.write("<p class=\"legend\">Per headline class, the images with the lowest values:")
        for (name, rgb) in [
            ("true positive", "#009E73"), ("false positive", "#D55E00"), ("false negative", "#56B4E9"), ("background", "#5A5A5A"),
            ("left out (ignore label, outside the region of interest)", "#000000"),
        ] {
            sink.write("<span style=\"background:\(rgb)\"></span>\(name)")
        }
        sink.write("</p>\n")
        var budget = extras.embedBytes
        var currentClass: Int?
        for overlay in extras.overlays {
            if overlay.classID != currentClass {
                if currentClass != nil { sink.write("</div>\n") }
                currentClass = overlay.classID
                let name = classes.first { $0.id == overlay.classID }?.name ?? String(overlay.classID)
                sink.write("<h3>\(e(name)) (\(overlay.classID))</h3>\n<div class=\"worst\">\n")
            }
            var picture: String
            let encodedSize = (overlay.png.count + 2) / 3 * 4
            if !overlay.png.isEmpty && encodedSize <= budget {
                budget -= encodedSize
                picture = "<img alt=\"overlay\" src=\"data:image/png;base64,\(Data(overlay.png).base64EncodedString())\">"
            } else if !overlay.png.isEmpty, let folder = extras.overlayFolder {
                let path = (folder.hasSuffix("/") ? folder : folder + "/") + overlay.fileName
                let href = path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? overlay.fileName
                picture = "<img alt=\"overlay\" src=\"\(e(href))\">"
            } else {
                picture = "<p class=\"note\">\(e(overlay.note ?? "picture left out to keep the page small; see --overlays"))</p>"
            }
            let slice = overlay.slice.map { " · slice \($0)" } ?? ""
            sink.write(
                "<figure>\(picture)<figcaption>\(overlay.rank). <span class=\"mono\">\(e(overlay.key))</span> · \(NumberText.fixed(overlay.value))\(slice)</figcaption></figure>\n"
            )
        }
        sink.write("</div>\n")
    }

    private func writeConfusion(to sink: some ReportSink) {
        let e = HTMLText.escape
        sink.write("<h2>Confusion matrix</h2>\n")
        guard let confusion else {
            sink.write(
                "<p class=\"note\">No confusion matrix: it is counted for label maps (channel data, region labels and pairs with more than 256 ids have none).</p>\n"
            )
            return
        }
        let k = confusion.ids.count
        guard k <= Self.htmlLimits.heatIDs else {
            sink.write("<p>\(k) ids: too many to draw; see the JSON report or --confusion-csv.</p>\n")
            return
        }
        let names = Dictionary(classes.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        func label(_ id: Int?) -> String { id.map { "\(e(names[$0] ?? String($0))) (\($0))" } ?? "not scored" }
        sink.write(
            "<p class=\"note\">Pixels summed over every pair; rows are ground truth, columns prediction; colour: share of the row.</p>\n"
        )
        sink.write(
            "<table class=\"heat\"><tr><th>ground truth \\ prediction</th>"
                + confusion.ids.map { "<th>\(label($0))</th>" }.joined() + "</tr>\n")
        for r in 0..<k {
            let total = (0..<k).reduce(0) { $0 + confusion[r, $1] }
            var line = "<tr><th>\(label(confusion.ids[r]))</th>"
            for c in 0..<k {
                let count = confusion[r, c]
                let share = total > 0 ? Double(count) / Double(total) : 0
                line +=
                    "<td style=\"background:\(HTMLAssets.heat(share))\" title=\"\(NumberText.grouped(count)) pixels\">\(NumberText.grouped(count))</td>"
            }
            sink.write(line + "</tr>\n")
        }
        sink.write("</table>\n")
    }

    private func writeFiles(to sink: some ReportSink) {
        let e = HTMLText.escape
        sink.write("<h2>Unmatched and failed files</h2>\n")
        let lists: [(String, [String])] = [
            ("ground truth without prediction", inputs.unmatchedTruth),
            ("predictions without ground truth (not scored)", inputs.unmatchedPredictions),
            ("errors", errors.map { "\($0.path): \($0.message)" }), ("warnings", warnings),
        ]
        var any = false
        for (title, items) in lists where !items.isEmpty {
            any = true
            sink.write("<details open><summary>\(NumberText.grouped(items.count)) \(title)</summary><ul>\n")
            for item in items.prefix(Self.htmlLimits.listItems) { sink.write("<li class=\"mono\">\(e(item))</li>\n") }
            if items.count > Self.htmlLimits.listItems {
                sink.write(
                    "<li>… and \(NumberText.grouped(items.count - Self.htmlLimits.listItems)) more; see the JSON report</li>\n")
            }
            sink.write("</ul></details>\n")
        }
        if !any { sink.write("<p>None: every file was paired and scored.</p>\n") }
    }
}
