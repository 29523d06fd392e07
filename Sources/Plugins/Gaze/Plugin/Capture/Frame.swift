/// One frame copied out of a source, ready for the tracker.
struct Frame: Sendable {
    var index: Int64
    /// Milliseconds since the source started (camera time, or the file's).
    var timestampMilliseconds: Double
    var width: Int32
    var height: Int32
    var stride: Int32
    var format: Int32
    var pixels: [UInt8]
}
