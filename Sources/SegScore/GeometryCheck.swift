import Foundation
import MaskIO

/// The check that a prediction lies on its ground truth's grid: same shape (an error elsewhere)
/// and, for volumes whose headers say where they lie (NIfTI), the same spacing, origin and
/// direction. A difference is a warning, not an error: the scores are still computed voxel by
/// voxel (as nnU-Net does, which never checks this), but a prediction resampled to the wrong
/// grid or saved with the wrong header usually shows here first.
///
/// Tolerances (NIfTI stores 32-bit floats, and writers convert units and qform ↔ sform):
/// - spacing: relative 1e-5 per axis;
/// - origin: 1e-3 of the voxel spacing per axis (a thousandth of a voxel);
/// - direction: 1e-5 per direction-cosine element.
public enum GeometryCheck {
    /// Relative tolerance on each spacing.
    public static let spacingTolerance = 1e-5
    /// Tolerance on each origin coordinate, as a fraction of that axis's spacing.
    public static let originTolerance = 1e-3
    /// Tolerance on each direction-cosine element.
    public static let directionTolerance = 1e-5

    /// What differs between the two geometries beyond the tolerances, one phrase each
    /// (`spacing (1, 1, 2) mm vs (1, 1, 1) mm`, prediction first); empty when they agree.
    public static func differences(prediction: VolumeGeometry, truth: VolumeGeometry) -> [String] {
        var found: [String] = []
        let spacing = zip(prediction.spacing, truth.spacing).contains { p, t in
            !(abs(p - t) <= spacingTolerance * max(abs(p), abs(t)))
        }
        if spacing || prediction.spacing.count != truth.spacing.count {
            found.append("spacing \(list(prediction.spacing)) mm vs \(list(truth.spacing)) mm")
        }
        let origin = (0..<min(3, prediction.origin.count, truth.origin.count)).contains { axis in
            let voxel = min(prediction.spacing[safe: axis] ?? 1, truth.spacing[safe: axis] ?? 1)
            let tolerance = originTolerance * (voxel > 0 ? voxel : 1)
            return !(abs(prediction.origin[axis] - truth.origin[axis]) <= tolerance)
        }
        if origin {
            found.append("origin \(list(prediction.origin)) mm vs \(list(truth.origin)) mm")
        }
        let direction = zip(prediction.direction, truth.direction).contains { p, t in !(abs(p - t) <= directionTolerance) }
        if direction {
            found.append("direction \(list(prediction.direction)) vs \(list(truth.direction))")
        }
        return found
    }

    /// The warning for a pair whose headers place the two volumes differently, or nil: only when
    /// both sides have a geometry and the same shape (a shape mismatch is an error of its own).
    /// - Parameter regionOfInterest: the other file is the pair's region of interest (`--roi-dir`),
    ///   not its prediction: the words say so.
    public static func warning(
        predictionPath: String, prediction: MaskHeader, truthPath: String, truth: MaskHeader,
        regionOfInterest: Bool = false
    ) -> String? {
        guard let p = prediction.geometry, let t = truth.geometry, prediction.width == truth.width,
            prediction.height == truth.height, prediction.pages == truth.pages
        else { return nil }
        let found = differences(prediction: p, truth: t)
        guard !found.isEmpty else { return nil }
        let side = regionOfInterest ? "region of interest" : "prediction"
        let use = regionOfInterest ? "applied" : "scored"
        return "\(predictionPath): geometry differs from the ground truth \(truthPath) (\(side) vs ground truth): "
            + found.joined(separator: "; ") + "; \(use) voxel by voxel all the same (was the \(side) resampled or saved "
            + "with another header?)"
    }

    /// `(0.5, 0.5, 2)`: each value with up to 7 significant digits.
    static func list(_ values: [Double]) -> String {
        "("
            + values.map { value in
                let text = String(format: "%.7g", value)
                return text == "-0" ? "0" : text
            }.joined(separator: ", ") + ")"
    }
}

extension Array {
    fileprivate subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
