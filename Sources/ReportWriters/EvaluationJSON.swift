/// The JSON report, schema `segscore.report/1`; NaN is `null`.
extension EvaluationReportValue {
    /// The whole JSON report in memory (every image row included): for tests and small runs.
    /// `writeJSON(to:)` streams the same text.
    public var json: JSONValue {
        .object(jsonMembers.map { key, value in key == "images" ? (key, .array(images.map(imageJSON))) : (key, value) })
    }

    /// Streams the JSON report (the text of `json.rendered()` and a newline), one image at a time.
    public func writeJSON(to sink: some ReportSink) {
        let members = jsonMembers
        sink.write("{\n")
        for (position, (key, value)) in members.enumerated() {
            sink.write("  " + JSONValue.quoted(key) + ": ")
            if key == "images" {
                if images.isEmpty {
                    sink.write("[]")
                } else {
                    sink.write("[\n")
                    for index in images.indices {
                        sink.write("    " + imageJSON(images[index]).rendered(indent: 2, level: 2))
                        sink.write(index + 1 < images.count ? ",\n" : "\n")
                    }
                    sink.write("  ]")
                }
            } else {
                sink.write(value.rendered(indent: 2, level: 1))
            }
            sink.write(position + 1 < members.count ? ",\n" : "\n")
        }
        sink.write("}\n")
    }

