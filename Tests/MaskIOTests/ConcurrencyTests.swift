import Dispatch
import Foundation
import MaskIO
import Parallel
import SegScoreTestSupport
import Testing

@Suite struct ConcurrencyTests {
    @Test func eightThreadsDecodeExactlyWhatOneThreadDecodes() throws {
        let folders = ["png", "tiff"]
        var paths: [String] = []
        for folder in folders {
            let names = try FileManager.default.contentsOfDirectory(atPath: Fixtures.path(folder)).sorted()
            paths += names.map { Fixtures.path(folder + "/" + $0) }
        }
        paths.append(Fixtures.path("real/nuclei-stardist-tiff/gt/synthetic_mask3d.tif"))
        paths.append(Fixtures.path("real/isbi2012-membrane-unet/gt/3.png"))
        let files = paths
        let decoder = MaskDecoder()
        let sequential = try files.map { try decoder.decode(path: $0) }
        // Every thread decodes every file, each starting at a different file, 8 threads at once.
        let results = Locked([[DecodedMask?]](repeating: Array(repeating: nil, count: files.count), count: 8))
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for step in 0..<files.count {
                let index = (step + thread * 5) % files.count
                let mask = try? decoder.decode(path: files[index])
                results.withLock { $0[thread][index] = mask }
            }
        }
        for thread in 0..<8 {
            #expect(results.withLock { $0[thread] } == sequential)
        }
    }
}
