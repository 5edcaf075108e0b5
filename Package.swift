// swift-tools-version: 6.0
import PackageDescription

/// segscore: score segmentation masks across a dataset with named, reproducible Dice variants.
///
/// Dependencies point one way: the `segscore` executable → `SegScore` (pipeline) → `MaskIO`,
/// `SegMetrics`, … `MaskIO` sees C (`CMaskCodecs`, which wraps libpng, libtiff, zlib and libdeflate);
/// `SegMetrics` only its vector kernels (`CSurfaceKernels`, run-time CPU dispatch) and the
/// compiler's SSE2 intrinsics (`ByteMasks`, x86-64).
let package = Package(
    name: "segscore",
    products: [
        .executable(name: "segscore", targets: ["SegScoreCLI"]),
        .executable(name: "segscore-bench", targets: ["SegScoreBenchmarks"]),
        .library(name: "SegScore", targets: ["SegScore"]),
        .library(name: "MaskIO", targets: ["MaskIO"]),
        .library(name: "SegMetrics", targets: ["SegMetrics"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    ],
    targets: [
        .systemLibrary(name: "CLibPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CLibTIFF", pkgConfig: "libtiff-4", providers: [.apt(["libtiff-dev"])]),
        // zlib (NIfTI .nii.gz) is libpng's own dependency, named here because the shim calls it too;
        // libdeflate (libdeflate-dev) inflates the PNG fast path and whole .nii.gz files.
        .target(
            name: "CMaskCodecs", dependencies: ["CLibPNG", "CLibTIFF"],
            linkerSettings: [.linkedLibrary("z"), .linkedLibrary("deflate")]),
        .target(name: "MaskIO", dependencies: ["CMaskCodecs"]),
        // Mask writers for the benchmark and the tests: the product never writes masks.
        .target(name: "CMaskTestCodecs", dependencies: ["CMaskCodecs", "CLibPNG", "CLibTIFF"]),
        .target(name: "MaskIOTesting", dependencies: ["MaskIO", "CMaskTestCodecs"]),
        .target(name: "Parallel"),
        .target(name: "CInterrupt"),
        .target(name: "CHeap"),
        .target(name: "DatasetScan", dependencies: ["Parallel"]),
        // AVX2 / AVX-512 kernels of the boundary metrics, chosen at run time; SegMetrics keeps
        // portable Swift code beside each.
        .target(name: "CSurfaceKernels"),
        .target(name: "SegMetrics", dependencies: ["CSurfaceKernels"]),
        .target(name: "ReportWriters"),
        .target(
            name: "SegScore",
            dependencies: [
                "MaskIO", "DatasetScan", "SegMetrics", "ReportWriters", "Parallel", "CInterrupt", "CHeap",
                // Also reaches `CYaml` (YAMLScreen's `internal import`): a module of the Yams
                // package that it builds for its `Yams` product and publishes as no product.
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .executableTarget(
            name: "SegScoreCLI",
            dependencies: [
                "SegScore", "MaskIO", "DatasetScan", "SegMetrics", "ReportWriters", "Parallel",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "SegScoreBenchmarks",
            dependencies: [
                "SegScore", "MaskIO", "MaskIOTesting", "DatasetScan", "SegMetrics", "Parallel",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Test code shared by the test targets: fixture lookup, temporary folders, the binary
        // runner, byte-level mask writers. A regular target (not a product) under Tests/.
        .target(name: "SegScoreTestSupport", dependencies: ["SegMetrics"], path: "Tests/SegScoreTestSupport"),
        .testTarget(name: "MaskIOTests", dependencies: ["MaskIO", "MaskIOTesting", "Parallel", "SegScoreTestSupport"]),
        .testTarget(name: "DatasetScanTests", dependencies: ["DatasetScan", "SegScoreTestSupport"]),
        .testTarget(name: "ParallelTests", dependencies: ["Parallel"]),
        .testTarget(name: "SegMetricsTests", dependencies: ["SegMetrics", "MaskIO", "SegScoreTestSupport"]),
        .testTarget(
            name: "SegScoreTests", dependencies: ["SegScore", "MaskIO", "Parallel", "SegMetrics", "SegScoreTestSupport"]),
        .testTarget(name: "ReportWritersTests", dependencies: ["ReportWriters"]),
        .testTarget(
            name: "SegScoreCLITests", dependencies: ["SegScoreCLI", "SegScoreTestSupport", "MaskIO"],
            // The committed report snapshots, read through `Fixtures.packageRoot`, not as resources.
            exclude: ["Snapshots"]),
    ]
)
