import Foundation

/// A fresh, uniquely named folder under the system temporary directory, removed with all it
/// holds by `remove()` or, at the latest, when the value is released.
///
/// Write `let folder = try TemporaryFolder("name"); defer { folder.remove() }`: the `defer` keeps
/// the folder alive to the end of the scope even in optimised builds, where a class instance may
/// be released right after its last use.
package final class TemporaryFolder {
    /// The folder itself.
    package let url: URL

    /// Creates the folder and, inside it, `subfolders` (e.g. `["gt", "pred"]`).
    /// - Parameters:
    ///   - label: a readable part of the name, to tell leftovers apart (`segscore-LABEL-PID-UUID`).
    ///   - subfolders: relative folders to create inside, with their parents.
    /// - Throws: the file system's error when a folder cannot be created.
    package init(_ label: String = "test", subfolders: [String] = []) throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("segscore-\(label)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for folder in subfolders { try makeFolder(folder) }
    }

    deinit { remove() }

    /// The folder's absolute path.
    package var path: String { url.path }

    /// The URL of `relative` inside the folder.
    /// - Parameter relative: a path inside the folder.
    /// - Returns: the URL (whether or not it exists).
    package func url(_ relative: String) -> URL { url.appendingPathComponent(relative) }

    /// The absolute path of `relative` inside the folder.
    /// - Parameter relative: a path inside the folder.
    /// - Returns: the path (whether or not it exists).
    package func path(_ relative: String) -> String { url(relative).path }

    /// Creates the folder `relative` and its parents inside this folder.
    /// - Parameter relative: a folder path inside this folder.
    /// - Returns: the folder's URL.
    /// - Throws: the file system's error.
    @discardableResult
    package func makeFolder(_ relative: String) throws -> URL {
        let folder = url(relative)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// Writes `bytes` to `relative`, creating its parent folders.
    /// - Parameters:
    ///   - bytes: the file's contents.
    ///   - relative: the file's path inside this folder.
    /// - Returns: the file's absolute path.
    /// - Throws: the file system's error.
    @discardableResult
    package func write(_ bytes: [UInt8], to relative: String) throws -> String {
        let file = url(relative)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: file)
        return file.path
    }

    /// Writes `text` as UTF-8 to `relative`, creating its parent folders.
    /// - Parameters:
    ///   - text: the file's contents.
    ///   - relative: the file's path inside this folder.
    /// - Returns: the file's absolute path.
    /// - Throws: the file system's error.
    @discardableResult
    package func write(_ text: String, to relative: String) throws -> String {
        try write(Array(text.utf8), to: relative)
    }

    /// Copies `Fixtures/fixture` to `relative`, creating its parent folders.
    /// - Parameters:
    ///   - fixture: a path below `Fixtures/`.
    ///   - relative: the copy's path inside this folder.
    /// - Returns: the copy's absolute path.
    /// - Throws: the file system's error (e.g. no such fixture).
    @discardableResult
    package func copy(fixture: String, to relative: String) throws -> String {
        let file = url(relative)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Fixtures.path(fixture), toPath: file.path)
        return file.path
    }

    /// Removes the folder and everything in it; calling it again does nothing.
    package func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}
