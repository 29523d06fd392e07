import ProctorJSON
import Testing

@Suite struct JSONParserTests {
    @Test func parsesEveryKindOfValueAndKeepsKeyOrder() throws {
        let value = try JSONParser.parse(#"{"z":1,"a":[true,false,null,-2.5e3,"x\u00e9\n"],"m":{}}"#)
        #expect(value.objectValue?.keys == ["z", "a", "m"])
        #expect(value["a"] == [true, false, nil, -2500, "xé\n"])
        #expect(JSONWriter.compact(value) == #"{"z":1,"a":[true,false,null,-2500,"xé\n"],"m":{}}"#)
    }

    @Test func decodesSurrogatePairs() throws {
        #expect(try JSONParser.parse(#""\ud83d\ude00""#) == "😀")
    }

    @Test(arguments: [
        ("{\n  \"a\": 1,\n  \"b\" 2\n}", 3, 7, "expected ':' after object key"),
        ("[1, 2", 1, 6, "expected ',' or ']' in array"),
        ("{\"a\": tru}", 1, 7, "unexpected word, expected true"),
        ("{\"a\":1,\"a\":2}", 1, 8, "duplicate key \"a\""),
        ("\"\\x\"", 1, 2, "invalid escape \\'x'"),
        ("01", 1, 2, "unexpected text after the JSON value"),
        ("", 1, 1, "unexpected end of input, expected a value"),
    ])
    func reportsLineAndColumnOfTheFirstProblem(text: String, line: Int, column: Int, message: String) {
        #expect(throws: JSONSyntaxError(line: line, column: column, message: message)) { try JSONParser.parse(text) }
    }

    @Test func refusesHostileNesting() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(deep) }
    }

    @Test func writesNumbersAndEscapesLikeJSON() {
        #expect(JSONWriter.compact(0.1) == "0.1")
        #expect(JSONWriter.compact(1e21) == "1e+21")
        #expect(JSONWriter.compact(.number(.nan)) == "null")
        #expect(JSONWriter.quoted("a\"b\\c\u{01}") == #""a\"b\\c\u0001""#)
    }
}

@Suite struct JSONSyntaxTests {
    @Test(arguments: [
        #"{}"#, #"{"a":[1,2,{"b":null}],"c":"é","d":-0.5e-3}"#, " {\"a\" : true } ",
    ])
    func acceptsObjects(text: String) {
        #expect(JSONSyntax.isObject(text))
    }

    @Test(arguments: [
        "[]", "1", "\"s\"", "{", "{\"a\":}", "{\"a\":1,}", "{\"a\":01}", "{\"a\":\"\u{01}\"}", "{} {}",
        "{\"a\":tru}", "{\"a\":\"\\q\"}", "{a:1}",
    ])
    func refusesEverythingElse(text: String) {
        #expect(!JSONSyntax.isObject(text))
    }

    @Test func refusesInvalidUTF8() {
        for bad: [UInt8] in [[0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xE2, 0x82]] {
            let bytes = Array("{\"a\":\"".utf8) + bad + Array("\"}".utf8)
            #expect(!bytes.withUnsafeBytes { JSONSyntax.isObject($0) }, "bytes \(bad)")
        }
        let good = Array("{\"a\":\"€😀\"}".utf8)
        #expect(good.withUnsafeBytes { JSONSyntax.isObject($0) })
    }

    @Test func agreesWithTheParserOnObjects() throws {
        // The parser is the reference: anything the fast check accepts must parse.
        let samples = [#"{"a":{"b":{"c":[[[]]]}}}"#, #"{"k":1E5}"#, #"{"k":-0}"#, #"{"\u0041":"\/"}"#]
        for sample in samples {
            #expect(JSONSyntax.isObject(sample))
            _ = try JSONParser.parse(sample)
        }
    }
}
