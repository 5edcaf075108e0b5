import ReportWriters
import SegMetrics

extension EvaluationReport {
    /// Fills what the pictures and the additive JSON fields need: each class's p5, p25, p75, p95
    /// over its image values (NaN skipped, NumPy's linear rule) and the pooled confusion matrix.
    static func addPercentilesAndConfusion(to value: inout EvaluationReportValue, result: EvaluationResult) {
        let width = result.classIDs.count
        let rows = width == 0 ? 0 : result.classValues.count / width
        let quantiles = Percentile.reported.map(\.q)
        for index in value.classes.indices where index < width {
            let column = (0..<rows).lazy.map { result.classValues[$0 * width + index] }
            let p = Percentile.values(of: column, at: quantiles)
            value.classes[index].percentiles = .init(p5: p[0], p25: p[1], p75: p[2], p95: p[3])
        }
        if let matrix = result.confusion.matrix(classIDs: result.classIDs) {
            value.confusion = .init(ids: matrix.ids, cells: matrix.cells)
        }
    }
}
