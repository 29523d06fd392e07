import ProctorTestSupport
import Testing

extension CallPage {
    /// Screenshots the viewport (kept as the harness says) and checks it is
    /// not blank: one colour over 97% of it, or narrower than 300 pixels.
    func screenshot(_ step: String, doc: Bool = false) async throws {
        let shot = try await takeScreenshot(step, doc: doc)
        #expect(!shot.looksBlank, "\(shot)")
    }
}
