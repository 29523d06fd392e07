import Foundation
import ProctorHost

/// Writes events as JSON lines on stdout, as `run --print-events` asks.
struct EventPrinter {
    private let task: Task<Void, Never>
    private let subscription: Subscription

    init(subscription: Subscription) {
        self.subscription = subscription
        task = Task {
            while true {
                let batch = await subscription.nextBatch(maximum: 256)
                if batch.isEmpty { return }
                FileHandle.standardOutput.write(Data(batch.map { $0.json + "\n" }.joined().utf8))
            }
        }
    }

    /// Prints what is queued, then stops.
    func finish() async {
        subscription.cancel()
        await task.value
    }
}
