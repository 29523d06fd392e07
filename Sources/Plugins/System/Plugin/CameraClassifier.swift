import ProctorJSON

/// What the plugin keeps of a V4L2 device's VIDIOC_QUERYCAP answer.
struct CameraCapabilities: Sendable, Equatable {
    var driver: String
    var card: String
    var busInfo: String
    /// The node's own capabilities (device_caps; the whole device's when the driver gives no node's).
    var deviceCaps: UInt32

    /// The V4L2_CAP_* flags of linux/videodev2.h that the classifier reads or reports.
    static let flagNames: [(UInt32, String)] = [
        (0x0000_0001, "VIDEO_CAPTURE"), (0x0000_0002, "VIDEO_OUTPUT"), (0x0000_0004, "VIDEO_OVERLAY"),
        (0x0000_1000, "VIDEO_CAPTURE_MPLANE"), (0x0000_2000, "VIDEO_OUTPUT_MPLANE"), (0x0000_4000, "VIDEO_M2M_MPLANE"),
        (0x0000_8000, "VIDEO_M2M"), (0x0080_0000, "META_CAPTURE"), (0x0100_0000, "READWRITE"), (0x0400_0000, "STREAMING"),
        (0x0800_0000, "META_OUTPUT"), (0x1000_0000, "TOUCH"), (0x2000_0000, "IO_MC"), (0x8000_0000, "DEVICE_CAPS"),
        (0x0020_0000, "EXT_PIX_FORMAT"),
    ]
    static let videoCapture: UInt32 = 0x1, videoOutput: UInt32 = 0x2, videoM2M: UInt32 = 0x8000, captureMplane: UInt32 = 0x1000

    func flags(_ value: UInt32) -> [String] { Self.flagNames.filter { value & $0.0 != 0 }.map(\.1) }
}

/// Tells a virtual camera from a real one by what its driver says about
/// itself. Each reason is evidence the interviewer can read.
struct CameraClassification: Sendable, Equatable {
    var virtual: Bool
    /// Whether it can be a camera at all (video capture), or only metadata or output.
    var capture: Bool
    var evidence: [String]
}

enum CameraClassifier {
    /// Drivers that make video devices out of software (driver field of VIDIOC_QUERYCAP).
    static let virtualDrivers: [String: String] = [
        "v4l2 loopback": "v4l2loopback (OBS Virtual Camera and others feed it)",
        "akvcam": "akvcam (Webcamoid's virtual camera)",
        "vivid": "vivid (the kernel's virtual video test driver)",
        "vim2m": "vim2m (the kernel's virtual mem2mem test driver)",
        "vicodec": "vicodec (the kernel's virtual codec driver)",
        "droidcam": "DroidCam (a phone's camera over the network)",
    ]
    /// Card names of programs that present themselves as a camera.
    static let virtualCards = ["OBS Virtual Camera", "OBS Cam", "Virtual Camera", "VirtualCam", "Dummy video device", "AkVCam",
                               "Snap Camera", "ManyCam", "XSplit VCam", "DroidCam", "Iriun", "EpocCam", "NVIDIA Broadcast", "Unity Video Capture"]

    static func classify(_ caps: CameraCapabilities) -> CameraClassification {
        var evidence: [String] = []
        let driver = caps.driver.lowercased()
        if let meaning = virtualDrivers[driver] { evidence.append("driver \"\(caps.driver)\": \(meaning)") }
        if let card = virtualCards.first(where: { caps.card.localizedCaseInsensitiveContainsASCII($0) }) {
            evidence.append("card \"\(caps.card)\" names \(card)")
        }
        for marker in ["platform:v4l2loopback", "platform:akvcam", "platform:vivid"] where caps.busInfo.hasPrefix(marker) {
            evidence.append("bus \"\(caps.busInfo)\": a platform device of \(marker.dropFirst(9))")
        }
        let device = caps.deviceCaps
        // A camera captures; v4l2loopback without exclusive_caps offers both ends on one node.
        if device & CameraCapabilities.videoCapture != 0 && device & CameraCapabilities.videoOutput != 0 {
            evidence.append("one node both captures and outputs video (VIDEO_CAPTURE and VIDEO_OUTPUT): a loopback")
        }
        if device & CameraCapabilities.videoM2M != 0 && driver != "" && virtualDrivers[driver] != nil {
            evidence.append("VIDEO_M2M: memory to memory, not a sensor")
        }
        let capture = device & (CameraCapabilities.videoCapture | CameraCapabilities.captureMplane) != 0
        return CameraClassification(virtual: !evidence.isEmpty, capture: capture, evidence: evidence)
    }
}
