import Foundation

/// Where the repository's test data lives, found from this file's location (`#filePath`), never
/// from the working directory: `swift test` may run from anywhere.
package enum Fixtures {
    /// The package root (the folder holding `Package.swift`).
    package static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The `Fixtures/` folder of the repository.
    package static let root = packageRoot.appendingPathComponent("Fixtures")

    /// The absolute path of `Fixtures/relative`.
    /// - Parameter relative: a path below `Fixtures/`, e.g. `png/gray8.png`.
    /// - Returns: the absolute path (whether or not the file exists).
    package static func path(_ relative: String) -> String { url(relative).path }

    /// The URL of `Fixtures/relative`.
    /// - Parameter relative: a path below `Fixtures/`.
    /// - Returns: the file URL (whether or not the file exists).
    package static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }

    /// The URL of `relative` below the package root (snapshots under `Tests/`, the README).
    /// - Parameter relative: a path below the package root.
    /// - Returns: the file URL (whether or not the file exists).
    package static func inPackage(_ relative: String) -> URL { packageRoot.appendingPathComponent(relative) }

    /// The absolute path of `relative` inside `../shared/data/real` beside the project: real data
    /// that may not be redistributed (DRIVE, CamVid, VOC), present on the developers' machines only.
    /// - Parameter relative: a path below `../shared/data/real`.
    /// - Returns: the absolute path (whether or not it exists).
    package static func shared(_ relative: String) -> String {
        packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data/real")
            .appendingPathComponent(relative).path
    }

    /// Whether the data set `name` (a folder of `../shared/data/real`) is beside the project. Tests
    /// on it are `.enabled(if: Fixtures.hasShared(name))`, skipped with a stated reason otherwise.
    /// - Parameter name: a folder name, e.g. `drive`.
    /// - Returns: `true` when that folder exists.
    package static func hasShared(_ name: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: shared(name), isDirectory: &isDirectory) && isDirectory.boolValue
    }
}
