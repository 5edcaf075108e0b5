import Foundation
import SegMetrics
import Testing

/// The label the C kernels leave out (`SurfaceClassRowBuffers.differing`'s `exclude`: the first
/// sample's label when it is in no measured class, else 0 when that is in none): any label value,
/// not only 0, at every kernel; and `SurfaceClassBoundaries.extract` through an injective lookup
/// where that choice changes (the first sample measured or not, label 0 measured or not, every
/// present label measured, label 255 measured, several unmeasured labels side by side) at the
/// widths where vectors and words meet the row's end, against each class's mask.
@Suite struct SurfaceClassRowExcludeTests {
    typealias Random = SurfaceEngineTests.Random
    static let none = SurfaceClassBoundaries.none

    @Test("every kernel leaves out exactly the samples of the label asked for: 1, 127, 128, 200, 255 and none")
    func excludedLabels() {
        var random = Random(state: 9090)
        let levels = [0, 1, 2].filter { $0 <= SurfaceClassRowBuffers.kernel }
        for w in [1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 95, 127, 128, 129, 4090] {
            for threeD in [false, true] {
                let plane = threeD ? 3 * w : 0
                let count = threeD ? 9 * w : 3 * w
                let row = threeD ? plane + w : w
                // Labels of both signs as bytes (below and from 128), long runs of each.
                let alphabet: [UInt8] = [1, 127, 128, 200, 255]
                var map = [UInt8](repeating: 0, count: count)
                var label = alphabet[0]
                for i in 0..<count {
                    if random.int(0...5) == 0 { label = alphabet[random.int(0...4)] }
                    map[i] = label
                }
                for level in levels where (level != 1 || w >= 32) && (level != 0 || w >= 16) {
                    for exclude in [-1, 1, 127, 128, 200, 255] {
                        let got = SurfaceRowKernelTests.kernelBits(
                            map, row: row, w: w, plane: plane, level: level, exclude: exclude, fill: 0x5555_AAAA_5555_AAAA
                        ).row
                        let want = SurfaceRowKernelTests.expectedBits(
                            map, row: row, w: w, plane: plane, level: level, exclude: exclude)
                        #expect(got == want, "width \(w) 3-D \(threeD) kernel \(level) exclude \(exclude)")
                    }
                }
            }
        }
    }

    /// `extract` of `labels` through `lookup` equals `SurfaceBoundary.pixels` of each class's mask.
    static func check(_ labels: [UInt8], lookup: [UInt8], _ grid: SurfaceGrid, classes: Int, _ what: String) {
        var boundaries = SurfaceClassBoundaries()
        labels.withUnsafeBufferPointer { l in
            lookup.withUnsafeBufferPointer { boundaries.extract(l, classOf: $0, grid: grid, classes: classes) }
        }
        let index = labels.map { lookup[Int($0)] }
        for c in 0..<classes {
            let mask = index.map { Int($0) == c ? UInt8(1) : 0 }
            let expected = mask.withUnsafeBufferPointer {
                SurfaceBoundary.pixels($0, grid: grid, neighbourhood: .face, edgeIsBoundary: true)
            }
            #expect(boundaries.points[c] == expected, "\(what) \(grid.width)×\(grid.height)×\(grid.depth) class \(c)")
        }
    }

    /// Runs of labels from `alphabet`, the first sample `first`.
    static func labels(_ grid: SurfaceGrid, _ alphabet: [UInt8], first: UInt8, _ random: inout Random) -> [UInt8] {
        var map = [UInt8](repeating: 0, count: grid.count)
        var label = alphabet[0]
        for i in map.indices {
            if random.int(0...6) == 0 { label = alphabet[random.int(0...(alphabet.count - 1))] }
            map[i] = label
        }
        // Whole rows of one label now and then (interior rows with nothing differing).
        for start in stride(from: 0, to: grid.count, by: grid.width) where random.int(0...4) == 0 {
            for x in 0..<grid.width { map[start + x] = map[start] }
        }
        map[0] = first
        return map
    }

    @Test(
        "through an injective lookup: first sample measured or not, label 0 measured or not, every label measured, label 255 measured; widths 16…4090, heights 1–5, depths 1–3"
    )
    func exclusionChoices() {
        var random = Random(state: 4711)
        // (what, lookup entries label → class, classes, labels drawn, first sample)
        let cases: [(String, [(Int, UInt8)], Int, [UInt8], UInt8)] = [
            ("first measured, 0 unmeasured", [(3, 0), (7, 1)], 2, [0, 3, 7, 9], 3),
            ("first and 0 measured", [(0, 0), (3, 1)], 2, [0, 3, 5], 0),
            ("first unmeasured (200), 0 measured", [(0, 0), (4, 1)], 2, [0, 4, 200, 201], 200),
            ("first unmeasured (none), 0 unmeasured beyond the classes", [(1, 0), (2, 1), (0, 9)], 2, [0, 1, 2, 255], 255),
            ("every label present measured", [(0, 2), (1, 0), (2, 1)], 3, [0, 1, 2], 1),
            ("label 255 measured, first 128 unmeasured", [(255, 0), (127, 1)], 2, [255, 127, 128, 0], 128),
            ("label 255 measured and first, 0 measured", [(255, 1), (0, 0)], 2, [255, 0, 17], 255),
        ]
        let widths = [16, 17, 31, 32, 33, 63, 64, 65, 4090]
        for (what, entries, classes, alphabet, first) in cases {
            var lookup = [UInt8](repeating: Self.none, count: 256)
            for (label, c) in entries { lookup[label] = c }
            for w in widths {
                for h in [1, 2, 3, 4, 5] where w < 4090 || h <= 3 {
                    let grid = SurfaceGrid(width: w, height: h)
                    Self.check(Self.labels(grid, alphabet, first: first, &random), lookup: lookup, grid, classes: classes, what)
                }
                for d in [1, 2, 3] {
                    for h in [1, 3, 4] where w < 4090 || h <= 3 {
                        let grid = SurfaceGrid(width: w, height: h, depth: d, dimensions: 3)
                        Self.check(
                            Self.labels(grid, alphabet, first: first, &random), lookup: lookup, grid, classes: classes, what)
                    }
                }
            }
        }
    }

