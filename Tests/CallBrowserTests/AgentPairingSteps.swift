import Foundation
import ProctorJSON
import ProctorTestSupport
import Testing

extension CallPage {
    /// The interviewee's steps from the devices to pairing, as a person takes
    /// them: the devices accepted, the agent's check passed, its pairing
    /// `code` typed and sent. What follows (calibration when the agent runs
    /// gaze, else the join step) is the caller's.
    func pairWithAgent(code: String) async throws {
        #expect(try await waitForStep("devices"))
        try await clickWhenEnabled("#devices-continue")
        #expect(try await waitForStep("agent"))
        #expect(try await waitUntil("document.querySelector('#agent-root [data-action=connect]')"))
        try await click("#agent-root [data-action=connect]")
        let pairing = try await waitUntil("document.querySelector('#agent-root input[name=code]')")
        let check = try await text("#agent-root")
        try #require(pairing, "the page reached the agent and is asked for its code: \(check)")
        _ = try await session.evaluate("document.querySelector('#agent-root input[name=code]').value = \(JSONWriter.quoted(code)); true")
        try await click("#agent-root [data-action=pair]")
    }
}
