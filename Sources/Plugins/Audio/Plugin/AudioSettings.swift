import ProctorJSON

/// The audio plugin's config, read once at create.
struct AudioSettings: Sendable {
    /// libpulse's server string ("unix:/run/user/1000/pulse/native"); "" is libpulse's default.
    var server: String
    var reconnectMaxMs: Int
    /// Binaries whose capture of the watched microphone counts as the call page's (a heuristic).
    var browserBinaries: Set<String>
    /// Whether to listen for voice at all, on which source ("" = the default), and how.
    var voice: Bool
    var source: String
    var vadMode: Int
    var detector: VoiceDetector.Settings

    init(config: JSONValue) {
        server = config["server"]?.stringValue ?? ""
        reconnectMaxMs = config["reconnect_max_ms"]?.intValue ?? 5000
        browserBinaries = Set((config["browser_binaries"]?.arrayValue ?? []).compactMap(\.stringValue))
        if config["browser_binaries"] == nil { browserBinaries = Self.defaultBrowsers }
        voice = config["voice"]?.boolValue ?? true
        source = config["source"]?.stringValue ?? ""
        vadMode = config["vad_mode"]?.intValue ?? 3
        func frames(_ key: String, _ fallback: Int) -> Int { max(1, (config[key]?.intValue ?? fallback) / 10) }
        detector = VoiceDetector.Settings()
        detector.onsetWindow = frames("onset_ms", 100)
        detector.onsetNeeded = max(1, Int((Double(detector.onsetWindow) * 0.6).rounded()))
        detector.hangoverFrames = frames("hangover_ms", 400)
        detector.floorWindowFrames = frames("noise_floor_window_ms", 1500)
        detector.marginDb = config["margin_db"]?.doubleValue ?? 6
        detector.minLevelDbfs = config["min_level_dbfs"]?.doubleValue ?? -55
    }

    static let defaultBrowsers: Set<String> = [
        "chromium", "chromium-browser", "chrome", "google-chrome", "google-chrome-stable", "firefox", "firefox-esr",
        "firefox-bin", "brave", "brave-browser", "msedge", "microsoft-edge", "opera", "vivaldi-bin",
    ]

    static let schema: JSONValue = [
        "type": "object",
        "additionalProperties": false,
        "properties": [
            "server": [
                "type": "string", "default": "",
                "description": "The sound server to watch, as libpulse names it (eg unix:/run/user/1000/pulse/native); empty: libpulse's default ($PULSE_SERVER, then the user's server).",
            ],
            "reconnect_max_ms": [
                "type": "integer", "minimum": 250, "maximum": 600_000, "default": 5000,
                "description": "The longest wait between attempts to reach a sound server that is gone (from 250 ms, doubling).",
            ],
            "voice": ["type": "boolean", "default": true, "description": "Listen for voice on the watched source (audio.voice)."],
            "source": [
                "type": "string", "default": "",
                "description": "The source to listen to, by PulseAudio name; empty: the server's default source, followed when it changes. The page's use_source request overrides it.",
            ],
            "vad_mode": [
                "type": "integer", "minimum": 0, "maximum": 3, "default": 3,
                "description": "The WebRTC VAD's aggressiveness, 0 (calls most things voice) to 3.",
            ],
            "onset_ms": [
                "type": "integer", "minimum": 20, "maximum": 2000, "default": 100,
                "description": "Voice starts when 60 % of the frames in this window are voice; the start is dated from the first of them.",
            ],
            "hangover_ms": [
                "type": "integer", "minimum": 50, "maximum": 5000, "default": 400,
                "description": "Voice ends after this long without a voice frame; shorter pauses stay inside one segment.",
            ],
            "margin_db": [
                "type": "number", "minimum": 0, "maximum": 60, "default": 6,
                "description": "How far above the noise floor a frame must be to count as voice.",
            ],
            "min_level_dbfs": [
                "type": "number", "minimum": -120, "maximum": 0, "default": -55,
                "description": "Frames quieter than this never count as voice, whatever the floor.",
            ],
            "noise_floor_window_ms": [
                "type": "integer", "minimum": 200, "maximum": 60000, "default": 1500,
                "description": "The noise floor is the quietest 10 ms frame within this window: a steady noise becomes the floor within it.",
            ],
            "browser_binaries": [
                "type": "array", "items": ["type": "string", "minLength": 1],
                "default": .array(defaultBrowsers.sorted().map { .string($0) }),
                "description": "Process binaries (application.process.binary) recognised as a browser: their capture of a microphone is marked call_page_candidate.",
            ],
        ],
    ]
}
