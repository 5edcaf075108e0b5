import DatasetScan
import Foundation
import Parallel
import MaskIO
import SegMetrics

/// The counts of one pair: hard counts per class found (or per channel), and soft sums when the
/// variant needs them.
public struct ImageCounts: Sendable, Equatable {
    /// Scored pixels (after the ROI and ignore labels).
    public var pixels: Int
    /// Hard counts per class id present in the image (label maps) or per channel.
    public var counts: [Int: ClassCounts]
    /// Soft sums per class, for soft variants on probability maps; empty otherwise.
    public var terms: [Int: OverlapTerms]
    /// Class ids the image's files contain (label maps), or the channel ids.
    public var present: [Int]
    /// How each side was read: `labels`, `binary`, `palette-labels`, `rgb`, `channels`, `probability`.
    public var truthEncoding: String
    public var predictionEncoding: String

    /// Counts of class `id`: an absent class has TP = FP = FN = 0 and every pixel TN.
    public func counts(of id: Int) -> ClassCounts { counts[id] ?? ClassCounts(tn: pixels) }

    /// The sums a formula uses for class `id`.
    public func terms(of id: Int) -> OverlapTerms {
        if let soft = terms[id] { return soft }
        return counts(of: id).terms
    }
}

/// A pair that could not be scored, with the file at fault and a one-line reason.
public struct PairFailure: Error, Sendable, Equatable {
    public var key: String
    public var path: String
    public var message: String
}

/// How `auto` read a label-map side, for the check that every file of a side is read one way.
enum AutoReading: Sendable, Equatable {
    /// Only 0 and the type's maximum (0/255, 0/65535): read as binary, the maximum as label 1.
    case binaryByMaximum
    /// Ids other than 0 and 1: read as a label map.
    case labelsBeyondOne
}

/// One side's facts that matter beyond the pair: its `auto` reading and how many ids it holds.
struct SideNotes: Sendable, Equatable {
    /// Nil when the side was not decided by `auto` or holds nothing but 0 and 1 (either reading).
    var reading: AutoReading?
    /// Distinct nonzero ids of a non-palette label map read under `auto`; 0 otherwise.
    var autoLabelCount = 0

    init(reading: AutoReading? = nil) {
        self.reading = reading
    }

    /// The notes of a label map read under `auto` holding the nonzero ids `ids` (ignore labels aside).
    init(ids: [Int], palette: Bool) {
        reading = ids.contains { $0 > 1 } ? .labelsBeyondOne : nil
        autoLabelCount = palette ? 0 : ids.count
    }
}

/// A counted pair and the notes the run needs from it.
struct CountedPair: Sendable {
    var counts: ImageCounts
    var truth = SideNotes()
    var prediction = SideNotes()
    /// True when both sides are channel data (no label-map side): no class is background.
    var channelsOnBothSides = false
}

/// Decodes and counts one pair. A value type with no shared state: one per worker, or shared.
struct PairEvaluator: Sendable {
    var options: EvaluationOptions
    var decoder: MaskDecoder
    /// Joint histograms reused across pairs: one per worker in flight, cleared row by row.
    let histograms = HistogramPool()
    /// Sample buffers reused across pairs: each pair decodes into buffers earlier pairs handed back.
    let sampleBuffers: SampleBufferPool
    /// What the pairs in flight hold: `options.maxMemory` less what the buffer pool may keep.
    let budget: ByteBudget

    /// An evaluator whose decoder refuses files over `options.maxMemory` and whose pairs in flight
    /// hold at most that much together.
    init(options: EvaluationOptions, decoder: MaskDecoder) {
        self.options = options
        var decoder = decoder
        decoder.maxBytes = options.maxMemory.bytes
        decoder.maxBytesName = options.maxMemory.name
        self.decoder = decoder
        // Spare buffers kept between pairs are part of the budget: at most an eighth, 64 MiB.
        let reserve = min(64 << 20, options.maxMemory.bytes / 8)
        sampleBuffers = SampleBufferPool(byteLimit: reserve)
        budget = ByteBudget(capacity: options.maxMemory.bytes - reserve)
    }

