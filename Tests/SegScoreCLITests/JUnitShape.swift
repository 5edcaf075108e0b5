import Foundation
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Reads a JUnit document and checks the shape GitLab and Jenkins read: `testsuites` >
/// `testsuite` > `testcase` > `failure` | `error` | `system-out`, `message` and `type` on each
/// failure and error, counts that match.
final class JUnitShape: NSObject, XMLParserDelegate {
    var path: [String] = []
    var testCases: [String] = []
    var failures = 0
    var errors = 0
    var declared: [(tests: Int, failures: Int, errors: Int)] = []
    var timestamp: String?
    /// `time` of testsuites, testsuite, and the data test case.
    var times: [String] = []
    var failureTexts: [String: String] = [:]
    var problems: [String] = []
    private var currentText = ""

    static func parse(_ xml: String) throws -> JUnitShape {
        let shape = JUnitShape()
        let parser = XMLParser(data: Data(xml.utf8))
        parser.delegate = shape
        guard parser.parse() else { throw CocoaError(.fileReadCorruptFile) }
        #expect(shape.problems.isEmpty, "\(shape.problems)")
        for counts in shape.declared {
            #expect(counts.tests == shape.testCases.count && counts.failures == shape.failures && counts.errors == shape.errors)
        }
        return shape
    }

    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        let parent = path.last
        let allowed: [String?: Set<String>] = [
            nil: ["testsuites"], "testsuites": ["testsuite"], "testsuite": ["testcase"],
            "testcase": ["failure", "error", "system-out"],
        ]
        if !(allowed[parent]?.contains(name) ?? false) { problems.append("\(name) inside \(parent ?? "root")") }
        switch name {
        case "testsuites", "testsuite":
            declared.append(
                (
                    Int(attributes["tests"] ?? "") ?? -1, Int(attributes["failures"] ?? "") ?? -1,
                    Int(attributes["errors"] ?? "") ?? -1
                ))
            times.append(attributes["time"] ?? "missing")
            if name == "testsuite" { timestamp = attributes["timestamp"] }
        case "testcase":
            testCases.append(attributes["name"] ?? "")
            if attributes["classname"] == nil || attributes["time"] == nil {
                problems.append("testcase without classname or time")
            }
            if attributes["classname"] == "segscore.data" { times.append(attributes["time"] ?? "missing") }
        case "failure", "error":
            if name == "failure" { failures += 1 } else { errors += 1 }
            if attributes["message"] == nil || attributes["type"] == nil { problems.append("\(name) without message or type") }
        default: break
        }
        path.append(name)
        currentText = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { currentText += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "failure", let test = testCases.last { failureTexts[test] = currentText }
        path.removeLast()
    }
}
