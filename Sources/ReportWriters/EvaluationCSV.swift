/// The CSV reports of an evaluation (RFC 4180, CRLF): per image × class, and per class.
extension EvaluationReportValue {
    /// Streams the per-image CSV, one row per image × class with the value, the counts and every
    /// overlap metric, reading one image row at a time.
    public func writeCSV(to sink: some ReportSink) {
        Self.writeImageCSV(images, metricNames: metricNames, surfaceNames: surface?.metricNames ?? [], to: sink)
    }

    /// The per-image CSV of `rows` alone: what a second thread writes while the rest of the report
    /// (bootstrap, JSON) is computed, since the per-image rows need nothing else.
    public static func writeImageCSV(
        _ rows: ImageRows, metricNames: [String], surfaceNames: [String] = [], to sink: some ReportSink
    ) {
        var line: [UInt8] = []
        line.reserveCapacity(1024)
        func emit(_ row: [String]) {
            line.removeAll(keepingCapacity: true)
            CSV.appendRow(row, to: &line)
            sink.write(bytes: line)
        }
        emit(
            ["key", "gt", "pred", "class_id", "class_name", "dice", "tp", "fp", "fn", "tn"] + metricNames + surfaceNames
                + (surfaceNames.isEmpty ? [] : ["surface_undefined"]))
        for image in rows {
            for c in image.classes {
                emit(
                    [image.key, image.truthPath, image.predictionPath ?? "", String(c.id), c.name, NumberText.shortest(c.dice)]
                        + countCells(c.counts) + c.metrics.map(NumberText.shortest)
                        + surfaceCells(c, count: surfaceNames.count))
            }
        }
    }

    /// One row per class: the statistics over images and the pooled values.
    public var summaryCSV: Table {
        // p5, p25, p75, p95 last (added after the other columns, which keep their places).
        let percentiles = classes.contains { $0.percentiles != nil }
        let none = Percentiles(p5: .nan, p25: .nan, p75: .nan, p95: .nan)
        var table = Table(
            header: [
                "class_id", "class_name", "mean", "median", "std", "min", "max", "n", "n_nan", "pooled",
                "pooled_tp", "pooled_fp", "pooled_fn", "pooled_tn",
            ]
                + metricNames.map { "pooled_" + $0 } + (percentiles ? none.named.map(\.0) : [])
                + (surface?.metricNames.map { $0 + "_mean" } ?? []))
        let n = NumberText.shortest
        for c in classes {
            table.append(
                [
                    String(c.id), c.name, n(c.mean), n(c.median), n(c.std), n(c.min), n(c.max), String(c.n), String(c.nNaN),
                    n(c.pooled),
                ]
                    + Self.countCells(c.pooledCounts) + c.pooledMetrics.map(n)
                    + (percentiles ? (c.percentiles ?? none).named.map { n($0.1) } : []) + surfaceMeanCells(c.id))
        }
        return table
    }

    /// tp, fp, fn, tn as CSV cells: integers, or masses in shortest form.
    static func countCells(_ counts: Counts) -> [String] {
        switch counts {
        case .integers(let tp, let fp, let fn, let tn): return [String(tp), String(fp), String(fn), String(tn)]
        case .masses(let tp, let fp, let fn, let tn): return [tp, fp, fn, tn].map(NumberText.shortest)
        }
    }
}