    func evaluate(_ pair: MaskPair) -> Result<CountedPair, PairFailure> {
        let readers: PairReaders
        let need: UInt64
        do throws(PairFailure) {
            readers = try open(pair)
            need = try bytesNeeded(pair, readers)
        } catch {
            return .failure(error)
        }
        // A pair larger than the pairs' share runs alone, after the spare buffers are dropped.
        let grant = min(need, budget.capacity)
        budget.acquire(grant)
        if need > budget.capacity { sampleBuffers.drain() }
        var used: [MaskSamples] = []
        let outcome: Result<CountedPair, PairFailure>
        do throws(PairFailure) {
            outcome = .success(try count(pair, readers, used: &used))
        } catch {
            outcome = .failure(error)
        }
        // The masks died with `count`'s scope: the pool now holds the buffers' only references.
        for samples in used { sampleBuffers.give(back: samples) }
        used.removeAll()
        budget.release(grant)
        return outcome
    }

    /// The open files of a pair, headers read.
    struct PairReaders {
        var truth: MaskReader
        var prediction: MaskReader?
        var roi: MaskReader?
    }

    /// Opens the pair's files and reads their headers. When a prediction or region-of-interest
    /// file cannot be opened, a ground truth that fails to decode is reported first, as always.
    private func open(_ pair: MaskPair) throws(PairFailure) -> PairReaders {
        let truth = try open(pair.truth, key: pair.key)
        do throws(PairFailure) {
            let prediction = try pair.prediction.map { file throws(PairFailure) in try open(file, key: pair.key) }
            let roi = try pair.roi.map { file throws(PairFailure) in try open(file, key: pair.key) }
            return PairReaders(truth: truth, prediction: prediction, roi: roi)
        } catch {
            let grant = min(truth.header.decodedBytes, budget.capacity)
            budget.acquire(grant)
            defer { budget.release(grant) }
            do {
                _ = try truth.decode()
            } catch let truthError {
                throw PairFailure(key: pair.key, path: pair.truth.path, message: truthError.reason)
            }
            throw error
        }
    }

    private func open(_ file: MaskFile, key: String) throws(PairFailure) -> MaskReader {
        do {
            return try decoder.open(path: file.path)
        } catch {
            throw PairFailure(key: key, path: file.path, message: error.reason)
        }
    }

    private func decode(_ reader: MaskReader, key: String) throws(PairFailure) -> DecodedMask {
        do {
            var spare = sampleBuffers.take()
            return try reader.decode(reusing: &spare)
        } catch {
            throw PairFailure(key: key, path: reader.path, message: error.reason)
        }
    }

    /// What decoding and counting the pair holds at once: the decoded masks (or the empty
    /// prediction of `--missing empty`) and the counting buffers `workingBytes` estimates.
    /// - Throws: when that is more than `options.maxMemory`: a failure naming the option.
    private func bytesNeeded(_ pair: MaskPair, _ readers: PairReaders) throws(PairFailure) -> UInt64 {
        let truth = readers.truth.header
        let pixels = UInt64(truth.pixelCount)
        let colour = truth.color == .rgb || truth.color == .rgba || truth.color == .grayAlpha
        let prediction = readers.prediction?.header.decodedBytes ?? Self.product(pixels, UInt64(colour ? 1 : truth.channels))
        let roi = readers.roi?.header.decodedBytes ?? 0
        let working = workingBytes(truth: truth, prediction: readers.prediction?.header, roi: readers.roi != nil)
        let need = Self.sum([truth.decodedBytes, prediction, roi, working])
        let limit = options.maxMemory
        guard need > limit.bytes else { return need }
        var parts = ["ground truth \(MemoryLimit.describe(truth.decodedBytes))", "prediction \(MemoryLimit.describe(prediction))"]
        if readers.roi != nil { parts.append("region of interest \(MemoryLimit.describe(roi))") }
        parts.append("counting \(MemoryLimit.describe(working))")
        let largest = [(truth.decodedBytes, pair.truth.path), (readers.prediction?.header.decodedBytes ?? 0, pair.prediction?.path ?? ""),
            (roi, pair.roi?.path ?? "")].max { $0.0 < $1.0 }!
        throw PairFailure(
            key: pair.key, path: largest.1,
            message: "too large: the pair needs \(MemoryLimit.describe(need)) to decode and count (\(parts.joined(separator: ", "))), "
                + "more than \(limit.name)")
    }

