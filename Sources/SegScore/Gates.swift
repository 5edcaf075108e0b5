import Foundation
import ReportWriters
import SegMetrics

/// A quality gate asked for on the command line.
public enum GateSpec: Sendable, Equatable {
    /// `--fail-under X`: the headline mean must be at least X.
    case headline(minimum: Double)
    /// `--fail-under-class NAME_OR_ID=X`: that class's mean must be at least X.
    case classMean(nameOrID: String, minimum: Double)
    /// `--baseline OLD.json --max-drop D`: no class mean and not the headline may drop by more than D.
    case maxDrop(Double)
    /// `--fail-over METRIC:X` (`above`) or `--fail-under nsd:X`: a boundary metric's headline;
    /// `classID` set for `--fail-over-class NAME=METRIC:X` / `--fail-under-class NAME=nsd:X`.
    case surface(nameOrID: String?, metric: String, limit: Double, above: Bool)

    /// Parses `NAME_OR_ID=X`.
    public static func classGate(_ text: String) -> GateSpec? {
        guard let equals = text.lastIndex(of: "=") else { return nil }
        let name = String(text[..<equals])
        if let metric = SurfaceGates.metricLimit(String(text[text.index(after: equals)...])), !name.isEmpty {
            return .surface(nameOrID: name, metric: metric.name, limit: metric.limit, above: false)
        }
        guard let minimum = Double(text[text.index(after: equals)...]) else { return nil }
        return name.isEmpty ? nil : .classMean(nameOrID: name, minimum: minimum)
    }
}

/// An earlier `--json` report: what `--baseline` compares with.
///
/// A baseline is only compared with a run that scored the same thing: the same variant, formula,
/// 0/0 rule, smoothing, background rule, ignore labels and classes (ids and names). Anything else
/// is a configuration error (exit 2) naming what differs (`compatibility(with:)`). Differences
/// that do not change what a number means (threshold, binarisation, few images in common) are
/// warnings.
public struct Baseline: Sendable {
    /// Class id → mean (classes whose mean is null are left out).
    public var classMeans: [Int: Double]
    /// `aggregate.mean`; nil when null or absent.
    public var headline: Double?
    /// Image key → class id → value (NaN for null), for the bootstrap of the change.
    public var images: [String: [Int: Double]]
    /// The `--baseline` path as given, which every message about the baseline names.
    public var path: String
    /// The report's classes in its order: id and name.
    public var classes: [(id: Int, name: String)]
    /// `aggregate.classes`: the classes of its headline.
    public var headlineClassIDs: [Int]?
    /// How the baseline was scored (`config`).
    public var definition: Definition

    /// The parts of `config` that say what a number means.
    public struct Definition: Sendable, Equatable {
        /// `config.variant`: the `--variant` name (a base formula or a preset).
        public var variant: String
        /// `config.formula`: the formula as the report prints it.
        public var formula: String
        /// `config.empty`: the name of the 0/0 rule (`nan`, `one`, `zero`, `gt-empty-nan`, `gt-empty-one`).
        public var empty: String?
        /// `config.smooth_nr` (`smooth` when the report has only that): numerator smoothing, one value or one per class.
        public var smoothNumerator: [Double]?
        /// `config.smooth_dr` (`smooth` when the report has only that): denominator smoothing, one value or one per class.
        public var smoothDenominator: [Double]?
        /// `config.include_background`: whether class 0 counted in the headline; nil when not known (a
        /// report without the key, or a run given no `--include-background` and left to the data).
        public var includeBackground: Bool?
        /// `config.ignore_labels`: ground-truth ids left out of every count.
        public var ignoreLabels: [Int]?
        /// `config.binarize`: the `--binarize` spelling for hard variants; nil for soft ones.
        public var binarize: String?
        /// `config.threshold`: the `--threshold` values, one or one per channel.
        public var threshold: [Double]?
        /// `--activation` (`none` when a report has no `activation` key).
        public var activation: String = "none"

