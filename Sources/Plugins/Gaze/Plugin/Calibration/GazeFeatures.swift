/// What the mapping to the screen is fitted on: where the pupils sit in
/// the eyes, and where the head is and how it is turned, so the mapping
/// holds when the head moves.
public struct GazeFeatures: Sendable, Equatable {
    /// Pupil position along the eye, 0...1, and below the corner line.
    public var horizontal: Double
    public var vertical: Double
    /// Head pose in degrees.
    public var yaw: Double
    public var pitch: Double
    public var roll: Double
    /// Face centre as a share of the image, and face width as a share of
    /// the image width (a proxy for the distance to the camera).
    public var faceX: Double
    public var faceY: Double
    public var faceScale: Double

    public init(horizontal: Double, vertical: Double, yaw: Double, pitch: Double, roll: Double,
                faceX: Double, faceY: Double, faceScale: Double) {
        self.horizontal = horizontal
        self.vertical = vertical
        self.yaw = yaw
        self.pitch = pitch
        self.roll = roll
        self.faceX = faceX
        self.faceY = faceY
        self.faceScale = faceScale
    }

    /// The regression's terms: second order in the eyes (their mapping to
    /// the screen bends at the edges), first order in the head.
    var terms: [Double] {
        [horizontal, vertical, horizontal * horizontal, vertical * vertical, horizontal * vertical,
         yaw, pitch, roll, faceX, faceY, faceScale]
    }
}
