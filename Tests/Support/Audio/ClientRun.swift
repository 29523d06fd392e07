import Foundation

/// Runs a short-lived program (pactl, paplay, sox, espeak-ng, dbus-send) to
/// its end and returns what it printed on standard output; throws with its
/// error output when it fails, and kills it after `timeout` (sox and
/// espeak-ng making long test sounds on a loaded machine take a while).
/// `environment` entries are set on top of the runner's (nil removes one).
@discardableResult
func runToEnd(_ executable: String, _ arguments: [String], environment: [String: String?] = [:], timeout: Duration = .seconds(120)) throws -> String {
    String(decoding: try ToolRun.output(of: executable, arguments, environment: environment, timeout: timeout), as: UTF8.self)
}
