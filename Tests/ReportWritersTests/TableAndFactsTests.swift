import ReportWriters
import Testing

@Suite struct TableTests {
    @Test func terminalTablesPadAlignAndTrim() {
        #expect(Table(header: ["a", "num"], rows: [["long", "1"]], rightAligned: [1]).renderedText() == "a     num\nlong    1")
        // A last column of empty cells leaves no trailing spaces.
        #expect(Table(header: ["x", "y"], rows: [["longer", ""]]).renderedText() == "x       y\nlonger")
    }

    @Test func oneTableRendersEveryForm() {
        let table = Table(header: ["k", "v"], rows: [["a|b", "1,5"]], rightAligned: [1])
        #expect(table.renderedText() == "k      v\na|b  1,5")
        #expect(table.renderedMarkdown() == "| k | v |\n|---|---:|\n| a\\|b | 1,5 |")
        #expect(table.renderedCSV() == "k,v\r\na|b,\"1,5\"\r\n")
    }
}

@Suite struct InspectionFactsTests {
    static let palette = InspectionFacts(
        path: "m.png", format: "png", width: 2, height: 1, pages: 1, channels: 1, bitDepth: 8, sample: "uint8", color: "palette",
        compression: "deflate", interlaced: false, tiled: false, separatePlanes: false, predictor: 1, paletteEntries: 2, min: 0,
        max: 1, distinct: 2, values: [.init(value: 0, count: 1), .init(value: 1, count: 1)], hasColors: true,
        colors: [.init(components: [0, 0, 0], count: 1), .init(components: [255, 0, 0], count: 1)], auto: "palette-labels",
        autoDetail: "palette indices are the labels: ids 0, 1")

    @Test func textNamesTheEncodingThenTheValues() {
        #expect(
            Self.palette.text == """
                m.png: PNG 2x1, 1 page, 1 channel, 8-bit palette stored as uint8, deflate, palette of 2
                  min 0, max 1, 2 distinct values
                  colors: [0,0,0]: 1, [255,0,0]: 1
                  values: 0: 1, 1: 1
                  auto: palette-labels — palette indices are the labels: ids 0, 1
                """)
    }

    @Test func jsonHasPNGDetailsOnlyForPNG() {
        let json = Self.palette.json.rendered(indent: 0)
        #expect(json.contains(#""colors":{"[0,0,0]":1,"[255,0,0]":1}"#))
        #expect(json.hasSuffix(#""compression":"deflate","interlaced":false,"palette_entries":2}"#))
        #expect(InspectionFacts.failureJSON(path: "x", reason: "r").rendered(indent: 0) == #"{"path":"x","error":"r"}"#)
    }
}