        /// The definition of the current run, as its report's `config` states it.
        public init(options: EvaluationOptions) {
            let variant = options.variant
            self.variant = variant.name
            formula = variant.formulaText
            empty = variant.empty.rawValue
            smoothNumerator = variant.smoothing.numerator
            smoothDenominator = variant.smoothing.denominator
            includeBackground = options.includeBackground
            ignoreLabels = options.ignoreLabels
            binarize = variant.isHard ? variant.binarization.name : nil
            threshold = options.thresholds
            activation = variant.activation.rawValue
        }

        init(_ config: Document.Config) {
            variant = config.variant
            formula = config.formula
            empty = config.empty
            smoothNumerator = config.smoothNumerator ?? config.smooth
            smoothDenominator = config.smoothDenominator ?? config.smooth
            includeBackground = config.includeBackground
            ignoreLabels = config.ignoreLabels
            binarize = config.binarize
            threshold = config.threshold
            activation = config.activation ?? "none"
        }
    }

    /// The parts of a `segscore.report/1` document a baseline needs. Decoded with JSONDecoder,
    /// which reads numbers exactly (JSONSerialization on Linux can be one ulp off, and an unchanged
    /// run would then look like a drop).
    struct Document: Decodable {
        struct Config: Decodable {
            var variant: String
            var formula: String
            var empty: String?
            var smooth: [Double]?
            var smoothNumerator: [Double]?
            var smoothDenominator: [Double]?
            var includeBackground: Bool?
            var ignoreLabels: [Int]?
            var binarize: String?
            var threshold: [Double]?
            /// The activation (`--activation`); absent in reports scored without one.
            var activation: String?

            // The report's keys are snake_case; every stored property must be listed here, or it
            // silently stays nil.
            enum CodingKeys: String, CodingKey {
                case variant, formula, empty, smooth, binarize, threshold, activation
                case smoothNumerator = "smooth_nr"
                case smoothDenominator = "smooth_dr"
                case includeBackground = "include_background"
                case ignoreLabels = "ignore_labels"
            }
        }
        struct ClassEntry: Decodable {
            var id: Int
            var name: String?
            var mean: Double?
        }
        struct Aggregate: Decodable {
            var mean: Double?
            var classes: [Int]?
        }
        struct Image: Decodable {
            struct Value: Decodable {
                var id: Int
                var dice: Double?
            }
            var key: String
            var classes: [Value]
        }
        var config: Config
        var classes: [ClassEntry]
        var aggregate: Aggregate?
        var images: [Image]?
    }

