import ProctorJSON

/// Which events the interviewee is told about on their desktop, and in what
/// words: full screen put back, another program recording the microphone
/// (or listening to the sound output),
/// the interview starting and ending.
enum EventNotices {
    static let topics = ["screen.reactivated", "audio.capture", "interview.started", "interview.ended"]

    static func notice(topic: String, data: JSONValue) -> DesktopNotice? {
        switch topic {
        case "screen.reactivated" where data["result"] == "restored":
            return DesktopNotice(
                title: "Full screen was restored",
                body: "The interview page had left full screen, so proctord put it back. Please keep it full screen until the interview ends.",
                key: "screen.restored")
        case "audio.capture" where data["state"] == "started" && data["call_page_candidate"] == false && data["module"] == .null:
            let program = data["application"]?.stringValue ?? data["binary"]?.stringValue ?? "A program"
            let pid = data["pid"]?.intValue.map { " (process \($0))" } ?? ""
            // A monitor source is what the speakers play, not the microphone: say so.
            let monitor = data["source_is_monitor"] == true
            return DesktopNotice(
                title: monitor ? "Another program started listening to your computer's sound output"
                    : "Another program started recording your microphone",
                body: "\(program)\(pid) is \(monitor ? "listening to your computer's sound output" : "recording from your microphone"). "
                    + "proctord notes this for the interview; close the program if you did not mean to start it.",
                key: "audio.capture.\(monitor ? "monitor." : "")\(data["binary"]?.stringValue ?? program)")
        case "interview.started":
            let title = data["title"]?.stringValue.map { " (\($0))" } ?? ""
            return DesktopNotice(
                title: "Your interview has started",
                body: "proctord now shares what it observes with the interview page\(title). Its own page in your browser shows what is shared.",
                key: "interview.started.\(data["interview"]?.stringValue ?? "")")
        case "interview.ended":
            return DesktopNotice(
                title: "Your interview has ended",
                body: "proctord has stopped sharing observations for this interview.",
                key: "interview.ended.\(data["interview"]?.stringValue ?? "")")
        default:
            return nil
        }
    }
}
