import Testing
@testable import SystemWatch

/// The camera classifier on VIDIOC_QUERYCAP answers. There is no camera and
/// no v4l2loopback module on the build machines, so these answers are
/// recorded by hand from what each driver's source fills in (driver, card,
/// bus_info and the V4L2_CAP_* flags of linux/videodev2.h), not read from
/// devices.
@Suite struct CameraClassifierTests {
    // V4L2_CAP_*: VIDEO_CAPTURE 0x1, VIDEO_OUTPUT 0x2, VIDEO_M2M 0x8000, EXT_PIX_FORMAT 0x200000,
    // META_CAPTURE 0x800000, READWRITE 0x1000000, STREAMING 0x4000000, DEVICE_CAPS 0x80000000.

    /// uvcvideo, a laptop's built-in webcam: capture, streaming, on USB.
    static let uvcWebcam = CameraCapabilities(
        driver: "uvcvideo", card: "Integrated Camera: Integrated C", busInfo: "usb-0000:00:14.0-8",
        deviceCaps: 0x0420_0001)
    /// uvcvideo's second node of the same webcam: metadata only.
    static let uvcMetadata = CameraCapabilities(
        driver: "uvcvideo", card: "Integrated Camera: Integrated C", busInfo: "usb-0000:00:14.0-8",
        deviceCaps: 0x0480_0000)
    /// v4l2loopback as OBS loads it (card_label="OBS Virtual Camera", exclusive_caps=1), once OBS writes.
    static let obsVirtualCamera = CameraCapabilities(
        driver: "v4l2 loopback", card: "OBS Virtual Camera", busInfo: "platform:v4l2loopback-000",
        deviceCaps: 0x0520_8001)
    /// v4l2loopback with its defaults: both ends on one node, the default card label.
    static let loopbackDefault = CameraCapabilities(
        driver: "v4l2 loopback", card: "Dummy video device (0x0000)", busInfo: "platform:v4l2loopback-000",
        deviceCaps: 0x0520_8003)
    /// akvcam's capture node (its output node is a separate device).
    static let akvcam = CameraCapabilities(
        driver: "akvcam", card: "Virtual Camera", busInfo: "platform:akvcam-0",
        deviceCaps: 0x0520_0001)
    /// A USB capture card (HDMI grabber) on uvcvideo: real hardware, and not flagged.
    static let captureCard = CameraCapabilities(
        driver: "uvcvideo", card: "USB3.0 HD Video Capture", busInfo: "usb-0000:00:14.0-2",
        deviceCaps: 0x0420_0001)

    @Test func realWebcamsAreNotVirtual() {
        for caps in [Self.uvcWebcam, Self.captureCard] {
            let result = CameraClassifier.classify(caps)
            #expect(!result.virtual && result.capture && result.evidence.isEmpty, "\(caps.card): \(result)")
        }
        let metadata = CameraClassifier.classify(Self.uvcMetadata)
        #expect(!metadata.virtual && !metadata.capture)
    }

    @Test func obsVirtualCameraIsVirtualWithEvidence() {
        let result = CameraClassifier.classify(Self.obsVirtualCamera)
        #expect(result.virtual && result.capture)
        #expect(result.evidence.contains { $0.hasPrefix("driver \"v4l2 loopback\"") })
        #expect(result.evidence.contains { $0.contains("OBS Virtual Camera") })
        #expect(result.evidence.contains { $0.hasPrefix("bus \"platform:v4l2loopback-000\"") })
    }

    @Test func loopbackWithBothEndsOnOneNodeSaysSo() {
        let result = CameraClassifier.classify(Self.loopbackDefault)
        #expect(result.virtual)
        #expect(result.evidence.contains { $0.contains("both captures and outputs") })
        #expect(result.evidence.contains { $0.contains("Dummy video device") })
    }

    @Test func akvcamIsVirtual() {
        let result = CameraClassifier.classify(Self.akvcam)
        #expect(result.virtual && result.capture)
        #expect(result.evidence.contains { $0.hasPrefix("driver \"akvcam\"") } && result.evidence.contains { $0.contains("platform:akvcam-0") })
    }

    @Test func aRealDriverWithAVirtualCameraNameIsFlaggedByItsName() {
        // A software camera can present any driver name; its card name is evidence too.
        var caps = Self.uvcWebcam
        caps.card = "ManyCam Virtual Webcam"
        let result = CameraClassifier.classify(caps)
        #expect(result.virtual && result.evidence.count == 1 && result.evidence[0].contains("ManyCam"))
    }

    @Test func flagsAreNamed() {
        #expect(Self.loopbackDefault.flags(Self.loopbackDefault.deviceCaps) == ["VIDEO_CAPTURE", "VIDEO_OUTPUT", "VIDEO_M2M", "READWRITE", "STREAMING", "EXT_PIX_FORMAT"])
    }
}