    /// The per-image object of the JSON report.
    func imageJSON(_ image: ImageRow) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("key", .string(image.key)), ("gt", .string(image.truthPath)),
            ("pred", image.predictionPath.map { .string($0) } ?? .null),
            ("mean", .number(image.mean)),
        ]
        if let generalized = image.generalized { members.append(("generalized", .number(generalized))) }
        if let spacing = image.spacing { members.append(("spacing", .array(spacing.map { .number($0) }))) }
        members.append(
            (
                "classes",
                .array(
                    image.classes.map { c in
                        .object(
                            [("id", .int(c.id)), ("dice", .number(c.dice))]
                                + Self.surfaceMembers(c, names: surface?.metricNames ?? [])
                                + Self.countMembers(c.counts, prefix: ""))
                    })
            ))
        return .object(members)
    }

    static func interval(_ interval: Interval?) -> JSONValue {
        interval.map { .array([.number($0.lower), .number($0.upper)]) } ?? .null
    }

    /// The top-level members of the JSON report; `images` is a placeholder filled by the callers.
    private var jsonMembers: [(String, JSONValue)] {
        let d = definition
        var config: [(String, JSONValue)] = [
            ("variant", .string(d.variant)),
            ("formula", .string(d.formula)),
            ("empty", .string(d.empty)),
            ("smooth", .array(d.smoothNumerator.map { .number($0) })),
            ("include_background", .bool(d.backgroundInHeadline)),
            ("std_ddof", .int(0)),  // classes[].std is the population standard deviation
            ("ignore_labels", .array(d.ignoreLabels.map { .int($0) })),
        ]
        if d.smoothNumerator != d.smoothDenominator {
            config.append(("smooth_nr", .array(d.smoothNumerator.map { .number($0) })))
            config.append(("smooth_dr", .array(d.smoothDenominator.map { .number($0) })))
        }
        if let binarization = d.binarization { config.append(("binarize", .string(binarization))) }
        config.append(("threshold", .array(d.thresholds.map { .number($0) })))
        if let floor = d.denominatorFloor { config.append(("denominator_floor", .number(floor))) }
        if let activation = d.activation { config.append(("activation", .string(activation))) }
        config.append(("encoding", .object([("gt", .string(d.truthEncoding)), ("pred", .string(d.predictionEncoding))])))
        config.append(("missing", .string(d.missing)))
        if let reproduces = d.reproduces { config.append(("reproduces", .string(reproduces))) }
        if let surface { config.append(("surface", surface.configJSON)) }

        let inputs: [(String, JSONValue)] = [
            ("gt", .string(self.inputs.truthFolder)),
            ("pred", .string(self.inputs.predictionFolder)),
            ("pairs", .int(self.inputs.pairs)),
            ("unmatched_gt", .array(self.inputs.unmatchedTruth.map { .string($0) })),
            ("unmatched_pred", .array(self.inputs.unmatchedPredictions.map { .string($0) })),
            ("ignored_files", .int(self.inputs.ignoredFiles)),
            (
                "encodings",
                .array(
                    self.inputs.encodings.map {
                        .object([("gt", .string($0.truth)), ("pred", .string($0.prediction)), ("pairs", .int($0.pairs))])
                    })
            ),
        ]

        let resamples = aggregate.resamples
        let classes: [JSONValue] = self.classes.map { c in
            var members: [(String, JSONValue)] = [
                ("id", .int(c.id)), ("name", .string(c.name)), ("mean", .number(c.mean)),
                ("median", .number(c.median)), ("std", .number(c.std)), ("min", .number(c.min)), ("max", .number(c.max)),
                ("n", .int(c.n)), ("n_nan", .int(c.nNaN)), ("pooled", .number(c.pooled)),
            ]
            members += Self.percentileMembers(c)
            if resamples > 0 { members.append(("ci95", Self.interval(c.interval))) }
            members += Self.countMembers(c.pooledCounts, prefix: "pooled_")
            members += zip(metricNames, c.pooledMetrics).map { ("pooled_" + $0, .number($1)) }
            if let surface = surface?.classJSON(c.id) { members.append(("surface", surface)) }
            return .object(members)
        }

        var aggregate: [(String, JSONValue)] = [
            ("mean", .number(self.aggregate.mean)), ("pooled", .number(self.aggregate.pooled)),
            ("classes", .array(self.aggregate.classIDs.map { .int($0) })),
        ]
        if self.aggregate.classIDs.isEmpty { aggregate.append(("note", .string(Self.noHeadline))) }
        if resamples > 0 {
            aggregate.append(("ci95", Self.interval(self.aggregate.interval)))
            aggregate.append(("bootstrap", .object([("resamples", .int(resamples)), ("seed", .int(self.aggregate.seed))])))
        }
        if let generalized = self.aggregate.generalizedMean {
            // `generalized` (MONAI GeneralizedDiceScore reduction="mean"); `generalized_mean`, the
            // 0.1 name, is kept with the same value for readers of older reports.
            aggregate.append(("generalized", .number(generalized)))
            aggregate.append(("generalized_mean", .number(generalized)))
        }
        if let surface { aggregate.append(("surface", surface.headlineJSON)) }
        if let library = self.aggregate.library {
            aggregate.append(
                (
                    "library",
                    .object([
                        ("variant", .string(library.variant)), ("name", .string(library.name)), ("value", .number(library.value)),
                    ])
                ))
        }

        let errors: [JSONValue] = self.errors.map { p in
            .object([("key", p.key.map { .string($0) } ?? .null), ("path", .string(p.path)), ("message", .string(p.message))])
        }
        return [
            ("schema", .string("segscore.report/1")),
            ("tool", .object([("name", .string("segscore")), ("version", .string(toolVersion))])),
            ("config", .object(config)),
            ("inputs", .object(inputs)),
            ("classes", .array(classes)),
            ("aggregate", .object(aggregate)),
        ] + (confusion.map { [("confusion", $0.json)] } ?? []) + [
            ("images", .null),
            ("errors", .array(errors)),
            ("warnings", .array(warnings.map { .string($0) })),
            ("gates", .array(gates.map(\.json))),
        ]
    }

    /// tp/fp/fn/tn members: integers for counts, numbers for soft masses.
    static func countMembers(_ counts: Counts, prefix: String) -> [(String, JSONValue)] {
        switch counts {
        case .integers(let tp, let fp, let fn, let tn):
            return [(prefix + "tp", .int(tp)), (prefix + "fp", .int(fp)), (prefix + "fn", .int(fn)), (prefix + "tn", .int(tn))]
        case .masses(let tp, let fp, let fn, let tn):
            return [
                (prefix + "tp", .number(tp)), (prefix + "fp", .number(fp)), (prefix + "fn", .number(fn)),
                (prefix + "tn", .number(tn)),
            ]
        }
    }
}

extension EvaluationReportValue.Gate {
    /// The gate's object in the JSON report's `gates` array.
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("name", .string(name)), ("value", .number(value)), ("threshold", .number(threshold)), ("passed", .bool(passed)),
        ]
        if let baseline { members.append(("baseline", .number(baseline))) }
        if let difference { members.append(("difference", .number(difference))) }
        if let interval {
            members.append(("difference_ci95", .array([.number(interval.lower), .number(interval.upper)])))
            members.append(("drop_beyond_noise", .bool(dropBeyondNoise ?? false)))
        }
        return .object(members)
    }
}
