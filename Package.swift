// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "proctord",
    products: [
        .executable(name: "proctord", targets: ["proctord"]),
        .executable(name: "proctord-plugin-host", targets: ["proctord-plugin-host"]),
        .executable(name: "proctord-plugin-host-c", targets: ["proctord-plugin-host-c"]),
        .executable(name: "proctord-call", targets: ["proctord-call"]),
        // Each plugin is a shared library of its own: libproctor-<id>.so.
        .library(name: "proctor-heartbeat", type: .dynamic, targets: ["Heartbeat"]),
        .library(name: "proctor-sysinfo", type: .dynamic, targets: ["SysInfo"]),
        .library(name: "proctor-gaze", type: .dynamic, targets: ["Gaze"]),
        // Not a plugin: what the gaze plugin loads beside itself to decode video files and images.
        .library(name: "gaze-file-sources", type: .dynamic, targets: ["GazeFileSources"]),
        .library(name: "proctor-screen", type: .dynamic, targets: ["ScreenEntry"]),
        .library(name: "proctor-desktop", type: .dynamic, targets: ["DesktopEntry"]),
        .library(name: "proctor-audio", type: .dynamic, targets: ["AudioEntry"]),
        .library(name: "proctor-session", type: .dynamic, targets: ["SessionEntry"]),
        .library(name: "proctor-system", type: .dynamic, targets: ["SystemEntry"]),
        // Test-only plugins: misbehaviour and ABI mismatches on purpose.
        .library(name: "proctor-test-chaos", type: .dynamic, targets: ["TestChaos"]),
        .library(name: "proctor-test-abi-v2", type: .dynamic, targets: ["TestAbiV2"]),
        .library(name: "proctor-test-abi-minor-too-new", type: .dynamic, targets: ["TestAbiMinorTooNew"]),
        .library(name: "proctor-test-abi-refuses", type: .dynamic, targets: ["TestAbiRefuses"]),
        .library(name: "proctor-test-hangs-on-load", type: .dynamic, targets: ["TestHangsOnLoad"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        // https for the call server (through HummingbirdTLS).
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        // The interview store: one SQLite file per interview.
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // The stable C ABI shared by the host and every plugin.
        .target(name: "PluginABI", path: "Sources/PluginABI"),
        .target(name: "ProctorJSON", path: "Sources/JSON"),
        .target(name: "LinuxShim", path: "Sources/LinuxShim"),
        // What a Swift plugin uses instead of the C plumbing.
        .target(name: "PluginKit", dependencies: ["PluginABI", "ProctorJSON", "LinuxShim"], path: "Sources/PluginKit"),

        // What a plugin child needs and nothing more (no Foundation, logging or
        // server stack): the ABI loader, the frame relay, and its small executable.
        .target(name: "PluginHosting", dependencies: ["PluginABI", "ProctorJSON", "LinuxShim"], path: "Sources/PluginHosting"),
        .executableTarget(name: "proctord-plugin-host", dependencies: ["PluginHosting", "LinuxShim"], path: "Sources/PluginHostMain"),
        // The same child in C, for plugin libraries that do not link the Swift
        // runtime: its process then holds libc and the plugin (see withoutSwiftRuntime).
        .executableTarget(
            name: "proctord-plugin-host-c", dependencies: ["PluginABI"], path: "Sources/PluginHostC",
            cSettings: [.unsafeFlags(["-fvisibility=hidden"])],  // nothing of the host may interpose on a plugin's symbols
            linkerSettings: withoutSwiftRuntime + [.linkedLibrary("dl"), .linkedLibrary("pthread")]),

        // The daemon's logic, in a library so tests can drive it.
        .target(
            name: "ProctorHost",
            dependencies: [
                "PluginABI", "ProctorJSON", "LinuxShim", "PluginHosting",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Sources/Host",
            exclude: ["CLI", "API"]),
        // The local WebSocket and HTTP API the call page talks to.
        .target(
            name: "ProctorAPI",
            dependencies: [
                "ProctorHost", "ProctorJSON", "LinuxShim",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Sources/Host/API"),
        .executableTarget(
            name: "proctord",
            dependencies: [
                "ProctorHost", "ProctorAPI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Host/CLI"),

        // The reference interview app's call server: rooms, codes, the admin
        // API and WebRTC signalling (docs/call.md). Nothing of the agent.
        .target(
            name: "ProctorCall",
            dependencies: [
                "ProctorJSON", "PluginHosting",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Sources/Call"),
        .executableTarget(
            name: "proctord-call",
            dependencies: [
                "ProctorCall", "ProctorJSON", "PluginHosting",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/CallCLI"),

        // Plugins.
        .target(
            name: "Heartbeat", dependencies: ["PluginABI"], path: "Sources/Plugins/Heartbeat", publicHeadersPath: ".",
            linkerSettings: withoutSwiftRuntime),
        .target(name: "SysInfo", dependencies: ["PluginKit"], path: "Sources/Plugins/SysInfo"),
        // The gaze plugin: a C++ vision core behind a C API, and the plugin in Swift.
        .target(
            name: "GazeVision",
            path: "Sources/Plugins/Gaze/Vision",
            cxxSettings: [
                // Optimised even in debug builds: the per-frame work is the point of this code.
                .unsafeFlags(["-I/usr/include/opencv4", "-I\(gazeFileSourcesDirectory)/include", "-O2", "-Wno-deprecated-declarations"]),
            ],
            linkerSettings: [
                // Only the OpenCV modules the core uses; dlib is used through its headers only. Not
                // videoio or imgcodecs: files are decoded by GazeFileSources, loaded with dlopen.
                .linkedLibrary("opencv_dnn"), .linkedLibrary("opencv_objdetect"), .linkedLibrary("opencv_calib3d"),
                .linkedLibrary("opencv_imgproc"), .linkedLibrary("opencv_photo"),
                .linkedLibrary("opencv_core"), .linkedLibrary("v4l2"), .linkedLibrary("dl"),
            ]),
        // Video files and images, decoded in a module of their own (libgaze-file-sources.so,
        // gaze_file_module.h) that the core loads only when a file or folder source is opened:
        // videoio and imgcodecs bring FFmpeg, GStreamer, GDAL and ~220 more libraries, about
        // 54 MiB resident, which a camera never needs. It shares the core's private headers; the
        // core includes the module's (include/gaze_file_module.h, the table between them).
        .target(
            name: "GazeFileSources",
            path: "Sources/Plugins/Gaze/FileSources",
            cxxSettings: [
                .unsafeFlags([
                    "-I/usr/include/opencv4", "-I\(gazeVisionDirectory)", "-I\(gazeVisionDirectory)/include",
                    "-O2", "-fvisibility=hidden",  // one exported symbol: the module's table
                ]),
            ],
            linkerSettings: withoutSwiftRuntime + [
                .linkedLibrary("opencv_videoio"), .linkedLibrary("opencv_imgcodecs"), .linkedLibrary("opencv_core"),
            ]),
        .target(name: "Gaze", dependencies: ["PluginKit", "GazeVision"], path: "Sources/Plugins/Gaze/Plugin"),
        // X11 access the screen and desktop plugins share: a C shim over Xlib's
        // macros, event union and error handlers, and the Swift layer above it.
        .target(
            name: "X11Shim", path: "Sources/Plugins/X11Shim",
            linkerSettings: [.linkedLibrary("X11"), .linkedLibrary("Xrandr"), .linkedLibrary("Xfixes"), .linkedLibrary("XRes")]),
        .target(name: "X11Support", dependencies: ["X11Shim", "PluginKit", "ProctorJSON"], path: "Sources/Plugins/X11Support"),
        // Wayland access for the same plugins on wlroots compositors: a C shim over
        // libwayland-client and bindings wayland-scanner generated from the protocol
        // XML kept beside them (`make wayland-protocols` regenerates them).
        .target(
            name: "WaylandShim", path: "Sources/Plugins/WaylandShim", exclude: ["protocols"],
            linkerSettings: [.linkedLibrary("wayland-client")]),
        .target(name: "WaylandSupport", dependencies: ["WaylandShim", "X11Support", "PluginKit", "ProctorJSON"], path: "Sources/Plugins/WaylandSupport"),
        // A plugin's code and its exported entry symbol are separate targets so
        // the tests can link several plugins' code into one binary.
        .target(name: "Screen", dependencies: ["PluginKit", "X11Support", "WaylandSupport"], path: "Sources/Plugins/Screen", exclude: ["Entry"]),
        .target(name: "ScreenEntry", dependencies: ["Screen", "PluginKit"], path: "Sources/Plugins/Screen/Entry"),
        .target(name: "Desktop", dependencies: ["PluginKit", "X11Support", "WaylandSupport"], path: "Sources/Plugins/Desktop", exclude: ["Entry"]),
        .target(name: "DesktopEntry", dependencies: ["Desktop", "PluginKit"], path: "Sources/Plugins/Desktop/Entry"),
        // The audio plugin: libpulse's threaded main loop and the WebRTC voice
        // activity detector behind C shims, and the plugin in Swift.
        .target(name: "AudioPulse", path: "Sources/Plugins/Audio/Pulse", linkerSettings: [.linkedLibrary("pulse")]),
        .target(
            name: "AudioVAD", path: "Sources/Plugins/Audio/VAD",
            cxxSettings: [.unsafeFlags(["-I/usr/include/webrtc_audio_processing", "-DWEBRTC_AUDIO_PROCESSING_ONLY_BUILD", "-DWEBRTC_POSIX", "-O2"])],
            linkerSettings: [.linkedLibrary("webrtc_audio_processing")]),
        .target(name: "Audio", dependencies: ["PluginKit", "ProctorJSON", "AudioPulse", "AudioVAD"], path: "Sources/Plugins/Audio/Plugin"),
        .target(name: "AudioEntry", dependencies: ["Audio", "PluginKit"], path: "Sources/Plugins/Audio/Entry"),
        // The session plugin: libdbus on a thread of its own per bus behind a C shim, and the plugin in Swift.
        .target(
            name: "SessionBus", path: "Sources/Plugins/Session/Bus",
            cSettings: [.unsafeFlags(["-I/usr/include/dbus-1.0", "-I/usr/lib/\(debianMultiarch)/dbus-1.0/include"])],
            linkerSettings: [.linkedLibrary("dbus-1")]),
        .target(name: "Session", dependencies: ["PluginKit", "ProctorJSON", "SessionBus"], path: "Sources/Plugins/Session/Plugin"),
        .target(name: "SessionEntry", dependencies: ["Session", "PluginKit"], path: "Sources/Plugins/Session/Entry"),
        // The system plugin: /proc, /sys and V4L2 in Swift, with a C shim for
        // the netlink proc connector, the V4L2 ioctl, ELF build ids and CPUID.
        .target(name: "SystemShim", path: "Sources/Plugins/System/Shim"),
        .target(name: "SystemWatch", dependencies: ["PluginKit", "ProctorJSON", "SystemShim"], path: "Sources/Plugins/System/Plugin"),
        .target(name: "SystemEntry", dependencies: ["SystemWatch", "PluginKit"], path: "Sources/Plugins/System/Entry"),

        // Tests.
        .target(name: "TestChaos", dependencies: ["PluginABI"], path: "Tests/Plugins/Chaos", publicHeadersPath: "."),
        .target(name: "TestAbiV2", path: "Tests/Plugins/AbiV2", publicHeadersPath: "."),
        .target(name: "TestAbiMinorTooNew", dependencies: ["PluginABI"], path: "Tests/Plugins/AbiMinorTooNew", publicHeadersPath: "."),
        .target(name: "TestAbiRefuses", dependencies: ["PluginABI"], path: "Tests/Plugins/AbiRefuses", publicHeadersPath: "."),
        .target(name: "TestHangsOnLoad", dependencies: ["PluginABI"], path: "Tests/Plugins/HangsOnLoad", publicHeadersPath: "."),
        // The harness every test shares: build products, processes, fixtures.
        .target(
            name: "ProctorTestSupport",
            dependencies: [
                "ProctorHost", "ProctorAPI", "ProctorJSON", .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Tests/Support", exclude: ["WaylandTestOwner"]),
        // A clipboard owner for the Wayland tests that writes as most applications do.
        .executableTarget(name: "wayland-test-owner", dependencies: ["WaylandShim"], path: "Tests/Support/WaylandTestOwner"),
        .executableTarget(
            name: "proctord-bench",
            dependencies: [
                "ProctorHost", "ProctorJSON", "ProctorTestSupport", "X11Support", "Audio", .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/Benchmarks/Bench"),
        .testTarget(
            name: "CallServerTests",
            dependencies: ["ProctorCall", "ProctorJSON", "ProctorTestSupport", .product(name: "Logging", package: "swift-log")],
            path: "Tests/CallServerTests"),
        .testTarget(
            name: "SystemTests",
            dependencies: ["SystemWatch", "ProctorHost", "ProctorJSON", "ProctorTestSupport"],
            path: "Tests/SystemTests"),
        .testTarget(
            name: "X11Tests",
            dependencies: [
                "Screen", "Desktop", "X11Support", "WaylandSupport", "PluginKit", "ProctorHost", "ProctorJSON", "ProctorTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/X11Tests"),
        .testTarget(
            name: "AudioTests",
            dependencies: ["Audio", "ProctorHost", "ProctorJSON", "ProctorTestSupport"],
            path: "Tests/AudioTests"),
        .testTarget(
            name: "SessionTests",
            dependencies: ["Session", "ProctorHost", "ProctorAPI", "ProctorJSON", "ProctorTestSupport"],
            path: "Tests/SessionTests"),
        .testTarget(
            name: "HostTests",
            dependencies: ["ProctorHost", "ProctorJSON", "ProctorTestSupport", .product(name: "Logging", package: "swift-log"),
                           .product(name: "GRDB", package: "GRDB.swift")],
            path: "Tests/HostTests"),
        .testTarget(
            name: "GazeTests",
            dependencies: ["Gaze", "GazeVision", "ProctorHost", "ProctorJSON", "ProctorTestSupport"],
            path: "Tests/GazeTests"),
        .testTarget(
            name: "CallBrowserTests",
            dependencies: ["ProctorJSON", "ProctorTestSupport"],
            path: "Tests/CallBrowserTests"),
        .testTarget(
            name: "APITests",
            dependencies: ["ProctorAPI", "ProctorHost", "ProctorJSON", "ProctorTestSupport", .product(name: "Logging", package: "swift-log"), .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "NIOEmbedded", package: "swift-nio"), .product(name: "GRDB", package: "GRDB.swift")],
            path: "Tests/APITests"),
    ],
    cxxLanguageStandard: .cxx17
)

/// Links C code without the Swift runtime: swiftc, which SwiftPM links every
/// product with, otherwise adds its start-up object and libswiftCore (about
/// 4 MiB resident in each process) even to a product made only of C. With
/// `-static-stdlib` the runtime comes from static archives, from which an
/// object that uses none of it takes nothing (libstdc++ stays needed).
var withoutSwiftRuntime: [LinkerSetting] {
    [.unsafeFlags(["-nostartfiles", "-static-stdlib"])]
}

/// The gaze vision core's sources and its file module's, which include each
/// other's headers (a header search path may not leave the target's directory).
var gazeVisionDirectory: String {
    Context.packageDirectory + "/Sources/Plugins/Gaze/Vision"
}
var gazeFileSourcesDirectory: String {
    Context.packageDirectory + "/Sources/Plugins/Gaze/FileSources"
}

/// Where Debian keeps a library's architecture-dependent headers (`pkg-config --cflags dbus-1`).
var debianMultiarch: String {
    #if arch(arm64)
    "aarch64-linux-gnu"
    #else
    "x86_64-linux-gnu"
    #endif
}
