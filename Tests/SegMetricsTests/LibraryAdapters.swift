import Foundation
import SegMetrics

enum NNUNetAdapter {
    static func evaluate(_ golden: GoldenCase, _ entry: [String: Any], _ settings: [String: Any]) -> GoldenAdapter.Outcome {
        .unsupported("todo")
    }
}
enum MONAIAdapter {
    static func evaluate(_ golden: GoldenCase, _ entry: [String: Any], _ settings: [String: Any]) -> GoldenAdapter.Outcome {
        .unsupported("todo")
    }
}
enum TorchMetricsAdapter {
    static func evaluate(_ golden: GoldenCase, _ entry: [String: Any], _ settings: [String: Any]) -> GoldenAdapter.Outcome {
        .unsupported("todo")
    }
}
enum SMPAdapter {
    static func evaluate(_ golden: GoldenCase, _ entry: [String: Any], _ settings: [String: Any]) -> GoldenAdapter.Outcome {
        .unsupported("todo")
    }
}
