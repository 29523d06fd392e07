import ProctorHost
import ProctorJSON
import ProctorTestSupport
import Testing

/// The assistant's notes: from raised alerts only, citing them, with the
/// phase, rate-limited and de-duplicated, worded as suggestions.
@Suite struct AssistantTests {
    func alert(_ id: String, _ rule: String, state: String = "raised", message: String = "glanced down-left 6 times in 98.0 s") -> JSONValue {
        ["alert": .string(id), "rule": .string(rule), "severity": "low", "state": .string(state), "message": .string(message)]
    }

    @Test func aRaisedAlertGivesOneNoteCitingItWithThePhase() throws {
        var assistant = Assistant(guidelines: GuidelineDefaults.guidelines)
        assistant.phase(["name": "question 3"])
        let first = assistant.note(for: alert("repeated_glances#1", "repeated_glances"), at: ScriptedEvents.time(0))
        let note = try #require(first)
        #expect(note["note"] == "Glanced down-left 6 times in 98.0 s during question 3: consider asking the candidate to show their desk.")
        #expect(note["alert"] == "repeated_glances#1" && note["phase"] == "question 3" && note["rule"] == "repeated_glances")
        let resolved = assistant.note(for: alert("look_away#1", "look_away", state: "resolved"), at: ScriptedEvents.time(60))
        #expect(resolved == nil)
    }

    @Test func notesAreSpacedAndTheSameRuleInTheSamePhaseIsNotRepeated() {
        var assistant = Assistant(guidelines: GuidelineDefaults.guidelines, spacingSeconds: 20, repeatSeconds: 300)
        func noted(_ id: String, _ rule: String, at seconds: Double) -> Bool {
            assistant.note(for: alert(id, rule), at: ScriptedEvents.time(seconds)) != nil
        }
        let given = [
            noted("focus_away#1", "focus_away", at: 0),
            noted("look_away#1", "look_away", at: 19.999),  // too soon after the last note
            noted("look_away#2", "look_away", at: 20),
            noted("focus_away#2", "focus_away", at: 299),  // the same rule and phase within 300 s
        ]
        assistant.phase(["name": "question 4"])
        let later = [
            noted("focus_away#3", "focus_away", at: 299),  // another phase
            noted("look_away#3", "look_away", at: 310),
            noted("look_away#4", "look_away", at: 330),
        ]
        #expect(given == [true, false, true, false] && later == [true, false, true])
    }

    /// No note names an intention: words of verdict never appear.
    @Test func noSuggestionAccuses() {
        let verdicts = ["cheat", "suspicious", "dishonest", "caught", "violat", "guilty", "fraud"]
        for kind in ConditionKinds.all.map({ $0.kind }) + ["unknown"] {
            let text = Assistant.suggestionText(kind).lowercased()
            #expect(!verdicts.contains { text.contains($0) } && (text.hasPrefix("consider") || text.hasPrefix("the agent")), "\(text)")
        }
    }
}
