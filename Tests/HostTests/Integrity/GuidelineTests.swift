import Foundation
import ProctorHost
import ProctorJSON
import ProctorTestSupport
import Testing

/// The guidelines in the config and from a page: checked against each kind's
/// parameters, a page held to the config, errors that name rule, field and value.
@Suite struct GuidelineTests {
    func page(_ text: String) throws -> Guidelines {
        try GuidelineParser.page(try JSONParser.parse(text), over: GuidelineDefaults.guidelines)
    }

    func refusal(_ text: String) throws -> String {
        do {
            _ = try page(text)
            return "accepted"
        } catch {
            return "\(error)"
        }
    }

    @Test func theShippedConfigSpellsOutTheDefaults() throws {
        let shipped = try ConfigLoader.load(file: TestBuild.repositoryRoot + "/plugins.json")
        #expect(shipped.guidelines == GuidelineDefaults.guidelines)
        #expect(Set(shipped.guidelines.rules.map(\.kind)) == Set(ConditionKinds.all.map { $0.kind }))
    }

    @Test func aConfigRuleIsCheckedAgainstItsKind() throws {
        let dir = TemporaryDirectory()
        let file = dir.write("plugins.json", #"""
        {"plugins": [], "guidelines": {"rules": [
          {"id": "look_away", "kind": "look_away", "text": "Eyes on the screen.", "severity": "medium", "min_s": -1},
          {"id": "look_away", "kind": "glance", "text": "x", "severity": "low"},
          {"id": "faces", "kind": "multiple_faces", "text": "Alone.", "severity": "critical", "window_s": 3}
        ]}}
        """#)
        do {
            _ = try ConfigLoader.load(file: file)
            Issue.record("accepted")
        } catch {
            let text = error.description
            #expect(text.contains("\(file): $.guidelines.rules[0].min_s: -1 is less than the minimum 0"), "\(text)")
            #expect(text.contains("\(file): $.guidelines.rules[1].kind: unknown kind \"glance\""), "\(text)")
            #expect(text.contains("\(file): $.guidelines.rules[2].severity"), "\(text)")
            #expect(text.contains("\(file): $.guidelines.rules[2]") && text.contains("window_s"), "\(text)")
        }
    }

    @Test func aConfigWithItsOwnRulesUsesThemWholeWithDefaultsFilledIn() throws {
        let dir = TemporaryDirectory()
        let file = dir.write("plugins.json", #"""
        {"plugins": [], "guidelines": {"rules": [{"id": "eyes", "kind": "look_away", "text": "Eyes on the screen.", "severity": "high"}]}}
        """#)
        let rules = try ConfigLoader.load(file: file).guidelines.rules
        #expect(rules.count == 1 && rules[0].number("min_s") == 6 && rules[0].cost == 10 && rules[0].cap == 30)
    }

    @Test func aPageMayMakeRulesStricterAndAddRules() throws {
        let stricter = try page(#"""
        {"rules": [{"id": "look_away", "min_s": 3, "severity": "high"},
                   {"id": "repeated_glances", "window_s": 300, "directions": ["left", "right", "down", "up"]},
                   {"id": "eyes_shut", "kind": "flag", "text": "Keep your eyes open.", "severity": "low", "topic": "gaze.eyes_closed", "field": "closed"}]}
        """#)
        #expect(stricter.rule("look_away")?.number("min_s") == 3 && stricter.rule("look_away")?.severity == .high)
        // A higher severity brings its weight: medium's 5 (cap 15) becomes high's 10 (cap 30).
        #expect(stricter.rule("look_away")?.cost == 10 && stricter.rule("look_away")?.cap == 30)
        #expect(stricter.rule("repeated_glances")?.number("window_s") == 300)
        #expect(stricter.rule("eyes_shut")?.string("topic") == "gaze.eyes_closed")
        #expect(stricter.rule("face_absent") == GuidelineDefaults.guidelines.rule("face_absent"))
    }

    @Test func aPageMayNotLoosenARuleAndIsToldWhichFieldAndValue() throws {
        #expect(try refusal(#"{"rules": [{"id": "look_away", "min_s": 8}]}"#)
            == "$.guidelines.rules[0].min_s: 8 is looser than this agent's config allows for rule \"look_away\" (min_s 6; a page may only lower it)")
        #expect(try refusal(#"{"rules": [{"id": "face_absent"}, {"id": "multiple_faces", "severity": "low"}]}"#)
            == "$.guidelines.rules[1].severity: \"low\" is looser than this agent's config allows for rule \"multiple_faces\" (severity \"high\"; a page may only raise it)")
        #expect(try refusal(#"{"rules": [{"id": "repeated_glances", "window_s": 60}]}"#).contains("window_s: 60 is looser"))
        #expect(try refusal(#"{"rules": [{"id": "repeated_glances", "directions": ["left"]}]}"#).contains("directions: [\"left\"] is looser"))
        #expect(try refusal(#"{"rules": [{"id": "remote_control", "topic": "system.other"}]}"#)
            == "$.guidelines.rules[0].topic: rule \"remote_control\" reads topic \"system.remote_control\" by this agent's config; a page may not change it")
    }

    @Test func aPageRuleThatIsNotARuleIsRefusedPrecisely() throws {
        #expect(try refusal(#"{"strict": true}"#) == "$.guidelines.strict: unknown field; guidelines take \"rules\"")
        #expect(try refusal(#"{"rules": [{"id": "look_away", "min_s": "soon"}]}"#).hasPrefix("$.guidelines.rules[0].min_s:"))
        #expect(try refusal(#"{"rules": [{"id": "look_away", "kind": "face_absent"}]}"#).hasPrefix("$.guidelines.rules[0].kind:"))
        #expect(try refusal(#"{"rules": [{"id": "new_one", "kind": "look_away"}]}"#) == "$.guidelines.rules[0].text: is required but missing")
        #expect(try refusal(#"{"rules": [{"id": "x", "kind": "teleport", "text": "t", "severity": "low"}]}"#).contains("unknown kind \"teleport\""))
        #expect(try refusal(#"{"rules": [{"id": "look_away"}, {"id": "look_away"}]}"#) == "$.guidelines.rules[1].id: rule \"look_away\" appears twice")
    }
}
