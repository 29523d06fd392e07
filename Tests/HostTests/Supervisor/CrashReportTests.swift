import Foundation
@testable import ProctorHost
import Testing

/// What goes into a crash report, and what stays out of the log.
@Suite struct CrashReportTests {
    @Test func crashMessagesAreRecognised() {
        let crashes = [
            "💣 Program crashed: Bad pointer dereference at 0x0000000000000000",
            "*** Program crashed: Bad pointer dereference at 0x0000000000000000 ***",
            "*** Signal 11: Backtracing from 0x7f3a2c0b1234... done ***",
            "*** stack smashing detected ***: terminated",
            "ProctorHost/Thing.swift:12: Fatal error: no camera",
            "Fatal error: Index out of range",
            "Swift/ContiguousArrayBuffer.swift:690: Precondition failed",
            "plugin-host: vision.c:40: run: Assertion `frame != NULL' failed.",
        ]
        let ordinary = [
            "", "chaos: about to crash", "*** no closing stars", "Fatal errors are rare", "file.swift:x: Fatal error: y",
            "[ WARN:0@0.1] global cap_v4l.cpp (1000) open VIDEOIO(V4L2:/dev/video0): can't open camera by index",
        ]
        #expect(crashes.filter { !CrashCapture.isCrashMessage(ArraySlice($0.utf8)) } == [])
        #expect(ordinary.filter { CrashCapture.isCrashMessage(ArraySlice($0.utf8)) } == [])
    }

    @Test func theCaptureKeepsABoundedTailAndTheCrashInOrder() {
        var capture = CrashCapture(tailLimit: 100, crashLimit: 80)
        let lines = (0..<50).map { "line \($0)" }
            + ["*** Program crashed: Bad pointer dereference at 0x0 ***", "Thread 0 crashed:", "line after the crash"]
        let loggable = lines.map { capture.take(ArraySlice($0.utf8)) }
        #expect(loggable == Array(repeating: true, count: 50) + [false, false, false], "nothing from a crash message on is logged")
        let text = capture.text
        #expect(text.hasPrefix("["), "says how much earlier output was left out: \(text)")
        #expect(text.contains("line 49\n*** Program crashed: Bad pointer dereference at 0x0 ***\nThread 0"))
        #expect(text.hasSuffix(" more bytes not kept]\n"))
        #expect(capture.tail.count <= 200 && capture.crash.count <= 80, "bounded")
    }

    @Test func childrenGetAPlainNonInteractiveBacktrace() {
        #expect(CrashReport.backtraceSettings(inherited: nil) == "enable=yes,interactive=no,color=no,output-to=stderr")
        #expect(CrashReport.backtraceSettings(inherited: "enable=no")
            == "enable=yes,enable=no,interactive=no,color=no,output-to=stderr", "the user's own choice wins over ours")
    }
}
