import ArgumentParser
import ProctorAPI
import ProctorHost
import ProctorJSON

/// `proctord report INTERVIEW --html FILE --json FILE`: one interview's
/// report, read from its file (the agent need not run).
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write one interview's report: a self-contained HTML page and/or a JSON document (docs/report.md).")

    @OptionGroup var location: InterviewsCommand.Location
    @Argument(help: "The interview id, as `proctord interviews list` shows it.")
    var interview: String
    @Option(help: ArgumentHelp("Write the HTML report here ('-' for stdout).", valueName: "FILE"))
    var html: String?
    @Option(help: ArgumentHelp("Write the JSON report here ('-' for stdout).", valueName: "FILE"))
    var json: String?

    func validate() throws {
        guard html != nil || json != nil else { throw ValidationError("give --html FILE, --json FILE or both") }
        guard !(html == "-" && json == "-") else { throw ValidationError("only one of --html and --json can be '-'") }
    }

    func run() throws {
        let report: InterviewReport
        do { report = try location.archive.report(interview) } catch {
            printError("\(error)")
            throw ExitStatusCode.failure
        }
        if let html { try write(report.html, to: html, what: "the HTML report") }
        if let json { try write(JSONWriter.compact(report.json) + "\n", to: json, what: "the JSON report") }
    }

    private func write(_ text: String, to path: String, what: String) throws {
        if path == "-" { return print(text, terminator: "") }
        do { try PrivateFile.write(path, text) } catch {
            printError("cannot write \(what): \(error)")
            throw ExitStatusCode.failure
        }
    }
}
