import Foundation
import SegScoreTestSupport
import Testing

/// The `$ segscore …` commands of a README section and the lines printed under each, and the
/// check that the tool still prints them (the README's "Why do … disagree?" sections).
enum ReadmeCommands {
    /// The commands of the section headed `heading` (up to the next `## `), in code blocks; nil
    /// when the README has no such section.
    static func commands(inSection heading: String) throws -> [(arguments: [String], expected: [String])]? {
        let readme = try String(contentsOf: Fixtures.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        guard let start = readme.range(of: heading),
            let end = readme.range(of: "\n## ", range: start.upperBound..<readme.endIndex)
        else { return nil }
        var commands: [(arguments: [String], expected: [String])] = []
        var inBlock = false
        for line in readme[start.upperBound..<end.lowerBound].split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") {
                inBlock.toggle()
                continue
            }
            guard inBlock else { continue }
            if line.hasPrefix("$ segscore ") {
                commands.append((line.dropFirst("$ segscore ".count).split(separator: " ").map(String.init), []))
            } else if !line.isEmpty, !commands.isEmpty {
                commands[commands.count - 1].expected.append(ExplainCommandTests.normalised(line))
            }
        }
        return commands
    }

    /// Runs each command and records every README line it does not print (and a failing run).
    static func check(_ commands: [(arguments: [String], expected: [String])]) throws {
        for command in commands {
            let output = try BinaryRunner.run(command.arguments)
            #expect(output.status == 0, "\(command.arguments)")
            let printed = Set(output.stdout.split(separator: "\n").map { ExplainCommandTests.normalised($0) })
            #expect(!command.expected.isEmpty)
            for line in command.expected {
                #expect(
                    printed.contains(line),
                    "README line not printed by `segscore \(command.arguments.joined(separator: " "))`: \(line)")
            }
        }
    }
}
