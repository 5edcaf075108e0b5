import Foundation
import MaskIO
import SegScoreTestSupport
import Testing

/// The HTML report in a real browser: Debian's `chromium`, headless, loads the page from a
/// file:// URL with no console message (an error or an uncaught exception would print one), the
/// page's script runs (the per-image pager is filled), and a screenshot is not blank. Runs when
/// `chromium` is on PATH (`make browser-check` installs it). `SEGSCORE_SCREENSHOT=path` keeps the
/// demo's screenshot; `SEGSCORE_BROWSER_PAIRS=n` changes the generated set's size (2,000).
@Suite(.enabled(if: Browser.path != nil, "chromium is not on PATH (make browser-check installs it)"), .serialized)
struct BrowserCheckTests {
    @Test func demoReportLoadsWithoutConsoleErrorsAndDrawsSomething() throws {
        let folder = try TemporaryFolder("browser-demo")
        defer { folder.remove() }
        let page = folder.path("report.html")
        let output = try BinaryRunner.run([
            "evaluate", "Fixtures/demo/gt", "Fixtures/demo/pred", "--labels", "Fixtures/demo/labels.json", "--html", page,
            "--overlays", folder.path("overlays"), "--quiet",
        ])
        #expect(output.status == 0, "\(output.stderr)")
        try Browser.check(page: page, folder: folder, expectedImages: 8)
        if let keep = ProcessInfo.processInfo.environment["SEGSCORE_SCREENSHOT"], !keep.isEmpty {
            _ = try? FileManager.default.removeItem(atPath: keep)
            try FileManager.default.copyItem(atPath: folder.path("screenshot.png"), toPath: keep)
        }
    }

    @Test func generatedSetOfTwoThousandPairsLoadsWithoutConsoleErrors() throws {
        let pairs = ProcessInfo.processInfo.environment["SEGSCORE_BROWSER_PAIRS"].flatMap { Int($0) } ?? 2_000
        let folder = try TemporaryFolder("browser-generated", subfolders: ["gt", "pred"])
        defer { folder.remove() }
        try Browser.generate(pairs: pairs, in: folder)
        let page = folder.path("report.html")
        let output = try BinaryRunner.run([
            "evaluate", folder.path("gt"), folder.path("pred"), "--html", page, "--quiet", "--bootstrap", "100",
        ])
        #expect(output.status == 0, "\(output.stderr)")
        let size = (try FileManager.default.attributesOfItem(atPath: page)[.size] as? Int) ?? 0
        #expect(size > 0 && size < 15_000_000, "report.html is \(size) bytes")
        try Browser.check(page: page, folder: folder, expectedImages: pairs)
    }
}

/// Headless chromium, run as a user would from a shell.
enum Browser {
    /// `chromium` on PATH, or nil.
    static let path: String? = {
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        for folder in folders {
            let candidate = "\(folder)/chromium"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }()

    /// Runs chromium on `arguments`, at most 180 s; returns (stdout, stderr).
    static func run(_ arguments: [String], profile: String) throws -> (out: String, err: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments =
            [
                "180", path ?? "chromium", "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--user-data-dir=\(profile)", "--enable-logging=stderr", "--v=0",
            ] + arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let errReader = DispatchQueue.global()
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        errReader.async(group: group) { errData = err.fileHandleForReading.readDataToEndOfFile() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "chromium exit \(process.terminationStatus)")
        return (String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }

    /// Loads `page`: no console line, the pager filled in, a screenshot (`screenshot.png` in
    /// `folder`) with more than 2% of its pixels not white.
    static func check(page: String, folder: TemporaryFolder, expectedImages: Int) throws {
        let url = URL(fileURLWithPath: page).absoluteString
        let dom = try run(["--virtual-time-budget=10000", "--dump-dom", url], profile: folder.path("profile-dom"))
        let console = dom.err.split(separator: "\n").filter { $0.contains(":CONSOLE") }
        #expect(console.isEmpty, "console: \(console.joined(separator: "\n"))")
        #expect(dom.out.contains("id=\"pager-status\">page 1 of"), "the page's script did not fill the pager")
        #expect(dom.out.contains("of \(expectedImages) images)"))
        let shot = folder.path("screenshot.png")
        let screenshot = try run(
            ["--hide-scrollbars", "--window-size=1200,2400", "--screenshot=\(shot)", url], profile: folder.path("profile-shot"))
        #expect(!screenshot.err.contains(":CONSOLE"))
        let mask = try MaskDecoder().decode(path: shot)
        guard case .uint8(let samples) = mask.samples, mask.channels >= 3 else {
            Issue.record("screenshot is not an 8-bit colour PNG")
            return
        }
        var inked = 0
        for pixel in 0..<mask.pixelCount {
            let base = pixel * mask.channels
            if samples[base] < 240 || samples[base + 1] < 240 || samples[base + 2] < 240 { inked += 1 }
        }
        #expect(inked * 50 > mask.pixelCount, "screenshot is blank: \(inked) of \(mask.pixelCount) pixels drawn")
    }

    /// `pairs` pairs of 32×32 label maps (classes 0–3): discs whose size and place change with
    /// the index, the prediction shifted a little, so values spread and overlays have errors.
    static func generate(pairs: Int, in folder: TemporaryFolder) throws {
        let side = 32
        for index in 0..<pairs {
            var truth = [Int](repeating: 0, count: side * side)
            var prediction = truth
            for label in 1...3 {
                let cx = (index * 7 + label * 9) % 20 + 6
                let cy = (index * 13 + label * 5) % 20 + 6
                let r = 3 + (index + label) % 5
                let shift = (index / 3 + label) % 4 - 1
                // Only the discs' bounding box is visited (the generator runs in debug builds).
                for y in max(0, cy - r)...min(side - 1, cy + r) {
                    for x in max(0, cx - r - 1)...min(side - 1, cx + r + 2) {
                        if (x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r { truth[y * side + x] = label }
                        if (x - cx - shift) * (x - cx - shift) + (y - cy) * (y - cy) <= r * r { prediction[y * side + x] = label }
                    }
                }
            }
            let name = String(format: "case_%05d.png", index)
            try folder.write(TestMasks.pngBytes(width: side, height: side, samples: truth), to: "gt/" + name)
            try folder.write(TestMasks.pngBytes(width: side, height: side, samples: prediction), to: "pred/" + name)
        }
    }
}