    /// An upper estimate of the buffers counting allocates beside the decoded masks, from the
    /// headers alone (the counting path is only known after decoding, so every path that may
    /// apply is counted): region-of-interest and ignore flags (a byte per pixel each), RGB label
    /// planes (2 bytes per pixel and side) and the 64 MiB colour table, the distinct-id sets of
    /// 16- and 32-bit label maps, and for channel data the one-hot planes of a label-map side
    /// (a byte per pixel and channel) and the Double background plane of a single probability map.
    func workingBytes(truth: MaskHeader, prediction: MaskHeader?, roi: Bool) -> UInt64 {
        let n = UInt64(truth.pixelCount)
        var bytes: UInt64 = 256 << 10  // the joint histogram
        if roi { bytes = Self.sum([bytes, n]) }
        if !options.ignoreLabels.isEmpty { bytes = Self.sum([bytes, n]) }
        let sides = [truth] + (prediction.map { [$0] } ?? [])
        var channelData = options.truthEncoding == .channels || options.truthEncoding == .probability
            || options.predictionEncoding == .channels || options.predictionEncoding == .probability
        var channels: UInt64 = 1
        for side in sides {
            if side.color == .rgb || side.color == .rgba {
                bytes = Self.sum([bytes, Self.product(n, 2), 64 << 20])
            }
            switch side.sampleType {
            case .uint16: bytes = Self.sum([bytes, 2 << 20])
            case .uint32: bytes = Self.sum([bytes, Self.product(n, 16)])
            case .float32: channelData = true
            case .uint8: break
            }
            let k = UInt64(side.channels) * (options.pages == .channels ? UInt64(side.pages) : 1)
            if k > 1 && side.color != .rgb && side.color != .rgba { channelData = true }
            channels = max(channels, k)
        }
        if channelData { bytes = Self.sum([bytes, Self.product(n, channels), Self.product(n, 8)]) }
        return bytes
    }

    private static func sum(_ values: [UInt64]) -> UInt64 {
        values.reduce(0) { total, value in
            let (result, overflow) = total.addingReportingOverflow(value)
            return overflow ? .max : result
        }
    }

