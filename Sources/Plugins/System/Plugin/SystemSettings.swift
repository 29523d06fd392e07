import PluginKit
import ProctorJSON

/// The system plugin's config, read once at create.
struct SystemSettings: Sendable {
    enum Method: String, Sendable { case auto, connector, scan }

    var method: Method
    var scanInterval: Double
    var catalogue: Catalogue
    /// Categories that make `system.remote_control` active (the remote_control rule).
    var flagCategories: Set<String>
    var cameraInterval: Double
    var deviceDirectory: String
    var environmentInterval: Double
    var tamperInterval: Double
    /// The agent's pid; 0: found (the plugin-host's parent, or this process in-process).
    var agentPid: Int32
    /// The files whose change is tampering; empty: the agent's config, found from its command line.
    var configFiles: [String]

    init(config: JSONValue) throws {
        method = Method(rawValue: config["method"]?.stringValue ?? "auto") ?? .auto
        scanInterval = config["scan_interval_s"]?.doubleValue ?? 1
        let programs = config["programs"]?.arrayValue.map { $0.map(CatalogueEntry.init(json:)) } ?? DefaultCatalogue.entries
        let extra = (config["extra_programs"]?.arrayValue ?? []).map(CatalogueEntry.init(json:))
        for (index, entry) in (programs + extra).enumerated() where entry.executables.isEmpty && entry.paths.isEmpty && entry.buildIds.isEmpty {
            throw PluginError("programs (with extra_programs), entry \(index) \(JSONWriter.quoted(entry.name)): give at least one of executables, paths, build_ids")
        }
        catalogue = Catalogue(programs + extra)
        flagCategories = Set((config["flag_categories"]?.arrayValue ?? ["remote_control", "assistant"]).compactMap(\.stringValue))
        cameraInterval = config["camera_interval_s"]?.doubleValue ?? 2
        deviceDirectory = config["device_dir"]?.stringValue ?? "/dev"
        environmentInterval = config["environment_interval_s"]?.doubleValue ?? 30
        tamperInterval = config["tamper_interval_s"]?.doubleValue ?? 1
        agentPid = Int32(config["agent_pid"]?.intValue ?? 0)
        configFiles = (config["config_files"]?.arrayValue ?? []).compactMap(\.stringValue)
    }

    private static let programSchema: JSONValue = [
        "type": "object",
        "additionalProperties": false,
        "required": ["name", "category"],
        "properties": [
            "name": ["type": "string", "minLength": 1, "description": "What events call the program."],
            "category": ["type": "string", "pattern": "^[a-z0-9_]{1,40}$",
                         "description": "remote_control, screen_recorder, assistant, or a platform's own."],
            "executables": ["type": "array", "items": ["type": "string", "minLength": 1],
                            "description": "Executable file names or process names, compared without case."],
            "paths": ["type": "array", "items": ["type": "string", "pattern": "^/"],
                      "description": "Absolute paths of its binaries; one ending in / covers everything under that directory."],
            "build_ids": ["type": "array", "items": ["type": "string", "pattern": "^[0-9a-fA-F]{8,128}$"],
                          "description": "GNU build ids of its binaries (file(1) shows them): a renamed copy anywhere still matches."],
        ],
    ]

    static let schema: JSONValue = [
        "type": "object",
        "additionalProperties": false,
        "properties": [
            "method": [
                "enum": ["auto", "connector", "scan"], "default": "auto",
                "description": "How process starts are seen: the netlink proc connector (needs CAP_NET_ADMIN), a /proc scan, or auto: the connector when permitted, else the scan.",
            ],
            "scan_interval_s": [
                "type": "number", "minimum": 0.1, "maximum": 60, "default": 1,
                "description": "Time between two /proc scans when the connector is not used; a program that lives shorter may be missed.",
            ],
            "programs": [
                "type": "array", "items": programSchema,
                "description": "The catalogue of programs that matter; left out: the built-in one (docs/configuration.md lists it).",
            ],
            "extra_programs": [
                "type": "array", "items": programSchema, "default": [],
                "description": "Programs added to the catalogue (the platform's own list).",
            ],
            "flag_categories": [
                "type": "array", "items": ["type": "string"], "default": ["remote_control", "assistant"],
                "description": "Categories whose programs make system.remote_control active.",
            ],
            "camera_interval_s": [
                "type": "number", "minimum": 0.2, "maximum": 3600, "default": 2,
                "description": "Time between two looks at the video devices and the processes holding them.",
            ],
            "device_dir": ["type": "string", "default": "/dev", "description": "Where the video* device nodes are."],
            "environment_interval_s": [
                "type": "number", "minimum": 1, "maximum": 86400, "default": 30,
                "description": "Time between two looks at the virtual machine and remote session evidence; an event only when it changed.",
            ],
            "tamper_interval_s": [
                "type": "number", "minimum": 0.1, "maximum": 60, "default": 1,
                "description": "Time between two checks of the agent's and the plugins' processes (tracer, binaries, libraries) and the config file.",
            ],
            "agent_pid": [
                "type": "integer", "minimum": 0, "default": 0,
                "description": "The agent's pid; 0: the plugin's parent when it runs in a plugin-host child, else its own process.",
            ],
            "config_files": [
                "type": "array", "items": ["type": "string", "pattern": "^/"], "default": [],
                "description": "Files whose change or removal is reported as tampering; empty: the config file the agent loads, found as the agent finds it: its --config, else the first that exists when the plugin starts of $XDG_CONFIG_HOME/proctord/plugins.json, the system config (/etc/proctord/plugins.json for a binary in /usr/bin, else <prefix>/etc/proctord/plugins.json; PROCTORD_SYSTEM_CONFIG_DIR moves it) and the shipped default (<prefix>/share/proctord/plugins.json, or a source checkout's plugins.json); none when none exists.",
            ],
        ],
    ]
}
