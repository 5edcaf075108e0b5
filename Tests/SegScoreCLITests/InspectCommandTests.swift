import Foundation
import SegScoreTestSupport
import Testing

@Suite struct InspectCommandTests {
    @Test func jsonLineIsExactForAPalettePNG() throws {
        let output = try BinaryRunner.run(["inspect", "--json", "Fixtures/png/palette2.png"])
        #expect(output.status == 0)
        #expect(output.stderr == "")
        // 13×11 pixels of (7x + 13y) mod 4, counted by hand: 36, 36, 36, 35. Palette entry i is
        // (40i + 4, 255 − 30i, 7i) (Fixtures/generator/make_fixtures.c).
        #expect(
            output.stdout
                == #"{"path":"Fixtures/png/palette2.png","format":"png","width":13,"height":11,"pages":1,"channels":1,"bit_depth":2,"sample":"uint8","color":"palette","min":0,"max":3,"distinct":4,"values":{"0":36,"1":36,"2":36,"3":35},"colors":{"[4,255,0]":36,"[44,225,7]":36,"[84,195,14]":36,"[124,165,21]":35},"auto":"palette-labels","auto_detail":"palette indices are the labels: ids 0, 1, 2, 3","compression":"deflate","interlaced":false,"palette_entries":4}"#
                + "\n")
    }

    @Test func humanSummaryForAOneBitTIFF() throws {
        let output = try BinaryRunner.run(["inspect", "Fixtures/tiff/u1_none.tif"])
        #expect(output.status == 0)
        #expect(
            output.stdout == """
                Fixtures/tiff/u1_none.tif: TIFF 13x11, 1 page, 1 channel, 1-bit gray stored as uint8, none
                  min 0, max 1, 2 distinct values
                  values: 0: 72, 1: 71
                  auto: labels — ids 0, 1

                """)
    }

    @Test func badFilesGiveOneLineEachAndExitCode3WhileGoodFilesStillPrint() throws {
        let bad = [
            "truncated_in_data.png", "bad_crc.png", "random.png", "random.tif", "empty.png", "folder.png",
            "huge_100000x100000.png",
        ].map { "Fixtures/bad/" + $0 }
        let output = try BinaryRunner.run(["inspect", "--json"] + bad + ["Fixtures/png/gray8.png"])
        #expect(output.status == 3)
        let errors = output.stderr.split(separator: "\n").map(String.init)
        #expect(errors.count == bad.count)
        for (line, path) in zip(errors, bad) {
            #expect(line.hasPrefix("segscore: error: \(path): "))
        }
        let lines = output.stdout.split(separator: "\n")
        #expect(lines.count == bad.count + 1)
        #expect(lines.last?.contains(#""path":"Fixtures/png/gray8.png""#) == true)
        #expect(
            lines.first
                == #"{"path":"Fixtures/bad/truncated_in_data.png","error":"corrupt: libpng: unexpected end of file (truncated)"}"#
        )
    }

    @Test func usageErrorsExitWith2() throws {
        let output = try BinaryRunner.run(["inspect", "--no-such-option", "x.png"])
        #expect(output.status == 2)
        #expect(output.stderr.contains("--no-such-option"))
    }

    @Test func helpTeachesExitCodes() throws {
        let output = try BinaryRunner.run(["--help"])
        #expect(output.status == 0)
        #expect(output.stdout.contains("3 data problems"))
        #expect(output.stdout.contains("inspect"))
    }
}
