import Foundation
import SegScoreTestSupport
import Testing

/// `evaluate --variant nnunet-eval --labels dataset.json` against the `summary.json` files nnunetv2
/// 2.8.1 itself wrote (`nnUNetv2_evaluate_folder`): every per-case Dice of every label or region,
/// every `mean` and `foreground_mean`, to 1e-12. The shared sets run when
/// ../shared/data/real/nifti-isbi3d is beside the project; `Fixtures/nnunet/isbi3d_missing_pred`
/// (a copy of one of them) always runs.
@Suite struct NnUNetReferenceTests {
    static let shared = "nifti-isbi3d"

    /// nnU-Net's summary.json (its bare `NaN` tokens read as nil).
    struct Summary {
        /// case key → nnU-Net's label/region key → Dice (nil: NaN).
        var perCase: [String: [String: Double?]] = [:]
        /// nnU-Net's label/region key → mean Dice (nil: NaN).
        var mean: [String: Double?] = [:]
        /// foreground_mean Dice (nil: NaN).
        var foregroundMean: Double?

        init(path: String) throws {
            let text = try String(contentsOfFile: path, encoding: .utf8)
                .replacingOccurrences(of: ": NaN", with: ": null")
            let root = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            func dice(_ metrics: Any?) -> Double? { (metrics as? [String: Any])?["Dice"] as? Double }
            foregroundMean = dice(root["foreground_mean"])
            for (key, metrics) in try #require(root["mean"] as? [String: Any]) { mean[key] = dice(metrics) }
            for item in try #require(root["metric_per_case"] as? [[String: Any]]) {
                let file = try #require(item["reference_file"] as? String)
                let key = String(file.split(separator: "/").last ?? "").replacingOccurrences(of: ".nii.gz", with: "")
                var values: [String: Double?] = [:]
                for (label, metrics) in try #require(item["metrics"] as? [String: Any]) { values[label] = dice(metrics) }
                perCase[key] = values
            }
        }
    }

    /// Runs segscore in `folder` as nnU-Net was run there, and compares every Dice of `summary.json`.
    /// - Parameter ids: nnU-Net's key of each label/region → segscore's class id (default: the key as a number).
    static func compare(folder: String, extra: [String] = [], status: Int32 = 0, ids: [String: Int] = [:]) throws {
        let summary = try Summary(path: folder + "/summary.json")
        let output = try BinaryRunner.run(
            [
                "evaluate", folder + "/labelsTs", folder + "/predictions", "--variant", "nnunet-eval", "--labels",
                folder + "/dataset.json", "--json", "-", "--quiet",
            ] + extra)
        #expect(output.status == status, "\(output.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        func id(_ key: String) throws -> Int { try #require(ids[key] ?? Int(key), "nnU-Net key \(key)") }
        func same(_ ours: Double?, _ theirs: Double?, _ what: String) {
            if let theirs, let ours {
                #expect(abs(ours - theirs) <= 1e-12, "\(folder) \(what): \(ours) vs nnU-Net \(theirs)")
            } else {
                #expect(ours == nil && theirs == nil, "\(folder) \(what): \(String(describing: ours)) vs nnU-Net NaN")
            }
        }
        // Per case, per label/region.
        let images = try #require(report["images"] as? [[String: Any]])
        #expect(images.count == summary.perCase.count)
        for image in images {
            let key = try #require(image["key"] as? String)
            let expected = try #require(summary.perCase[key], "case \(key) not in summary.json")
            var dice: [Int: Double?] = [:]
            for entry in try #require(image["classes"] as? [[String: Any]]) {
                dice[try #require(entry["id"] as? Int)] = entry["dice"] as? Double
            }
            for (label, value) in expected {
                let ours = try #require(dice[try id(label)], "\(key): no class for nnU-Net's \(label)")
                same(ours, value, "\(key) \(label)")
            }
        }
        // Means per label/region, then foreground_mean.
        var means: [Int: Double?] = [:]
        for entry in try #require(report["classes"] as? [[String: Any]]) {
            means[try #require(entry["id"] as? Int)] = entry["mean"] as? Double
        }
        #expect(summary.mean.count >= 3)
        for (label, value) in summary.mean {
            let ours = try #require(means[try id(label)], "no class for nnU-Net's \(label)")
            same(ours, value, "mean \(label)")
        }
        let library = try #require((report["aggregate"] as? [String: Any])?["library"] as? [String: Any])
        #expect(library["name"] as? String == "foreground_mean")
        same(library["value"] as? Double, summary.foregroundMean, "foreground_mean")
    }

    /// `--nnunet-summary -` run in `folder` as nnU-Net was (`labelsTs predictions`, relative paths):
    /// the bytes must be those of nnunetv2's own summary.json.
    static func summaryIsNnUNets(folder: String) throws {
        let process = BinaryRunner.process([
            "evaluate", "labelsTs", "predictions", "--variant", "nnunet-eval", "--labels", "dataset.json", "--missing", "skip",
            "--nnunet-summary", "-", "--quiet",
        ])
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let written = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let reference = try Data(contentsOf: URL(fileURLWithPath: folder + "/summary.json"))
        #expect(written == reference, "\(folder): --nnunet-summary differs from nnU-Net's summary.json")
        if written != reference {
            let ours = String(decoding: written, as: UTF8.self).split(separator: "\n")
            let theirs = String(decoding: reference, as: UTF8.self).split(separator: "\n")
            if let line = zip(ours, theirs).enumerated().first(where: { $0.element.0 != $0.element.1 }) {
                Issue.record("line \(line.offset + 1): \(line.element.0) vs nnU-Net \(line.element.1)")
            }
        }
    }

    @Test(
        .enabled(
            if: Fixtures.hasShared(shared),
            "needs ../shared/data/real/nifti-isbi3d (nnunetv2's own summary.json files) beside the repository"),
        arguments: [
            "isbi3d_plain", "isbi3d_ignore", "isbi3d_regions", "isbi3d_msd_v1", "isbi3d_absent_class", "isbi3d_missing_pred",
        ])
    func nnunetSummaryIsByteForByteNnUNets(_ name: String) throws {
        try Self.summaryIsNnUNets(folder: Fixtures.shared("nifti-isbi3d/" + name))
    }

    @Test func nnunetSummaryOfTheFixtureIsByteForByteNnUNets() throws {
        try Self.summaryIsNnUNets(folder: Fixtures.path("nnunet/isbi3d_missing_pred"))
    }

    @Test(
        .enabled(
            if: Fixtures.hasShared(shared),
            "needs ../shared/data/real/nifti-isbi3d (nnunetv2's own summary.json files) beside the repository"))
    func plainV2Labels() throws {
        try Self.compare(folder: Fixtures.shared("nifti-isbi3d/isbi3d_plain"))
    }

    @Test(
        .enabled(
            if: Fixtures.hasShared(shared),
            "needs ../shared/data/real/nifti-isbi3d (nnunetv2's own summary.json files) beside the repository"))
    func ignoreLabel() throws {
        try Self.compare(folder: Fixtures.shared("nifti-isbi3d/isbi3d_ignore"))
    }

    @Test(
        .enabled(
            if: Fixtures.hasShared(shared),
            "needs ../shared/data/real/nifti-isbi3d (nnunetv2's own summary.json files) beside the repository"))
    func regions() throws {
        // {"background": 0, "cells": [2, 3], "large cell": 3, "membrane": 1}, regions_class_order [2, 3, 1]:
        // each region's class id is its entry of regions_class_order.
        try Self.compare(folder: Fixtures.shared("nifti-isbi3d/isbi3d_regions"), ids: ["(2, 3)": 2, "3": 3, "1": 1])
    }

    @Test(
        .enabled(
            if: Fixtures.hasShared(shared),
            "needs ../shared/data/real/nifti-isbi3d (nnunetv2's own summary.json files) beside the repository"))
    func decathlonV1Labels() throws {
        // nnunetv2 refuses this json; its summary.json is the run on its own converted file.
        try Self.compare(folder: Fixtures.shared("nifti-isbi3d/isbi3d_msd_v1"))
    }

    @Test(
        .enabled(
            if: Fixtures.hasShared(shared),
            "needs ../shared/data/real/nifti-isbi3d (nnunetv2's own summary.json files) beside the repository"))
    func absentClassMakesForegroundMeanNaN() throws {
        try Self.compare(folder: Fixtures.shared("nifti-isbi3d/isbi3d_absent_class"))
    }

    @Test(
        .enabled(
            if: Fixtures.hasShared(shared),
            "needs ../shared/data/real/nifti-isbi3d (nnunetv2's own summary.json files) beside the repository"))
    func missingPredictionSkippedLikeChill() throws {
        try Self.compare(folder: Fixtures.shared("nifti-isbi3d/isbi3d_missing_pred"), extra: ["--missing", "skip"])
    }

    @Test func missingPredictionFixture() throws {
        // Without --missing skip the unpaired case is a data problem (nnU-Net without --chill: an assert),
        // and the numbers of the scored cases are still nnU-Net's.
        let folder = Fixtures.path("nnunet/isbi3d_missing_pred")
        try Self.compare(folder: folder, extra: ["--missing", "skip"])
        try Self.compare(folder: folder, status: 3)
    }
}
