import ReportWriters
import Testing

/// The evaluation reports rendered from a value built by hand: no pipeline, no files. Expected
/// texts are written out by hand from the value below.
@Suite struct EvaluationReportValueTests {
    typealias V = EvaluationReportValue

    static let rowA = V.ImageRow(
        key: "a", truthPath: "gt/a.png", predictionPath: "pred/a.png", mean: 0.75, generalized: nil,
        classes: [V.ImageClass(id: 1, name: "liver", dice: 0.75, counts: .integers(tp: 3, fp: 1, fn: 1, tn: 95), metrics: [0.6])])
    static let rowB = V.ImageRow(
        key: "b", truthPath: "gt/b.png", predictionPath: nil, mean: .nan, generalized: nil,
        classes: [
            V.ImageClass(id: 1, name: "liver", dice: .nan, counts: .integers(tp: 0, fp: 0, fn: 0, tn: 100), metrics: [.nan])
        ])

    static func value(images: V.ImageRows = V.ImageRows([rowA, rowB])) -> V {
        V(
            toolVersion: "9.9",
            definition: V.Definition(
                variant: "hard", formula: "F", empty: "nan", smoothNumerator: [0], smoothDenominator: [0],
                backgroundInHeadline: false, ignoreLabels: [], binarization: "gt:0.5", binarizesByThreshold: true,
                thresholds: [0.3], denominatorFloor: nil, activation: nil, truthEncoding: "auto", predictionEncoding: "auto",
                missing: "fail", reproduces: nil, conventions: "probability maps binarised by gt:0.5; 0/0 is NaN"),
            inputs: V.Inputs(
                truthFolder: "gt", predictionFolder: "pred", pairs: 2, unmatchedTruth: [], unmatchedPredictions: ["pred/z.png"],
                ignoredFiles: 0, encodings: [("binary", "binary", 2)]),
            classes: [
                V.ClassRow(
                    id: 1, name: "liver", mean: 0.75, median: 0.75, std: 0, min: 0.75, max: 0.75, n: 1, nNaN: 1, pooled: 0.75,
                    interval: nil, pooledCounts: .integers(tp: 3, fp: 1, fn: 1, tn: 195), pooledMetrics: [0.6])
            ],
            aggregate: V.Aggregate(
                mean: 0.75, pooled: 0.75, classIDs: [1], classNames: ["liver"], interval: nil, resamples: 0, seed: 7,
                generalizedMean: nil, library: nil),
            images: images, classValues: [0.75, .nan], classValueStride: 1, metricNames: ["iou"],
            errors: [V.Problem(key: "c", path: "gt/c.png", message: "cannot read")], warnings: ["w1"],
            gates: [V.Gate(name: "mean >= 0.8", value: 0.75, threshold: 0.8, passed: false)], nothingPaired: false)
    }

