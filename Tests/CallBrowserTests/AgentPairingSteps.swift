import Foundation
import ProctorJSON
import ProctorTestSupport
import Testing

extension CallPage {
    /// The interviewee's steps from the devices to pairing: the devices
    /// accepted, then the agent's check and its pairing `code` (the shared
    /// `pairWithAgent(code:)`).
    func acceptDevicesAndPair(code: String) async throws {
        #expect(try await waitForStep("devices"))
        try await clickWhenEnabled("#devices-continue")
        #expect(try await waitForStep("agent"))
        try await pairWithAgent(code: code)
    }
}
