import Foundation
import SegMetrics

/// A quality gate asked for on the command line.
public enum GateSpec: Sendable, Equatable {
    /// `--fail-under X`: the headline mean must be at least X.
    case headline(minimum: Double)
    /// `--fail-under-class NAME_OR_ID=X`: that class's mean must be at least X.
    case classMean(nameOrID: String, minimum: Double)
    /// `--baseline OLD.json --max-drop D`: no class mean and not the headline may drop by more than D.
    case maxDrop(Double)

    /// Parses `NAME_OR_ID=X`.
    public static func classGate(_ text: String) -> GateSpec? {
        guard let equals = text.lastIndex(of: "="), let minimum = Double(text[text.index(after: equals)...]) else { return nil }
        let name = String(text[..<equals])
        return name.isEmpty ? nil : .classMean(nameOrID: name, minimum: minimum)
    }
}

/// An earlier `--json` report: what `--baseline` compares with.
public struct Baseline: Sendable {
    /// Class id → mean.
    public var classMeans: [Int: Double]
    public var headline: Double?
    /// Image key → class id → value, for the paired bootstrap.
    public var images: [String: [Int: Double]]
    public var path: String

    /// The parts of a `segscore.report/1` document a baseline needs. Decoded with JSONDecoder,
    /// which reads numbers exactly (JSONSerialization on Linux can be one ulp off, and an unchanged
    /// run would then look like a drop).
    private struct Document: Decodable {
        struct ClassEntry: Decodable {
            var id: Int
            var mean: Double?
        }
        struct Aggregate: Decodable { var mean: Double? }
        struct Image: Decodable {
            struct Value: Decodable {
                var id: Int
                var dice: Double?
            }
            var key: String
            var classes: [Value]
        }
        var schema: String
        var classes: [ClassEntry]
        var aggregate: Aggregate?
        var images: [Image]?
    }

    /// Reads a `segscore.report/1` JSON file.
    /// - Throws: `EvaluationSetupError` naming the file and what is wrong.
    public static func load(path: String) throws(EvaluationSetupError) -> Baseline {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EvaluationSetupError(description: "--baseline \(path): cannot read the file")
        }
        guard let document = try? JSONDecoder().decode(Document.self, from: data), document.schema == "segscore.report/1" else {
            throw EvaluationSetupError(description: "--baseline \(path): not a segscore.report/1 JSON report")
        }
        var means: [Int: Double] = [:]
        for c in document.classes { if let mean = c.mean { means[c.id] = mean } }
        var images: [String: [Int: Double]] = [:]
        for image in document.images ?? [] {
            var values: [Int: Double] = [:]
            for c in image.classes { values[c.id] = c.dice ?? .nan }
            images[image.key] = values
        }
        return Baseline(classMeans: means, headline: document.aggregate?.mean, images: images, path: path)
    }
}

/// The outcome of one quality gate.
public struct GateOutcome: Sendable, Equatable {
    public var name: String
    public var value: Double
    public var threshold: Double
    public var passed: Bool
    /// For baseline gates: the baseline's value, the difference, and the paired bootstrap's 95%
    /// interval of the difference (nil without matching images or with `--bootstrap 0`).
    public var baseline: Double?
    public var difference: Double?
    public var interval: BootstrapInterval?

    public init(
        name: String, value: Double, threshold: Double, passed: Bool, baseline: Double? = nil, difference: Double? = nil,
        interval: BootstrapInterval? = nil
    ) {
        self.name = name
        self.value = value
        self.threshold = threshold
        self.passed = passed
        self.baseline = baseline
        self.difference = difference
        self.interval = interval
    }

    /// True when the whole interval of the difference lies below zero: a drop larger than the noise.
    public var dropBeyondNoise: Bool? { interval.map { $0.upper < 0 } }