    @Test func perImageCSVHasOneRowPerImageAndClass() {
        let sink = StringSink()
        Self.value().writeCSV(to: sink)
        #expect(
            sink.text == "key,gt,pred,class_id,class_name,dice,tp,fp,fn,tn,iou\r\n"
                + "a,gt/a.png,pred/a.png,1,liver,0.75,3,1,1,95,0.6\r\n"
                + "b,gt/b.png,,1,liver,NaN,0,0,0,100,NaN\r\n")
    }

    @Test func summaryCSVHasTheClassStatistics() {
        #expect(
            Self.value().summaryCSV.renderedCSV()
                == "class_id,class_name,mean,median,std,min,max,n,n_nan,pooled,pooled_tp,pooled_fp,pooled_fn,pooled_tn,pooled_iou\r\n"
                + "1,liver,0.75,0.75,0,0.75,0.75,1,1,0.75,3,1,1,195,0.6\r\n")
    }

    /// Rows are fetched one at a time, in key order, each after the previous one was written.
    @Test func rowsAreStreamedNotCollected() {
        let log = FetchLog()
        let sink = CountingSink()
        let rows = V.ImageRows(
            count: 3, key: { "k\($0)" },
            row: { index in
                log.fetched.append((index, sink.lines))
                return V.ImageRow(
                    key: "k\(index)", truthPath: "t", predictionPath: "p", mean: 1, generalized: nil,
                    classes: [Self.rowA.classes[0]])
            })
        Self.value(images: rows).writeCSV(to: sink)
        // Row i is read when the header and the i rows before it are written, and never again.
        #expect(log.fetched.map(\.0) == [0, 1, 2])
        #expect(log.fetched.map(\.1) == [1, 2, 3])
        log.fetched = []
        Self.value(images: rows).writeJSON(to: sink)
        #expect(log.fetched.map(\.0) == [0, 1, 2])
    }

    @Test func streamedJSONIsTheDocument() {
        let sink = StringSink()
        Self.value().writeJSON(to: sink)
        #expect(sink.text == Self.value().json.rendered() + "\n")
        let oneLine = Self.value().json.rendered(indent: 0)
        #expect(
            oneLine.contains(
                #"{"key":"b","gt":"gt/b.png","pred":null,"mean":null,"classes":[{"id":1,"dice":null,"tp":0,"fp":0,"fn":0,"tn":100}]}"#
            ))
        #expect(oneLine.contains(#""gates":[{"name":"mean >= 0.8","value":0.75,"threshold":0.8,"passed":false}]"#))
        #expect(oneLine.hasPrefix(#"{"schema":"segscore.report/1","tool":{"name":"segscore","version":"9.9"}"#))
    }

    @Test func summaryTextListsEverything() {
        let expected = """
            segscore 9.9 · variant hard: F
              probability maps binarised by p > 0.3; 0/0 is NaN; background out of the headline
            pairs: 2 scored, 1 failed · unmatched: 0 ground truth, 1 prediction
            headline: mean 0.7500 · pooled 0.7500  (classes liver)

            class  id    mean     std  median     min     max  n  n_nan  pooled
            liver   1  0.7500  0.0000  0.7500  0.7500  0.7500  1      1  0.7500

            gates:
              FAIL  mean >= 0.8: 0.7500 < 0.8000

            predictions without ground truth (not scored):
              pred/z.png

            warnings:
              w1

            errors (1):
              gt/c.png: cannot read
            """
        #expect(Self.value().text == expected)
        #expect(
            Self.value().summaryText(listingProblems: false).hasSuffix(
                "warnings: 1 (listed on stderr)\n\nerrors: 1 (listed on stderr)"))
    }

    @Test func junitAndMarkdownCarryTheVerdict() {
        let junit = Self.value().junit(start: 1_700_000_000, seconds: 1.5)
        #expect(junit.contains(#"<testsuites name="segscore" tests="2" failures="1" errors="1" time="1.500">"#))
        #expect(junit.contains(#"timestamp="2023-11-14T22:13:20""#))
        #expect(
            junit.contains(
                "<failure type=\"gate\" message=\"0.7500 &lt; 0.8000\">mean &gt;= 0.8 failed: 0.7500 &lt; 0.8000\nvalue: 0.75\nthreshold: 0.8</failure>"
            ))
        #expect(Self.value().verdict == "❌ **failed** (exit 3): 1 data problem; 1 of 1 gate failed")
        let markdown = Self.value().markdown(generated: "2023-11-14T22:13:20Z", commandLine: ["segscore", "a b"])
        #expect(markdown.hasSuffix("```sh\nsegscore 'a b'\n```\n"))
        #expect(markdown.contains("| 1 | `a` | 0.7500 |"))
    }
}

/// Records which rows were fetched and how many CSV lines were written by then (one thread).
private final class FetchLog: @unchecked Sendable {
    var fetched: [(Int, Int)] = []
}

/// Counts CRLF-terminated lines (the test's only writer is the test's thread).
private final class CountingSink: ReportSink, @unchecked Sendable {
    var lines = 0
    func write(_ text: String) {}
    func write(bytes: [UInt8]) { lines += bytes.filter { $0 == 0x0A }.count }
}