    private static func product(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let (result, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? .max : result
    }

    /// - Parameter used: receives the decoded sample buffers, to be handed back once the masks are gone.
    private func count(_ pair: MaskPair, _ readers: PairReaders, used: inout [MaskSamples]) throws(PairFailure) -> CountedPair {
        let truth = try decode(readers.truth, key: pair.key)
        defer { used.append(truth.samples) }
        let prediction: DecodedMask
        var predictionPath = pair.truth.path
        if let reader = readers.prediction {
            prediction = try decode(reader, key: pair.key)
            predictionPath = reader.path
        } else {
            prediction = Self.emptyPrediction(like: truth)
        }
        defer { used.append(prediction.samples) }
        let roi = try pair.roi.flatMap { file throws(PairFailure) in
            try readers.roi.map { reader throws(PairFailure) in (file, try decode(reader, key: pair.key)) }
        }

        if roi == nil, let counts = try countEightBitLabels(key: pair.key, truthPath: pair.truth.path, truth: truth, prediction: prediction, predictionPath: predictionPath) {
            return counts
        }
        let colors = options.labels?.colorTable ?? [:]
        let truthSide: SideInterpretation
        let predictionSide: SideInterpretation
        do throws(InterpretationError) {
            truthSide = try truth.interpretation(
                encoding: options.truthEncoding, pages: options.pages, ignored: options.ignoreLabels, colors: colors)
        } catch {
            throw PairFailure(key: pair.key, path: pair.truth.path, message: error.message)
        }
        do throws(InterpretationError) {
            predictionSide = try prediction.interpretation(
                encoding: options.predictionEncoding, pages: options.pages, ignored: [], colors: colors)
        } catch {
            throw PairFailure(key: pair.key, path: predictionPath, message: error.message)
        }

        let truthShape = shape(of: truth, side: truthSide)
        let predictionShape = shape(of: prediction, side: predictionSide)
        guard truthShape == predictionShape else {
            throw PairFailure(
                key: pair.key, path: predictionPath,
                message: "size mismatch: prediction is \(describe(predictionShape)), ground truth \(pair.truth.path) is \(describe(truthShape))")
        }
        var roiFlags: [UInt8]?
        if let (file, mask) = roi {
            guard mask.width == truth.width, mask.height == truth.height, mask.pixelCount == truthShape.pixels else {
                throw PairFailure(
                    key: pair.key, path: file.path,
                    message: "size mismatch: region of interest is \(mask.width)x\(mask.height)x\(mask.depth), ground truth is \(describe(truthShape))")
            }
            roiFlags = Self.flags(of: mask)
        }

        switch (truthSide, predictionSide) {
        case (.labels, .labels), (.labels, .rgbLabels), (.rgbLabels, .labels), (.rgbLabels, .rgbLabels):
            return try countLabels(
                key: pair.key, truthPath: pair.truth.path, truth: truth, truthSide: truthSide, prediction: prediction, predictionSide: predictionSide,
                predictionPath: predictionPath, roi: roiFlags)
        default:
            return try countChannels(
                key: pair.key, truthPath: pair.truth.path, truth: truth, truthSide: truthSide, prediction: prediction,
                predictionSide: predictionSide, predictionPath: predictionPath, roi: roiFlags)
        }
    }

    /// The prediction of `--missing empty`: every pixel background, in the ground truth's shape.
    /// RGB ground truth gets a one-channel label map of zeros (id 0); channel data gets its
    /// channels, all off.
    static func emptyPrediction(like truth: DecodedMask) -> DecodedMask {
        let colour = truth.declaration.color == .rgb || truth.declaration.color == .rgba || truth.declaration.color == .grayAlpha
        let channels = colour ? 1 : truth.channels
        var declaration = truth.declaration
        declaration.color = channels == 1 ? .gray : .multi
        declaration.bitDepth = 8
        declaration.palette = []
        return DecodedMask(
            width: truth.width, height: truth.height, depth: truth.depth, channels: channels,
            samples: .uint8([UInt8](repeating: 0, count: truth.pixelCount * channels)), declaration: declaration)
    }

    // MARK: shapes

    struct Shape: Equatable {
        var width: Int
        var height: Int
        var depth: Int
        var pixels: Int { width * height * depth }
    }

    private func shape(of mask: DecodedMask, side: SideInterpretation) -> Shape {
        if case .channels(let layout) = side, layout.pageMajor {
            return Shape(width: mask.width, height: mask.height, depth: 1)
        }
        return Shape(width: mask.width, height: mask.height, depth: mask.depth)
    }

    private func describe(_ shape: Shape) -> String {
        shape.depth == 1 ? "\(shape.width)x\(shape.height)" : "\(shape.width)x\(shape.height)x\(shape.depth)"
    }

    /// A region-of-interest mask as 0/1 flags: nonzero in any channel is inside.
    static func flags(of mask: DecodedMask) -> [UInt8] {
        let k = mask.channels
        var flags = [UInt8](repeating: 0, count: mask.pixelCount)
        switch mask.samples {
        case .uint8(let v): for i in 0..<flags.count { for c in 0..<k where v[i * k + c] != 0 { flags[i] = 1 } }
        case .uint16(let v): for i in 0..<flags.count { for c in 0..<k where v[i * k + c] != 0 { flags[i] = 1 } }
        case .uint32(let v): for i in 0..<flags.count { for c in 0..<k where v[i * k + c] != 0 { flags[i] = 1 } }
        case .float32(let v): for i in 0..<flags.count { for c in 0..<k where v[i * k + c] != 0 { flags[i] = 1 } }
        }
        return flags
    }

    // MARK: label maps

    /// The common case in one pass: two 8-bit single-channel label (or binary) maps, no ROI. A
    /// joint histogram replaces the binary-detection scans, the id scans, the lookup-table build
    /// and the counting loop. Nil when the pair is not of that kind (the general path handles it).
    private func countEightBitLabels(
        key: String, truthPath: String, truth: DecodedMask, prediction: DecodedMask, predictionPath: String
    ) throws(PairFailure) -> CountedPair? {
        let readable: Set<MaskEncoding> = [.auto, .labels, .binary]
        guard readable.contains(options.truthEncoding), readable.contains(options.predictionEncoding),
            case .uint8(let truthValues) = truth.samples, case .uint8(let predictionValues) = prediction.samples,
            truth.channels == 1, prediction.channels == 1, truth.width == prediction.width, truth.height == prediction.height,
            truth.depth == prediction.depth, truth.pixelCount <= JointHistogram8.maximumPixels,
            !(options.pages == .channels && truth.depth > 1)
        else { return nil }
        var histogram = histograms.take()
        defer { histograms.give(back: &histogram) }
        truthValues.withUnsafeBufferPointer { t in
            predictionValues.withUnsafeBufferPointer { p in histogram.accumulate(truth: t, prediction: p) }
        }
        let truthCounts = histogram.truthHistogram
        let predictionCounts = histogram.predictionHistogram
        let ignored = options.ignoreLabels
        let truthRead = Self.eightBitInterpretation(
            truth, counts: truthCounts, encoding: options.truthEncoding, ignored: ignored)
        let predictionRead = Self.eightBitInterpretation(
            prediction, counts: predictionCounts, encoding: options.predictionEncoding, ignored: [])
        func present(_ counts: [Int], _ aliases: [Int: Int]) -> [Int] {
            Array(Set((0..<256).filter { counts[$0] > 0 }.map { aliases[$0] ?? $0 })).sorted()
        }
        let ids = try resolveIDs(
            key: key, truthIDs: present(truthCounts, truthRead.aliases), predictionIDs: present(predictionCounts, predictionRead.aliases),
            truthPath: truthPath, predictionPath: predictionPath)
        let all: [ClassCounts]
        if ids.count > ClassLimits.denseClasses {
            // Many classes (a long --classes or --labels list): the histogram's nonzero cells as pairs.
            var keys: [UInt64] = []
            var cellCounts: [Int] = []
            for t in 0..<256 where truthCounts[t] > 0 {
                for q in 0..<256 where histogram.cells[t << 8 | q] != 0 {
                    keys.append(UInt64(t) << 32 | UInt64(q))
                    cellCounts.append(Int(histogram.cells[t << 8 | q]))
                }
            }
            all = PairCounts(keys: keys, counts: cellCounts).classCounts(
                ids: ids, ignored: ignored, truthAliases: truthRead.aliases, predictionAliases: predictionRead.aliases
            ).counts
        } else {
            let table = ClassTable(
                ids: ids, ignored: ignored, truthAliases: truthRead.aliases, predictionAliases: predictionRead.aliases, valueLimit: 256)
            all = histogram.confusion(table: table, truthRows: (0..<256).filter { truthCounts[$0] > 0 }).classCounts
        }
        var counts: [Int: ClassCounts] = [:]
        for (index, id) in ids.enumerated() { counts[id] = all[index] }
        let imageCounts = ImageCounts(
            pixels: all.first?.total ?? 0, counts: counts, terms: [:], present: ids, truthEncoding: truthRead.kind,
            predictionEncoding: predictionRead.kind)
        return CountedPair(counts: imageCounts, truth: truthRead.notes, prediction: predictionRead.notes)
    }

    /// The interpretation rules of `DecodedMask.interpretation`, read off a 256-bin histogram.
    static func eightBitInterpretation(_ mask: DecodedMask, counts: [Int], encoding: MaskEncoding, ignored: [Int])
        -> (aliases: [Int: Int], kind: String, notes: SideNotes)
    {
        let labels = mask.declaration.color == .palette ? "palette-labels" : "labels"
        let nonzero = (1..<256).filter { counts[$0] > 0 && !ignored.contains($0) }
        switch encoding {
        case .binary:
            var aliases: [Int: Int] = [:]
            for v in nonzero where v > 1 { aliases[v] = 1 }
            return (aliases, "binary", SideNotes())
        case .auto:
            if let maximum = mask.binaryMaximum, !nonzero.isEmpty, nonzero.allSatisfy({ $0 == maximum }) {
                return ([maximum: 1], "binary", SideNotes(reading: .binaryByMaximum))
            }
            return ([:], labels, SideNotes(ids: nonzero, palette: mask.declaration.color == .palette))
        default:
            return ([:], labels, SideNotes())
        }
    }

    /// The scored ids of one pair: `--classes`/`--labels` (checking that nothing else but 0 and the
    /// ignore labels appears), else every id present.
    /// - Throws: `PairFailure` for an unknown id, or for more ids than `ClassLimits.perPair`.
    private func resolveIDs(key: String, truthIDs: [Int], predictionIDs: [Int], truthPath: String, predictionPath: String)
        throws(PairFailure) -> [Int]
    {
        let ignored = options.ignoreLabels
        guard let explicit = options.explicitClasses else {
            let ids = Array(Set(truthIDs + predictionIDs).subtracting(ignored)).sorted()
            if ids.count > ClassLimits.perPair {
                // Name the side that is over the limit on its own, else the ground truth.
                let predictionOnly = Set(predictionIDs).subtracting(ignored).count
                let overTruth = Set(truthIDs).subtracting(ignored).count > ClassLimits.perPair
                let path = !overTruth && predictionOnly > ClassLimits.perPair ? predictionPath : truthPath
                throw PairFailure(
                    key: key, path: path,
                    message: "\(ids.count) distinct label ids in ground truth and prediction together, more than the "
                        + "\(ClassLimits.perPair) one pair may hold (pick the classes to score with --classes)")
            }
            return ids
        }
        // Background 0 may always appear, scored or not; any other unknown id is an error.
        let allowed = ignored + (explicit.contains(0) ? [] : [0])
        do throws(UnknownLabelError) {
            try ClassTable.checkKnown(truthIDs, ids: explicit, ignored: allowed)
        } catch {
            throw PairFailure(key: key, path: truthPath, message: error.description)
        }
        do throws(UnknownLabelError) {
            try ClassTable.checkKnown(predictionIDs, ids: explicit, ignored: allowed)
        } catch {
            throw PairFailure(key: key, path: predictionPath, message: error.description)
        }
        return explicit
    }

    private func countLabels(
        key: String, truthPath: String, truth: DecodedMask, truthSide: SideInterpretation, prediction: DecodedMask,
        predictionSide: SideInterpretation, predictionPath: String, roi: [UInt8]?
    ) throws(PairFailure) -> CountedPair {
        let truthLabels = LabelBuffer(mask: truth, side: truthSide)
        let predictionLabels = LabelBuffer(mask: prediction, side: predictionSide)
        let truthIDs = truthLabels.presentIDs()
        let predictionIDs = predictionLabels.presentIDs()
        let ignored = options.ignoreLabels
        let ids = try resolveIDs(
            key: key, truthIDs: truthIDs, predictionIDs: predictionIDs, truthPath: truthPath, predictionPath: predictionPath)
        let all: [ClassCounts]
        if ids.count > ClassLimits.denseClasses {
            // Many ids (instance maps): count the distinct pairs, not a (C+1)² matrix.
            let pairs = truthLabels.accept(SparseTruthSide(prediction: predictionLabels, roi: roi))
            all = pairs.classCounts(
                ids: ids, ignored: ignored, truthAliases: truthLabels.aliases, predictionAliases: predictionLabels.aliases
            ).counts
        } else {
            let table = ClassTable(
                ids: ids, ignored: ignored, truthAliases: truthLabels.aliases, predictionAliases: predictionLabels.aliases)
            let matrix = truthLabels.accept(TruthSide(prediction: predictionLabels, roi: roi, table: table))
            all = matrix.classCounts
        }
        var counts: [Int: ClassCounts] = [:]
        for (index, id) in ids.enumerated() { counts[id] = all[index] }
        let pixels = all.first?.total ?? 0
        let imageCounts = ImageCounts(
            pixels: pixels, counts: counts, terms: [:], present: ids, truthEncoding: truthSide.name,
            predictionEncoding: predictionSide.name)
        return CountedPair(
            counts: imageCounts,
            truth: Self.notes(truthSide, mask: truth, ids: truthIDs, encoding: options.truthEncoding, ignored: ignored),
            prediction: Self.notes(predictionSide, mask: prediction, ids: predictionIDs, encoding: options.predictionEncoding, ignored: []))
    }

    /// The `auto` notes of a label-map side holding `ids` (after its aliases).
    private static func notes(
        _ side: SideInterpretation, mask: DecodedMask, ids: [Int], encoding: MaskEncoding, ignored: [Int]
    ) -> SideNotes {
        guard encoding == .auto, case .labels(let aliases, _) = side else { return SideNotes() }
        if !aliases.isEmpty { return SideNotes(reading: .binaryByMaximum) }
        return SideNotes(ids: ids.filter { $0 != 0 && !ignored.contains($0) }, palette: mask.declaration.color == .palette)
    }

    // MARK: channels and probabilities

    private func countChannels(
        key: String, truthPath: String, truth: DecodedMask, truthSide: SideInterpretation, prediction: DecodedMask,
        predictionSide: SideInterpretation, predictionPath: String, roi: [UInt8]?
    ) throws(PairFailure) -> CountedPair {
        var truthLayout: ChannelLayout?
        var predictionLayout: ChannelLayout?
        if case .channels(let layout) = truthSide { truthLayout = layout }
        if case .channels(let layout) = predictionSide { predictionLayout = layout }
        if let a = truthLayout, let b = predictionLayout, a.count != b.count {
            throw PairFailure(key: key, path: predictionPath, message: "prediction has \(b.count) channels, ground truth has \(a.count)")
        }
        let k = truthLayout?.count ?? predictionLayout?.count ?? 1
        // Channel ids are the 0-based channel indices; a single probability map is the binary
        // problem: class 1 is p, class 0 (background) is 1 − p, as for the label map it thresholds to.
        let binary = k == 1 && (truthLayout?.binaryForeground == true || predictionLayout?.binaryForeground == true)
        let ids = binary ? [0, 1] : Array(0..<k)
        let n = shape(of: truth, side: truthSide).pixels
        let variant = options.variant
        let complement: Activation? = binary && !variant.isHard ? variant.activation : nil
        let truthPlanes: ChannelSource
        var roi = roi
        do throws(InterpretationError) {
            truthPlanes = try ChannelSource(
                mask: truth, side: truthSide, ids: ids, pixels: n, ignored: options.ignoreLabels,
                complementActivation: complement == nil ? nil : Activation.none)
            // Ignore labels of a label-map ground truth leave those pixels out, like the ROI does.
            if let keep = truthPlanes.keepFlags(ignoring: options.ignoreLabels) {
                roi = roi.map { zip($0, keep).map { $0 & $1 } } ?? keep
            }
        } catch {
            throw PairFailure(key: key, path: truthPath, message: error.message)
        }
        let predictionPlanes: ChannelSource
        do throws(InterpretationError) {
            predictionPlanes = try ChannelSource(
                mask: prediction, side: predictionSide, ids: ids, pixels: n, complementActivation: complement,
                logitsAllowed: variant.activation != .none)
        } catch {
            throw PairFailure(key: key, path: predictionPath, message: error.message)
        }
        var counts: [Int: ClassCounts] = [:]
        var terms: [Int: OverlapTerms] = [:]
        let roiPlane = roi
        // Positions counted directly; in the binary problem class 0's hard counts are class 1's
        // with the roles swapped (TP ↔ TN, FP ↔ FN), exactly as for a thresholded 0/1 mask.
        let counted = binary ? [1] : Array(ids.indices)
        if variant.isHard && variant.binarization == .argmax && predictionPlanes.probabilities && k > 1 {
            let all = truthPlanes.argmaxCounts(against: predictionPlanes, roi: roiPlane)
            for (index, id) in ids.enumerated() { counts[id] = all[index] }
        } else {
            for index in counted {
                let id = ids[index]
                let channel = binary ? 0 : index
                if variant.isHard {
                    let rule: Binarization
                    if !predictionPlanes.probabilities {
                        rule = .nonzero
                    } else if k > 1, let multi = variant.multiChannelBinarization {
                        rule = multi
                    } else if case .threshold = variant.binarization {
                        rule = .threshold(options.threshold(forChannel: channel))
                    } else if variant.binarization == .argmax {
                        rule = .threshold(0.5)  // one channel: argmax of [1 − p, p]
                    } else {
                        rule = variant.binarization
                    }
                    counts[id] = truthPlanes.counts(index, against: predictionPlanes, rule: rule, roi: roiPlane)
                } else {
                    terms[id] = truthPlanes.terms(
                        index, against: predictionPlanes, power: variant.formula.power, activation: variant.activation,
                        roi: roiPlane)
                    counts[id] = truthPlanes.counts(
                        index, against: predictionPlanes, rule: .threshold(options.threshold(forChannel: channel)),
                        roi: roiPlane)
                }
            }
            if binary, let foreground = counts[1] {
                counts[0] = ClassCounts(tp: foreground.tn, fp: foreground.fn, fn: foreground.fp, tn: foreground.tp)
                if !variant.isHard {
                    terms[0] = truthPlanes.terms(0, against: predictionPlanes, power: variant.formula.power, activation: .none, roi: roiPlane)
                }
            }
        }
        let pixels = roi.map { $0.reduce(0) { $0 + Int($1) } } ?? n
        let imageCounts = ImageCounts(
            pixels: pixels, counts: counts, terms: terms, present: ids, truthEncoding: truthSide.name,
            predictionEncoding: predictionSide.name)
        return CountedPair(
            counts: imageCounts, channelsOnBothSides: truthLayout != nil && predictionLayout != nil && !binary)
    }
}


/// Reusable joint histograms (256 KB each), so no pair allocates or zeroes a whole one.
/// Decoded sample arrays handed back after a pair is counted, for the next pair to decode into.
/// Buffers come back only after their masks are gone, so the pool holds their only references and
/// the decoder writes into them without a copy: about two buffers per worker.
final class SampleBufferPool: Sendable {
    private let free = Locked<(buffers: [MaskSamples], bytes: UInt64)>(([], 0))
    /// More than the two masks per worker in flight is never needed.
    private static let limit = 16
    /// Bytes the kept buffers may hold together (they count against the memory budget).
    let byteLimit: UInt64

