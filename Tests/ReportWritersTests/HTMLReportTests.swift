import ReportWriters
import Testing

/// The HTML report, the percentile members and the confusion CSV, rendered from values built by
/// hand (`EvaluationReportValueTests.value()` plus hostile names).
@Suite struct HTMLReportTests {
    typealias V = EvaluationReportValue

    /// The hand-built value with a class name, a key, a path, a warning and a command that try to
    /// break out of the page: a script tag, both quotes, ESC, a newline, `</script>` and U+2028.
    static func hostile() -> V {
        var value = EvaluationReportValueTests.value(
            images: V.ImageRows([
                V.ImageRow(
                    key: "k</script><script>alert(1)</script>\u{2028}", truthPath: "gt/\"q'.png", predictionPath: "p",
                    mean: 0.75, generalized: nil, classes: EvaluationReportValueTests.rowA.classes),
                EvaluationReportValueTests.rowB,
            ]))
        value.classes[0].name = "<script>alert('x')</script>\"\u{1B}[31m\nname"
        value.aggregate.classNames = [value.classes[0].name]
        value.inputs.unmatchedPredictions = ["pred/<img src=x onerror=alert(1)>.png"]
        value.warnings = ["w\u{0}<b>"]
        value.classes[0].percentiles = V.Percentiles(p5: 0.1, p25: 0.25, p75: 0.8, p95: 0.95)
        value.confusion = V.Confusion(ids: [1, nil], cells: [3, 1, 2, 4])
        return value
    }

    static func html(_ value: V, overlays: [V.Overlay] = [], folder: String? = nil, budget: Int = 12_000_000) -> String {
        let sink = StringSink()
        value.writeHTML(
            to: sink,
            extras: V.HTMLExtras(
                generated: "2026-01-01T00:00:00Z", commandLine: ["segscore", "evaluate", "<gt>", "a'b"], overlays: overlays,
                overlayFolder: folder, embedBytes: budget))
        return sink.text
    }

    @Test func namesCannotAddTagsScriptsOrAttributes() {
        let page = Self.html(Self.hostile())
        // The page's own two script elements (the data and the code), nothing else.
        #expect(page.components(separatedBy: "<script").count - 1 == 2)
        #expect(page.components(separatedBy: "</script>").count - 1 == 2)
        #expect(!page.contains("<img src=x"))
        #expect(!page.contains("alert('x')"))
        #expect(!page.contains("\u{1B}"))
        #expect(!page.contains("\u{0}"))
        #expect(!page.contains("\u{2028}"))
        // Escaped and made visible where a person reads them.
        #expect(page.contains("&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt;&quot;\\u{1B}[31m\\nname (1)"))
        #expect(page.contains("pred/&lt;img src=x onerror=alert(1)&gt;.png"))
        #expect(page.contains("w\\u{0}&lt;b&gt;"))
        #expect(page.contains("segscore evaluate &apos;&lt;gt&gt;&apos; &apos;a&apos;\\&apos;&apos;b&apos;"))
        // In the image data, the key's `<`, `>` and U+2028 are \u escapes.
        #expect(page.contains(#"["k\u003c/script\u003e\u003cscript\u003ealert(1)\u003c/script\u003e\\u{2028}",0.75]"#))
    }

