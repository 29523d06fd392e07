import Foundation
import ProctorJSON

/// The doctor's look at the agent itself: its config, whether each plugin
/// loads, the models the plugins are configured to read (and their terms),
/// and the systemd user service.
public enum AgentChecks {
    /// The config as the agent would find it, each enabled plugin probed in a
    /// child and its settings checked against its schema.
    public static func config(
        explicit: String?, paths: AgentPaths, executable: String
    ) async -> (findings: [DoctorFinding], config: AgentConfig?, pluginConfigs: [String: JSONValue]) {
        let config: AgentConfig
        let source: String
        do {
            let located = try ConfigLoader.locate(explicit: explicit, paths: paths)
            source = located.source
            config = try ConfigLoader.load(file: located.file)
        } catch let error as ConfigErrors {
            return ([DoctorFinding("config", .problem, "the config is broken: " + error.description,
                                   advice: "fix the file (docs/configuration.md); `proctord check-config FILE` checks it")], nil, [:])
        } catch {
            return ([DoctorFinding("config", .problem, "\(error)", advice: "pass --config FILE, or copy the shipped plugins.json to \(paths.configDirectory)/")], nil, [:])
        }
        let inspection = await Agent.inspect(config, paths: paths, executable: executable, spawner: ProcessSpawner())
        var findings: [DoctorFinding] = []
        if inspection.errors.isEmpty {
            findings.append(DoctorFinding("config", .ok, "\(config.file) (\(source)) is valid", details: ["file": .string(config.file), "source": .string(source)]))
        } else {
            findings.append(DoctorFinding(
                "config", .problem, "\(config.file): " + inspection.errors.map(\.description).joined(separator: "; "),
                advice: "fix these settings (docs/configuration.md); the agent refuses to start with them", details: ["file": .string(config.file)]))
        }
        for report in inspection.reports {
            let id = report.entry.id
            guard report.entry.enabled else {
                findings.append(DoctorFinding("plugin \(id)", .note, "disabled in the config"))
                continue
            }
            switch report.outcome {
            case .success(let manifest)?:
                findings.append(DoctorFinding(
                    "plugin \(id)", .ok, "\(report.libraryPath) loads (\(manifest.name) \(manifest.version), ABI \(manifest.abiMajor).\(manifest.abiMinor))",
                    details: ["library": .string(report.libraryPath), "loads": true]))
            case .failure(let error)?:
                findings.append(DoctorFinding(
                    "plugin \(id)", .problem, "\(report.libraryPath) does not load: \(error)",
                    advice: "reinstall proctord, or disable the plugin in the config", details: ["library": .string(report.libraryPath), "loads": false]))
            case nil:
                break
            }
        }
        return (findings, config, inspection.configs)
    }

    /// What the known models are and the terms they come under.
    static let knownLicences: [String: String] = [
        "shape_predictor_68_face_landmarks.dat":
            "dlib 68-point landmarks, trained on iBUG 300-W: its authors ask that it not be used commercially",
        "face_detection_yunet_2023mar.onnx": "YuNet face detector (OpenCV Zoo), MIT",
    ]

    /// Every `*_model` setting of an enabled plugin: the file, whether it is there, its licence.
    public static func models(pluginConfigs: [String: JSONValue], dataDirectory: String) -> [DoctorFinding] {
        var findings: [DoctorFinding] = []
        for plugin in pluginConfigs.keys.sorted() {
            guard let settings = pluginConfigs[plugin]?.objectValue else { continue }
            for (key, value) in settings.members where key.hasSuffix("_model") {
                guard let setting = value.stringValue, !setting.isEmpty else { continue }
                let path = setting.hasPrefix("/") ? setting : dataDirectory + "/" + setting
                let name = (path as NSString).lastPathComponent
                let licence = knownLicences[name] ?? "licence unknown to proctord: check it before use"
                let present = FileManager.default.isReadableFile(atPath: path)
                let advice = name.hasPrefix("shape_predictor") ? "install Debian's libdlib-data" : "reinstall proctord (or run make assets in a checkout)"
                findings.append(DoctorFinding(
                    "model \(plugin).\(key)", present ? .ok : .warning,
                    present ? "\(path): \(licence)" : "\(path) is missing (\(licence))",
                    advice: present ? nil : advice,
                    details: ["path": .string(path), "present": .bool(present), "licence": .string(licence)]))
            }
        }
        return findings
    }

    /// The systemd user service: installed, enabled, running.
    public static func service(environment: [String: String]) -> (finding: DoctorFinding, active: Bool) {
        guard ToolOutput.which("systemctl") != nil else {
            return (DoctorFinding("service", .note, "systemd is not installed: run the agent with `proctord run`"), false)
        }
        func ask(_ verb: String, _ unit: String) -> String {
            // is-active/is-enabled print their answer and exit non-zero for "inactive"/"disabled".
            ToolOutput.runAnyStatus("systemctl", ["--user", verb, unit], environment: environment)?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        }
        let active = ask("is-active", "proctord.service")
        if active.isEmpty || active.contains("Failed to connect") {
            return (DoctorFinding("service", .note, "no systemd user manager answers in this session",
                                  advice: "log in to a desktop session, or run the agent with `proctord run`"), false)
        }
        let enabled = ask("is-enabled", "proctord.service")
        let socket = ask("is-enabled", "proctord.socket")
        let details: JSONValue = ["active": .string(active), "enabled": .string(enabled), "socket_enabled": .string(socket)]
        if enabled == "not-found" || enabled.isEmpty {
            return (DoctorFinding("service", .note, "the user unit proctord.service is not installed (the agent runs only by hand)",
                                  advice: "`make install` or the Debian package install it", details: details), false)
        }
        let summary = "proctord.service is \(active), \(enabled) at login; proctord.socket is \(socket)"
        if active == "failed" {
            return (DoctorFinding("service", .warning, summary, advice: "see why with `proctord service logs`", details: details), false)
        }
        let startsSomehow = enabled == "enabled" || socket == "enabled"
        return (DoctorFinding("service", startsSomehow ? .ok : .note, summary,
                              advice: startsSomehow ? nil : "`proctord service enable` starts it with your session", details: details),
                active == "active")
    }
}