    /// The failure message JUnit and the summary show.
    public var message: String {
        if let baseline, let difference {
            var text = "\(EvaluationReport.fixed(value)) vs baseline \(EvaluationReport.fixed(baseline)): "
                + "change \(EvaluationReport.signed(difference)), allowed drop \(EvaluationReport.fixed(threshold))"
            if let interval {
                text += ", 95% CI of the change [\(EvaluationReport.signed(interval.lower)), \(EvaluationReport.signed(interval.upper))]"
                text += dropBeyondNoise == true ? " (beyond noise)" : " (within noise)"
            }
            return text
        }
        return "\(EvaluationReport.fixed(value)) \(passed ? ">=" : "<") \(EvaluationReport.fixed(threshold))"
    }
}

/// Checks the gates against a result.
public enum QualityGates {
    /// Evaluates every gate, in the order given (baseline gates: headline first, then classes).
    /// - Throws: `EvaluationSetupError` when a class name is unknown or `--max-drop` has no baseline.
    public static func evaluate(
        _ specs: [GateSpec], result: EvaluationResult, baseline: Baseline?, bootstrap: Bootstrap
    ) throws(EvaluationSetupError) -> [GateOutcome] {
        let summary = result.summary
        let options = result.options
        var outcomes: [GateOutcome] = []
        for spec in specs {
            switch spec {
            case .headline(let minimum):
                let value = summary.mean
                outcomes.append(GateOutcome(name: "mean >= \(minimum)", value: value, threshold: minimum, passed: value >= minimum))
            case .classMean(let text, let minimum):
                guard let id = options.labels?.id(named: text) ?? Int(text) else {
                    throw EvaluationSetupError(description: "--fail-under-class: no class named '\(text)' in --labels")
                }
                let value = summary.classes.first { $0.id == id }?.mean ?? .nan
                outcomes.append(
                    GateOutcome(
                        name: "class \(options.name(of: id)) mean >= \(minimum)", value: value, threshold: minimum,
                        passed: value >= minimum))
            case .maxDrop(let drop):
                guard let baseline else { throw EvaluationSetupError(description: "--max-drop needs --baseline OLD.json") }
                outcomes += baselineGates(drop: drop, result: result, baseline: baseline, bootstrap: bootstrap)
            }
        }
        return outcomes
    }

    private static func baselineGates(drop: Double, result: EvaluationResult, baseline: Baseline, bootstrap: Bootstrap)
        -> [GateOutcome]
    {
        let summary = result.summary
        let ids = result.classIDs.filter { baseline.classMeans[$0] != nil }
        // Paired bootstrap over the images both reports scored.
        var current: [[Double]] = []
        var before: [[Double]] = []
        let width = result.classIDs.count
        let positions = ids.map { result.classIDs.firstIndex(of: $0)! }
        for (row, record) in result.records.enumerated() {
            guard let old = baseline.images[record.key] else { continue }
            current.append(positions.map { result.classValues[row * width + $0] })
            before.append(ids.map { old[$0] ?? .nan })
        }
        let headlinePositions = ids.indices.filter { summary.headlineClassIDs.contains(ids[$0]) }
        let intervals = current.isEmpty
            ? (classes: [BootstrapInterval?](repeating: nil, count: ids.count), headline: nil)
            : bootstrap.differenceIntervals(current: current, baseline: before, headline: headlinePositions)
        var outcomes: [GateOutcome] = []
        if let old = baseline.headline {
            let change = summary.mean - old
            outcomes.append(
                GateOutcome(
                    name: "mean drop <= \(drop) vs baseline", value: summary.mean, threshold: drop, passed: change >= -drop,
                    baseline: old, difference: change, interval: intervals.headline))
        }
        for (position, id) in ids.enumerated() {
            let value = summary.classes.first { $0.id == id }?.mean ?? .nan
            let old = baseline.classMeans[id]!
            let change = value - old
            outcomes.append(
                GateOutcome(
                    name: "class \(result.options.name(of: id)) mean drop <= \(drop) vs baseline", value: value, threshold: drop,
                    passed: change >= -drop, baseline: old, difference: change, interval: intervals.classes[position]))
        }
        return outcomes
    }
}