    @Test func sectionsComeInTheOrderOfTheIssue() {
        let page = Self.html(Self.hostile())
        let marks = [
            "id=\"verdict\"", "<h2>Gates</h2>", "<h2>Headline</h2>", "<h2>Definition</h2>", "<h2>Distributions</h2>",
            "<h2>Per class</h2>", "<h2>Per image</h2>", "<h2>Worst images</h2>", "<h2>Confusion matrix</h2>",
            "<h2>Unmatched and failed files</h2>", "<h2>Command</h2>",
        ]
        let positions = marks.map { page.range(of: $0)?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil })
        let found = positions.compactMap { $0 }
        #expect(found == found.sorted())
        #expect(page.hasPrefix("<!DOCTYPE html>\n"))
        #expect(page.hasSuffix("</body></html>\n"))
        #expect(page.contains("<b>failed</b> (exit 3): 1 data problem; 1 of 1 gate failed"))
        // Nothing is fetched: no http(s) URL, no external script, style or image.
        #expect(
            !page.contains("http://")
                || page.components(separatedBy: "http://").count - 1 == page.components(
                    separatedBy: "xmlns=\"http://www.w3.org/2000/svg\""
                ).count - 1)
        #expect(!page.contains("https://"))
        #expect(!page.contains(" src=\"http"))
    }

    @Test func confusionHeatMapShowsCountsAndNotScored() {
        let page = Self.html(Self.hostile())
        // Row 1: 3 and 1 (shares 0.75, 0.25); row "not scored": 2 and 4.
        #expect(page.contains("<th>not scored</th>"))
        #expect(page.contains("title=\"3 pixels\">3</td>"))
        #expect(page.contains("title=\"4 pixels\">4</td>"))
    }

    @Test func overlaysAreEmbeddedWithinTheBudgetThenLinkedOrLeftOut() {
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47]  // base64 "iVBORw=="
        let overlays = [
            V.Overlay(classID: 1, rank: 1, key: "a", value: 0.5, fileName: "class1-1-a.png", slice: nil, png: png, note: nil),
            V.Overlay(classID: 1, rank: 2, key: "b c", value: 0.6, fileName: "class1-2-b_c.png", slice: 3, png: png, note: nil),
            V.Overlay(classID: 1, rank: 3, key: "d", value: 0.7, fileName: "x.png", slice: nil, png: [], note: "no <overlay>"),
        ]
        // A budget of 8 base64 bytes: the first picture embedded, the second linked to the folder.
        let page = Self.html(Self.hostile(), overlays: overlays, folder: "over lays", budget: 8)
        #expect(page.contains("src=\"data:image/png;base64,iVBORw==\""))
        #expect(page.components(separatedBy: "data:image/png").count - 1 == 1)
        #expect(page.contains("src=\"over%20lays/class1-2-b_c.png\""))
        #expect(page.contains("2. <span class=\"mono\">b c</span> · 0.6000 · slice 3"))
        #expect(page.contains("no &lt;overlay&gt;"))
    }

    @Test func percentilesFollowTheClassStatisticsInJSONAndCloseTheSummaryCSV() {
        var value = EvaluationReportValueTests.value()
        value.classes[0].percentiles = V.Percentiles(p5: 0.1, p25: 0.25, p75: 0.8, p95: 0.95)
        #expect(
            value.summaryCSV.renderedCSV()
                == "class_id,class_name,mean,median,std,min,max,n,n_nan,pooled,pooled_tp,pooled_fp,pooled_fn,pooled_tn,pooled_iou,p5,p25,p75,p95\r\n"
                + "1,liver,0.75,0.75,0,0.75,0.75,1,1,0.75,3,1,1,195,0.6,0.1,0.25,0.8,0.95\r\n")
        let json = value.json.rendered(indent: 0, level: 0)
        #expect(json.contains(#""pooled":0.75,"p5":0.1,"p25":0.25,"p75":0.8,"p95":0.95,"pooled_tp":3"#))
        // Without percentiles the reports are as before.
        #expect(!EvaluationReportValueTests.value().json.rendered(indent: 0, level: 0).contains("p5"))
    }

    @Test func confusionJSONAndCSV() {
        let confusion = V.Confusion(ids: [0, 2, nil], cells: [5, 1, 0, 2, 7, 1, 0, 0, 3])
        #expect(confusion.json.rendered(indent: 0, level: 0) == #"{"ids":[0,2,null],"matrix":[[5,1,0],[2,7,1],[0,0,3]]}"#)
        #expect(
            confusion.csv(names: [0: "bg", 2: "x,y"]).renderedCSV()
                == "gt_id,gt_name,pred_0,pred_2,pred_other\r\n0,bg,5,1,0\r\n2,\"x,y\",2,7,1\r\nother,not scored,0,0,3\r\n")
    }

    @Test func markdownLinksOverlaysByEscapedRelativePath() {
        let value = EvaluationReportValueTests.value()
        let plain = value.markdown(generated: "d", commandLine: ["segscore"])
        let linked = value.markdown(
            generated: "d", commandLine: ["segscore"],
            overlayLinks: [V.OverlayLink(classID: 1, key: "a", path: "../over lays/class1-1-a(1).png")])
        #expect(!plain.contains("overlay"))
        #expect(linked.contains("| rank | image | dice | overlay |"))
        #expect(linked.contains("[png](../over%20lays/class1-1-a%281%29.png)"))
    }
}