    init(byteLimit: UInt64) {
        self.byteLimit = byteLimit
    }

    func take() -> MaskSamples? {
        free.withLock { pool in
            guard let samples = pool.buffers.popLast() else { return nil }
            pool.bytes -= Self.bytes(of: samples)
            return samples
        }
    }

    func give(back samples: MaskSamples) {
        let size = Self.bytes(of: samples)
        free.withLock { pool in
            if pool.buffers.count < Self.limit && pool.bytes + size <= byteLimit {
                pool.buffers.append(samples)
                pool.bytes += size
            }
        }
    }

    /// Drops every kept buffer (before a pair that needs the whole budget).
    func drain() {
        let dropped = free.withLock { pool in
            defer { pool = ([], 0) }
            return pool.buffers
        }
        _ = dropped  // released here, outside the lock
    }

    /// The bytes a buffer holds (its element count; capacity may be a little more).
    private static func bytes(of samples: MaskSamples) -> UInt64 {
        UInt64(samples.count * samples.type.byteWidth)
    }
}

final class HistogramPool: Sendable {
    private let free = Locked<[JointHistogram8]>([])

    func take() -> JointHistogram8 {
        free.withLock { $0.popLast() } ?? JointHistogram8()
    }

    func give(back histogram: inout JointHistogram8) {
        histogram.reset()
        let cleared = histogram
        free.withLock { $0.append(cleared) }
    }
}
