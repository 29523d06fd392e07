import ArgumentParser
import ProctorAPI
import ProctorHost
import ProctorJSON

/// `proctord interviews`: the interview files in the state directory, read
/// directly (the agent need not run).
struct InterviewsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "interviews",
        abstract: "List, show, export or delete the stored interviews ($XDG_STATE_HOME/proctord/interviews).",
        subcommands: [List.self, Show.self, Export.self, Delete.self])

    struct Location: ParsableArguments {
        @Option(help: ArgumentHelp("Where sessions and logs are kept (default $XDG_STATE_HOME/proctord).", valueName: "DIR"))
        var stateDir: String?

        var archive: InterviewArchive {
            InterviewArchive(directory: (stateDir ?? AgentPaths.fromEnvironment().stateDirectory) + "/interviews")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One line per interview, oldest first.")
        @OptionGroup var location: Location
        @Flag(help: "Print one JSON array instead.")
        var json = false

        func run() throws {
            let archive = location.archive
            var rows: [JSONValue] = []
            for id in archive.ids() {
                do { rows.append(try archive.summary(id)) } catch { printError("\(error)") }
            }
            if json { return print(JSONWriter.compact(.array(rows))) }
            if rows.isEmpty { return print("no interviews in \(archive.directory)") }
            for row in rows {
                let title = row["title"]?.stringValue.map { "  \($0)" } ?? ""
                let state = row["state"] == "open" ? "open" : (row["end_reason"]?.stringValue ?? "ended")
                print("\(row["interview"]?.stringValue ?? "?")  \(row["started_at"]?.stringValue ?? "?")  \(state)  \(row["events"]?.intValue ?? 0) events\(title)")
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One interview's summary as JSON.")
        @OptionGroup var location: Location
        @Argument(help: "The interview id (see `proctord interviews list`).")
        var id: String

        func run() throws {
            do { print(JSONWriter.compact(try location.archive.summary(id))) } catch {
                printError("\(error)")
                throw ExitStatusCode.failure
            }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write one interview, every event included, to a JSON file.")
        @OptionGroup var location: Location
        @Argument(help: "The interview id.")
        var id: String
        @Option(help: ArgumentHelp("The file to write ('-' for stdout).", valueName: "FILE"))
        var json: String

        func run() throws {
            do {
                let text = JSONWriter.compact(try location.archive.export(id)) + "\n"
                if json == "-" { return print(text, terminator: "") }
                try PrivateFile.write(json, text)
            } catch {
                printError("\(error)")
                throw ExitStatusCode.failure
            }
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete one interview's file.")
        @OptionGroup var location: Location
        @Argument(help: "The interview id.")
        var id: String

        func run() throws {
            do { try location.archive.delete(id) } catch {
                printError("\(error)")
                throw ExitStatusCode.failure
            }
            print("deleted \(id)")
        }
    }
}