    @Test("255 classes, one label each (label 255 in none): every class's boundary, 2-D and 3-D")
    func allClasses() {
        var random = Random(state: 255)
        var lookup = [UInt8](repeating: Self.none, count: 256)
        for label in 0..<255 { lookup[label] = UInt8(254 - label) }
        for grid in [SurfaceGrid(width: 40, height: 7), SurfaceGrid(width: 33, height: 4, depth: 3, dimensions: 3)] {
            for first: UInt8 in [255, 0] {
                let map = (0..<grid.count).map { i in i == 0 ? first : UInt8(random.int(0...255)) }
                Self.check(map, lookup: lookup, grid, classes: 255, "255 classes, first \(first)")
            }
        }
    }
    @Test(
        "the row pass by every kernel this CPU runs (Swift, AVX2, AVX-512) equals each class's mask: exclusion cases, widths 16…130, 2-D and 3-D"
    )
    func everyKernel() {
        var random = Random(state: 6060)
        let levels = [0, 1, 2].filter { $0 <= SurfaceClassRowBuffers.kernel }
        let buffers = SurfaceClassRowBuffers()  // reused across kernels and sizes
        // (lookup entries, classes, labels drawn, first sample)
        let cases: [([(Int, UInt8)], Int, [UInt8], UInt8)] = [
            ([(3, 0), (7, 1)], 2, [0, 3, 7, 9], 3),  // exclude 0
            ([(0, 0), (3, 1)], 2, [0, 3, 5], 0),  // exclude none
            ([(0, 0), (4, 1)], 2, [0, 4, 200, 201], 200),  // exclude 200
            ([(255, 0), (127, 1)], 2, [255, 127, 128, 0], 128),  // exclude 128, label 255 measured
        ]
        for (entries, classes, alphabet, first) in cases {
            var lookup = [UInt8](repeating: Self.none, count: 256)
            for (label, c) in entries { lookup[label] = c }
            for w in [16, 17, 31, 32, 33, 63, 64, 65, 127, 130] {
                for threeD in [false, true] {
                    let grid =
                        threeD
                        ? SurfaceGrid(width: w, height: random.int(3...6), depth: random.int(3...4), dimensions: 3)
                        : SurfaceGrid(width: w, height: random.int(3...9))
                    let labels = Self.labels(grid, alphabet, first: first, &random)
                    let index = labels.map { lookup[Int($0)] }
                    let expected = (0..<classes).map { c in
                        index.map { Int($0) == c ? UInt8(1) : 0 }.withUnsafeBufferPointer {
                            SurfaceBoundary.pixels($0, grid: grid, neighbourhood: .face, edgeIsBoundary: true)
                        }
                    }
                    for level in levels {
                        var points = [[LatticePoint]](repeating: [], count: classes)
                        labels.withUnsafeBufferPointer { l in
                            lookup.withUnsafeBufferPointer { t in
                                buffers.extract(
                                    l.baseAddress!, lookup: t.baseAddress!, w: w, h: grid.height, d: grid.depth,
                                    threeD: threeD, classes: classes, into: &points, kernel: level)
                            }
                        }
                        #expect(points == expected, "width \(w) 3-D \(threeD) kernel \(level) first \(first)")
                    }
                }
            }
        }
    }
    @Test(
        "every kernel reads only the samples around its row: a 3-row (3-plane) map flush against an unreadable page, before and after, widths 1…300"
    )
    func noReadBeyondTheMap() throws {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let levels = [0, 1, 2].filter { $0 <= SurfaceClassRowBuffers.kernel }
        var random = Random(state: 1212)
        for w in 1...300 {
            for threeD in [false, true] {
                let plane = threeD ? 3 * w : 0
                let count = threeD ? 9 * w : 3 * w
                let row = threeD ? plane + w : w
                let body = (count + page - 1) / page * page
                let length = body + 2 * page
                let raw = try #require(
                    mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), "mmap")
                #expect(raw != MAP_FAILED)
                defer { munmap(raw, length) }
                let base = raw.assumingMemoryBound(to: UInt8.self)
                // Unreadable pages before and after the body: any read outside it faults.
                #expect(mprotect(raw, page, PROT_NONE) == 0)
                #expect(mprotect(raw + page + body, page, PROT_NONE) == 0)
                let map = (0..<count).map { _ in UInt8(random.int(0...2)) }
                let expected = SurfaceRowKernelTests.reference(map, row: row, w: w, plane: plane)
                let words = (w + 63) >> 6
                let lastBit = UInt64(1) << UInt64((w - 1) & 63)
                for start in [base + page, base + page + body - count] {
                    start.update(from: map, count: count)
                    for level in levels where (level != 1 || w >= 32) && (level != 0 || w >= 16) {
                        var bits = [UInt64](repeating: 0, count: 2 * (words + 1))
                        bits.withUnsafeMutableBufferPointer { b in
                            SurfaceClassRowBuffers.differing(
                                start + row, w: w, plane: plane, b.baseAddress!, words: words, kernel: level)
                        }
                        var got = Array(bits[0..<words])
                        got[words - 1] &= ~lastBit
                        var want = expected
                        want[words - 1] &= ~lastBit
                        #expect(got == want, "width \(w) 3-D \(threeD) kernel \(level)")
                    }
                }
            }
        }
    }
}
