import ReportWriters
import Testing

/// The escaping primitives every human-readable report uses; expected strings written by hand.
@Suite struct DisplayTextTests {
    @Test(arguments: [
        ("plain name_01.png", "plain name_01.png"),
        ("nl\n# heading", #"nl\n# heading"#),
        ("tab\tcr\r", #"tab\tcr\r"#),
        ("esc\u{1B}[31mred", #"esc\u{1B}[31mred"#),
        ("osc\u{1B}]8;;http://x.test/\u{7}link\u{1B}]8;;\u{7}", #"osc\u{1B}]8;;http://x.test/\u{7}link\u{1B}]8;;\u{7}"#),
        ("nul\u{0}del\u{7F}", #"nul\u{0}del\u{7F}"#),
        ("csi\u{9B}31m", #"csi\u{9B}31m"#),
        ("rtl\u{202E}gnp.exe", #"rtl\u{202E}gnp.exe"#),
        ("line\u{2028}sep", #"line\u{2028}sep"#),
        ("café – ✓ … \\ back", "café – ✓ … \\ back"),
    ])
    func controlCharactersBecomeVisible(_ name: String, _ shown: String) {
        #expect(DisplayText.visible(name) == shown)
    }

    @Test func everyC0ControlAndDELIsReplaced() {
        for value in Array(0..<0x20) + [0x7F] {
            let shown = DisplayText.visible("a" + String(Unicode.Scalar(UInt8(value))) + "b")
            #expect(!shown.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }, "U+\(value)")
        }
    }

    @Test func clippingKeepsBeginningAndEndWithinTheBytes() {
        #expect(DisplayText.clipped("abcdefghijklmnopqrstuvwxyz0123456789", maxBytes: 20) == "abcdefghij … 56789")
        #expect(DisplayText.clipped("short", maxBytes: 20) == "short")
        // Two-byte characters are never cut: 40 bytes into 16 keeps 3 + 2 of them.
        #expect(DisplayText.clipped(String(repeating: "é", count: 20), maxBytes: 16) == "ééé … éé")
    }
}

@Suite struct MarkdownEscapingTests {
    @Test(arguments: [
        ("**x**", #"\*\*x\*\*"#),
        ("<thin>", #"\<thin\>"#),
        ("<table><tr><td>x", #"\<table\>\<tr\>\<td\>x"#),
        ("a`b", #"a\`b"#),
        ("a|b", "a|b"),  // pipes are the table's job
        ("x\ny", #"x\\ny"#),
        ("$5 & [link](u) _i_ ~s~ #1", ##"\$5 \& \[link\](u) \_i\_ \~s\~ \#1"##),
        ("back\\slash", #"back\\slash"#),
        ("large cell", "large cell"),
    ])
    func inlineTextRendersLiterally(_ text: String, _ escaped: String) {
        #expect(MarkdownText.escape(text) == escaped)
    }

    @Test func tableCellsStayOneCellOnOneLine() {
        #expect(MarkdownText.cell("a|b\nc") == #"a\|b\nc"#)
        let table = Table(header: ["class", "id"], rows: [[MarkdownText.escape("**x**|y"), "1"]], rightAligned: [1])
        #expect(table.renderedMarkdown() == "| class | id |\n|---|---:|\n| \\*\\*x\\*\\*\\|y | 1 |")
    }

    @Test func codeSpansSurviveBackticksAndLineBreaks() {
        #expect(MarkdownText.code("gt/a.png") == "`gt/a.png`")
        #expect(MarkdownText.code("tick`s") == "``tick`s``")
        #expect(MarkdownText.code("`x") == "`` `x ``")
        #expect(MarkdownText.code("nl\n# heading") == #"`nl\n# heading`"#)
        #expect(MarkdownText.code("esc\u{1B}[31m") == #"`esc\u{1B}[31m`"#)
        #expect(MarkdownText.code("") == "` `")
    }
}

@Suite struct XMLEscapingTests {
    @Test func markupCharactersAreEscaped() {
        #expect(XMLText.escape(#"a<b>&"c'"#) == "a&lt;b&gt;&amp;&quot;c&apos;")
    }

    @Test func forbiddenCharactersAreReplacedNotDropped() {
        // XML 1.0 forbids these even as &#27; references: each becomes U+FFFD, so names do not merge.
        #expect(XMLText.escape("e\u{1B}x\u{0}y\u{FFFE}z\u{7}") == "e\u{FFFD}x\u{FFFD}y\u{FFFD}z\u{FFFD}")
        #expect(XMLText.attribute("e\u{1B}x") == "e\u{FFFD}x")
    }

    @Test func lineBreaksAreKeptInTextAndReferencedInAttributes() {
        #expect(XMLText.escape("l1\nl2\tt\r") == "l1\nl2\tt\r")
        #expect(XMLText.attribute("l1\nl2\tt\r") == "l1&#10;l2&#9;t&#13;")
    }
}

@Suite struct CSVQuotingTests {
    @Test(arguments: [
        ("plain", "plain"), ("a,b", #""a,b""#), (#"say "hi""#, #""say ""hi""""#), ("l1\nl2", "\"l1\nl2\""),
        ("cr\r", "\"cr\r\""), ("", ""),
        // CSV is data: other control characters are kept exactly (a reader gets the real name).
        ("e\u{1B}[31m", "e\u{1B}[31m"),
    ])
    func cellsAreQuotedOnlyWhenNeeded(_ cell: String, _ quoted: String) {
        #expect(CSV.quote(cell) == quoted)
    }

    @Test func documentsUseCRLFAndDoubledQuotes() {
        let table = Table(header: ["k", "v"], rows: [["a,b", #"x"y"#], ["n\nl", "1"]])
        #expect(table.renderedCSV() == "k,v\r\n\"a,b\",\"x\"\"y\"\r\n\"n\nl\",1\r\n")
    }
}

@Suite struct JSONControlEscapeTests {
    @Test func everyC0ControlDELAndC1IsAUnicodeEscape() {
        #expect(JSONValue.quoted("\u{1B}[31m\u{7F}\u{9B}\u{2028}é") == #""\u001b[31m\u007f\u009b\u2028é""#)
        #expect(JSONValue.quoted("\u{0}\u{7}\u{8}\u{C}\u{1F}") == #""\u0000\u0007\u0008\u000c\u001f""#)
        for value in Array(0..<0x20) + [0x7F] {
            let text = JSONValue.quoted(String(Unicode.Scalar(UInt8(value))))
            #expect(!text.utf8.contains { $0 < 0x20 || $0 == 0x7F }, "U+\(value)")
        }
        #expect(JSONValue.quoted("–·…") == #""–·…""#)
    }
}

/// The gaps the suites above leave: each special character alone, in both places it can stand.
@Suite struct CSVFieldTests {
    @Test(arguments: [
        // RFC 4180: spaces are part of the field; a reader keeps them, so they need no quotes.
        (" lead", " lead"), ("trail ", "trail "), (" ", " "),
        (",", #"",""#), (#"""#, #""""""#), ("\r\n", "\"\r\n\""), ("a\r\nb", "\"a\r\nb\""),
        (#""quoted""#, #""""quoted""""#), ("é,ü", "\"é,ü\""), ("tab\there", "tab\there"),
    ])
    func eachSpecialCharacterAlone(_ cell: String, _ quoted: String) {
        #expect(CSV.quote(cell) == quoted)
    }

    @Test func emptyAndSpecialHeaderCellsKeepTheColumnCount() {
        // Header "a,b" and an empty name; a row with an empty cell and a leading space: 2 fields each.
        let table = Table(header: ["a,b", ""], rows: [["", " x"]])
        #expect(table.renderedCSV() == "\"a,b\",\r\n, x\r\n")
    }

    @Test func streamedRowsQuoteLikeWholeTables() {
        // The per-image CSV is streamed row by row: same quoting, CRLF after each row.
        var out: [UInt8] = []
        CSV.appendRow(["a,b", "", " x", #"q""#, "l1\nl2"], to: &out)
        CSV.appendRow(["plain"], to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "\"a,b\",, x,\"q\"\"\",\"l1\nl2\"\r\nplain\r\n")
    }
}

@Suite struct MarkdownTableCellTests {
    @Test(arguments: [
        // The cell escape handles pipes only; backslashes and HTML are MarkdownText's job.
        ("a|b|c", #"a\|b\|c"#), ("back\\slash", #"back\slash"#), ("<b>x</b>", "<b>x</b>"), ("", ""),
    ])
    func cellEscapeAlone(_ text: String, _ escaped: String) {
        #expect(MarkdownText.cell(text) == escaped)
    }

    @Test(arguments: [
        // Text escaped for Markdown, then for the cell: a backslash before a pipe is doubled first,
        // so `\\\|` reads as a literal backslash and a literal pipe, still one cell.
        (#"a\|b"#, #"a\\\|b"#), ("<b>x</b>", #"\<b\>x\</b\>"#), ("<!-- c -->", #"\<!-- c --\>"#),
        (#"C:\dir|x"#, #"C:\\dir\|x"#),
    ])
    func textThenCell(_ text: String, _ escaped: String) {
        #expect(MarkdownText.cell(MarkdownText.escape(text)) == escaped)
    }

    @Test func aCellWithPipesBackslashesAndHTMLStaysOneCell() {
        // Rows hold Markdown-escaped text; `renderedMarkdown()` applies the cell escape itself.
        let table = Table(header: ["name", "n"], rows: [[MarkdownText.escape(#"x\|<i>|"#), "1"]], rightAligned: [1])
        #expect(table.renderedMarkdown() == #"| name | n |"# + "\n|---|---:|\n" + #"| x\\\|\<i\>\| | 1 |"#)
    }
}

@Suite struct XMLCharacterTests {
    @Test(arguments: [("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("\"", "&quot;"), ("'", "&apos;"), ("&amp;", "&amp;amp;")])
    func eachMarkupCharacterInTextAndAttribute(_ text: String, _ escaped: String) {
        #expect(XMLText.escape(text) == escaped)
        #expect(XMLText.attribute(text) == escaped)
    }

    @Test func attributeEscapesEveryMarkupCharacter() {
        #expect(XMLText.attribute(#"a<b>&"c'"#) == "a&lt;b&gt;&amp;&quot;c&apos;")
    }

    @Test func everyForbiddenControlBecomesReplacementInBoth() {
        // XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
        let forbidden = Array(0..<0x09) + [0x0B, 0x0C] + Array(0x0E..<0x20)
        #expect(forbidden.count == 29)
        for value in forbidden {
            let text = "a" + String(Unicode.Scalar(UInt8(value))) + "b"
            #expect(XMLText.escape(text) == "a\u{FFFD}b", "U+\(value)")
            #expect(XMLText.attribute(text) == "a\u{FFFD}b", "U+\(value)")
        }
        #expect(XMLText.escape("\u{FFFE}\u{FFFF}") == "\u{FFFD}\u{FFFD}")
        #expect(XMLText.attribute("\u{FFFE}\u{FFFF}") == "\u{FFFD}\u{FFFD}")
    }

    @Test func allowedEdgesAreKept() {
        // DEL and C1 are allowed in XML 1.0; the last BMP character before the surrogates, the first
        // private-use one and one beyond the BMP too.
        let kept = "\u{7F}\u{85}\u{9F}\u{D7FF}\u{E000}\u{FFFD}\u{10000}🙂"
        #expect(XMLText.escape(kept) == kept)
        #expect(XMLText.attribute(kept) == kept)
    }
}
