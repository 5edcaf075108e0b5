import ReportWriters
import Testing

@Suite struct JSONValueTests {
    @Test func keepsKeyOrderAndWritesNaNAsNull() {
        let value = JSONValue.object([
            ("z", .int(1)), ("a", .number(.nan)), ("m", .number(0.25)), ("s", .string("a\"b\\c\n\u{1}")),
            ("list", .array([.int(1), .bool(true), .null])),
        ])
        #expect(value.rendered(indent: 0) == #"{"z":1,"a":null,"m":0.25,"s":"a\"b\\c\n\u0001","list":[1,true,null]}"#)
    }

    @Test func indentsNestedContainersOnePerLine() {
        let value = JSONValue.object([
            ("rows", .array([.object([("id", .int(1))]), .object([])])), ("k", .array([.int(2), .int(3)])),
        ])
        #expect(
            value.rendered(indent: 2) == """
                {
                  "rows": [
                    {
                      "id": 1
                    },
                    {}
                  ],
                  "k": [2, 3]
                }
                """)
    }

    @Test(arguments: [
        (1.0, "1"), (-3.0, "-3"), (0.1, "0.1"), (1e-05, "1e-05"), (.infinity, "null"), (2.5e15, "2500000000000000"),
        (1e20, "1e+20"),
    ])
    func formatsNumbersShortestRoundTrip(_ value: Double, _ text: String) {
        #expect(NumberText.json(value) == text)
    }
}
