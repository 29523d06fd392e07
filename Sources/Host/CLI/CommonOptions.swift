import ArgumentParser
import Logging
import ProctorHost

struct ConfigOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The config file to use instead of the user's or the default one.", valueName: "FILE"))
    var config: String?
}

struct LogOptions: ParsableArguments {
    @Option(name: .long, help: "Least severe messages to log: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func bootstrap() -> Logger {
        let level = logLevel
        let journal = JournalLogHandler.stderrIsJournal
        LoggingSystem.bootstrap { JournalLogHandler(label: $0, level: level, journal: journal) }
        return Logger(label: "proctord")
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// Loads the config the options point at, printing every error and exiting
/// with EX_CONFIG when it is broken.
func loadConfig(_ option: ConfigOption, paths: AgentPaths) throws -> (AgentConfig, String) {
    do {
        let (file, source) = try ConfigLoader.locate(explicit: option.config, paths: paths)
        return (try ConfigLoader.load(file: file), source)
    } catch let error as ConfigErrors {
        printError(error.description)
        throw ExitStatusCode.config
    } catch {
        printError("\(error)")
        throw ExitStatusCode.config
    }
}

func printError(_ text: String) {
    var stderr = StandardError()
    print(text, to: &stderr)
}