    /// Just `schema`: a string, nil when absent, "(not a string)" otherwise.
    private struct Schema: Decodable {
        var schema: String?
        private enum Keys: String, CodingKey { case schema }
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Keys.self)
            guard container.contains(.schema) else { return }
            schema = (try? container.decode(String.self, forKey: .schema)) ?? "(not a string)"
        }
    }

    /// Reads a `segscore.report/1` JSON file.
    /// - Throws: `EvaluationSetupError` naming the file and what is wrong.
    public static func load(path: String) throws(EvaluationSetupError) -> Baseline {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .configuration("--baseline \(path): cannot read the file")
        }
        guard let schema = try? JSONDecoder().decode(Schema.self, from: data) else {
            throw .configuration("--baseline \(path): not a JSON object (expected a segscore --json report)")
        }
        guard schema.schema == "segscore.report/1" else {
            let found = schema.schema.map { "schema '\($0)'" } ?? "no 'schema'"
            throw .configuration("--baseline \(path): \(found), expected a segscore.report/1 report (segscore --json)")
        }
        let document: Document
        do {
            document = try JSONDecoder().decode(Document.self, from: data)
        } catch {
            throw .configuration("--baseline \(path): not a complete segscore.report/1 report (\(Self.reason(error)))")
        }
        var means: [Int: Double] = [:]
        for c in document.classes { if let mean = c.mean { means[c.id] = mean } }
        var images: [String: [Int: Double]] = [:]
        for image in document.images ?? [] {
            var values: [Int: Double] = [:]
            for c in image.classes { values[c.id] = c.dice ?? .nan }
            images[image.key] = values
        }
        return Baseline(
            classMeans: means, headline: document.aggregate?.mean, images: images, path: path,
            classes: document.classes.map { ($0.id, $0.name ?? String($0.id)) }, headlineClassIDs: document.aggregate?.classes,
            definition: Definition(document.config))
    }

    /// Where decoding stopped, in one line: the key path and what was wrong.
    private static func reason(_ error: any Error) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined()
        }
        switch error as? DecodingError {
        case .keyNotFound(let key, let context)?:
            return "missing '\(path(context)).\(key.stringValue)'".replacingOccurrences(of: "'.", with: "'")
        case .typeMismatch(_, let context)?, .valueNotFound(_, let context)?:
            return "unexpected value at '\(path(context))'".replacingOccurrences(of: "'.", with: "'")
        case .dataCorrupted(let context)?:
            return "unreadable value at '\(path(context))'".replacingOccurrences(of: "'.", with: "'")
        default: return "unreadable"
        }
    }

    /// Checks that this baseline scored the same thing as `result`.
    /// - Returns: warnings worth showing with the gates (few images in common, other threshold,
    ///   classes the baseline has no value for).
    /// - Throws: `EvaluationSetupError` when the variant, formula, 0/0 rule, smoothing, background
    ///   rule, ignore labels or classes differ: the two means would not measure the same thing.
    public func compatibility(with result: EvaluationResult) throws(EvaluationSetupError) -> [String] {
        let options = result.options
        let now = Definition(options: options)
        let then = definition
        var differences: [String] = []
        func compare<T: Equatable>(_ what: String, _ old: T?, _ new: T?, _ show: (T) -> String) {
            guard let old, let new, old != new else { return }
            differences.append("\(what) \(show(old)) in the baseline, \(show(new)) here")
        }
        let list: ([Double]) -> String = { $0.map { String($0) }.joined(separator: ",") }
        compare("variant", then.variant, now.variant) { "'\($0)'" }
        if then.variant == now.variant { compare("formula", then.formula, now.formula) { "'\($0)'" } }
        compare("0/0 rule (--empty)", then.empty, now.empty) { $0 }
        compare("--activation", then.activation, now.activation) { $0 }
        compare("--smooth-nr", then.smoothNumerator, now.smoothNumerator, list)
        compare("--smooth-dr", then.smoothDenominator, now.smoothDenominator, list)
        compare("--include-background", then.includeBackground, now.includeBackground) { String($0) }
        compare("ignore labels", then.ignoreLabels.map { Set($0) }, Set(now.ignoreLabels ?? [])) {
            $0.isEmpty ? "none" : $0.sorted().map(String.init).joined(separator: ",")
        }
        // Classes: the same ids with the same names.
        let oldIDs = Set(classes.map(\.id))
        let newIDs = Set(result.classIDs)
        if oldIDs != newIDs {
            let show: (Set<Int>) -> String = { $0.isEmpty ? "none" : $0.sorted().map(String.init).joined(separator: ",") }
            differences.append(
                "classes \(show(oldIDs)) in the baseline, \(show(newIDs)) here (--classes or --labels fixes the set)")
        } else {
            for (id, name) in classes where name != options.name(of: id) {
                differences.append("class \(id) is '\(name)' in the baseline, '\(options.name(of: id))' here")
            }
            if let old = headlineClassIDs, Set(old) != Set(result.summary.headlineClassIDs) {
                differences.append(
                    "headline classes \(old.map(String.init).joined(separator: ",")) in the baseline, "
                        + "\(result.summary.headlineClassIDs.map(String.init).joined(separator: ",")) here")
            }
        }
        if !differences.isEmpty {
            throw .configuration(
                "--baseline \(path) scored something else: \(differences.joined(separator: "; ")); "
                    + "compare runs of the same definition")
        }
        var warnings: [String] = []
        if let old = then.threshold, let new = now.threshold, old != new {
            warnings.append("--baseline \(path): threshold \(list(old)) in the baseline, \(list(new)) here")
        }
        if let old = then.binarize, let new = now.binarize, old != new {
            warnings.append("--baseline \(path): binarisation \(old) in the baseline, \(new) here")
        }
        let current = result.records.count
        let common = result.records.reduce(0) { $0 + (images[$1.key] != nil ? 1 : 0) }
        if common == 0 && (current > 0 || !images.isEmpty) {
            warnings.append(
                "--baseline \(path): no image in common (\(current) here, \(images.count) in the baseline): "
                    + "the means compare different images")
        } else if 2 * common < max(current, images.count) {
            warnings.append(
                "--baseline \(path): only \(common) image\(common == 1 ? "" : "s") in common (\(current) here, \(images.count) in the baseline): "
                    + "the means compare mostly different images")
        }
        if headline == nil { warnings.append("--baseline \(path): its headline mean is null, not compared") }
        for (id, _) in classes where classMeans[id] == nil {
            warnings.append("--baseline \(path): class \(options.name(of: id)) has no mean (null), not compared")
        }
        return warnings
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
                outcomes.append(
                    GateOutcome(name: "mean >= \(minimum)", value: value, threshold: minimum, passed: value >= minimum))
            case .classMean(let text, let minimum):
                guard let id = options.labels?.id(named: text) ?? Int(text) else {
                    throw .configuration("--fail-under-class: no class named '\(text)' in --labels")
                }
                let value = summary.classes.first { $0.id == id }?.mean ?? .nan
                outcomes.append(
                    GateOutcome(
                        name: "class \(options.name(of: id)) mean >= \(minimum)", value: value, threshold: minimum,
                        passed: value >= minimum))
            case .maxDrop(let drop):
                guard let baseline else { throw .configuration("--max-drop needs --baseline OLD.json") }
                outcomes += try baselineGates(drop: drop, result: result, baseline: baseline, bootstrap: bootstrap)
            case .surface(let name, let metric, let limit, let above):
                outcomes.append(try SurfaceGates.outcome(name: name, metric: metric, limit: limit, above: above, result: result))
            }
        }
        return outcomes
    }

    private static func baselineGates(drop: Double, result: EvaluationResult, baseline: Baseline, bootstrap: Bootstrap)
        throws(EvaluationSetupError) -> [GateOutcome]
    {
        _ = try baseline.compatibility(with: result)
        let summary = result.summary
        let intervals = changeIntervals(result: result, baseline: baseline, bootstrap: bootstrap)
        var outcomes: [GateOutcome] = []
        if let old = baseline.headline {
            let change = summary.mean - old
            outcomes.append(
                GateOutcome(
                    name: "mean drop <= \(drop) vs baseline", value: summary.mean, threshold: drop, passed: change >= -drop,
                    baseline: old, difference: change, interval: intervals.headline))
        }
        for (position, id) in result.classIDs.enumerated() {
            guard let old = baseline.classMeans[id] else { continue }
            let value = summary.classes.first { $0.id == id }?.mean ?? .nan
            let change = value - old
            outcomes.append(
                GateOutcome(
                    name: "class \(result.options.name(of: id)) mean drop <= \(drop) vs baseline", value: value, threshold: drop,
                    passed: change >= -drop, baseline: old, difference: change, interval: intervals.classes[position]))
        }
        return outcomes
    }

    /// The bootstrap intervals of the changes the gates report (current mean − baseline mean, per
    /// class and for the headline): every image key of either run is a row, NaN where a run has no
    /// value, so the statistic on the original rows is the gate's difference itself.
    private static func changeIntervals(result: EvaluationResult, baseline: Baseline, bootstrap: Bootstrap)
        -> (classes: [BootstrapInterval?], headline: BootstrapInterval?)
    {
        let ids = result.classIDs
        let width = ids.count
        var current = result.classValues
        var before: [Double] = []
        before.reserveCapacity(current.count)
        var seen = Set<String>()
        for record in result.records {
            seen.insert(record.key)
            let old = baseline.images[record.key]
            for id in ids { before.append(old?[id] ?? .nan) }
        }
        for key in baseline.images.keys.sorted() where !seen.contains(key) {
            let old = baseline.images[key]
            for id in ids {
                current.append(.nan)
                before.append(old?[id] ?? .nan)
            }
        }
        let headline = ids.indices.filter { result.summary.headlineClassIDs.contains(ids[$0]) }
        let intervals = bootstrap.differenceIntervals(current: current, baseline: before, classCount: width, headline: headline)
        return intervals.classes.count == width ? intervals : (Array(repeating: nil, count: width), intervals.headline)
    }
}
