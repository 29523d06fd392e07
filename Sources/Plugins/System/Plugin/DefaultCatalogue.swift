/// The programs the plugin knows without being told: names and install
/// paths as the vendors' Linux packages ship them. Platforms extend it with
/// `extra_programs` (or replace it with `programs`). The assistant programs
/// change names often: their entries are a starting point, not a promise.
enum DefaultCatalogue {
    static let entries: [CatalogueEntry] = [
        // Remote control and screen sharing.
        entry("AnyDesk", "remote_control", ["anydesk"], ["/usr/bin/anydesk", "/opt/anydesk/", "/usr/libexec/anydesk/"]),
        entry("TeamViewer", "remote_control", ["teamviewer", "teamviewerd", "TeamViewer_Desktop", "TeamViewer_Service"], ["/opt/teamviewer/"]),
        entry("RustDesk", "remote_control", ["rustdesk"], ["/usr/bin/rustdesk", "/usr/lib/rustdesk/", "/usr/share/rustdesk/"]),
        entry("x11vnc", "remote_control", ["x11vnc"], ["/usr/bin/x11vnc"]),
        entry("TigerVNC scraping server", "remote_control", ["x0vncserver", "x0tigervncserver"], []),
        entry("Chrome Remote Desktop", "remote_control",
              ["chrome-remote-desktop-host", "remoting_me2me_host", "remote-assistance-host", "remote-open-url"],
              ["/opt/google/chrome-remote-desktop/"]),
        entry("NoMachine", "remote_control", ["nxserver.bin", "nxnode.bin", "nxd", "nxplayer.bin"], ["/usr/NX/"]),
        entry("Splashtop Streamer", "remote_control", ["SRStreamer", "splashtop-streamer"], ["/opt/splashtop-streamer/"]),
        entry("DWService agent", "remote_control", ["dwagent", "dwagsvc"], ["/usr/share/dwagent/"]),
        entry("Parsec", "remote_control", ["parsecd"], ["/usr/share/parsec/"]),
        entry("KDE Desktop Sharing", "remote_control", ["krfb"], ["/usr/bin/krfb"]),
        entry("GNOME Remote Desktop", "remote_control", ["gnome-remote-desktop-daemon", "gnome-remote-desktop"], []),
        entry("Remote desktop over RDP (xrdp)", "remote_control", ["xrdp", "xrdp-sesman"], ["/usr/sbin/xrdp", "/usr/sbin/xrdp-sesman"]),
        entry("Zoho Assist", "remote_control", ["ZohoMeeting", "zohoassist"], ["/opt/zohoassist/"]),
        entry("RealVNC Server", "remote_control", ["vncserver-x11", "vncserver-x11-serviced", "vncserverui"], ["/usr/lib/vnc/"]),
        // Screen recorders and streamers.
        entry("OBS Studio", "screen_recorder", ["obs"], ["/usr/bin/obs", "/usr/lib/obs-studio/", "/app/bin/obs"]),
        entry("SimpleScreenRecorder", "screen_recorder", ["simplescreenrecorder"], ["/usr/bin/simplescreenrecorder"]),
        entry("Kazam", "screen_recorder", ["kazam"], ["/usr/bin/kazam"]),
        entry("vokoscreenNG", "screen_recorder", ["vokoscreenNG", "vokoscreen"], []),
        entry("recordMyDesktop", "screen_recorder", ["recordmydesktop", "gtk-recordmydesktop"], []),
        entry("Peek", "screen_recorder", ["peek"], ["/usr/bin/peek"]),
        entry("Kooha", "screen_recorder", ["kooha"], []),
        entry("GPU Screen Recorder", "screen_recorder", ["gpu-screen-recorder", "gpu-screen-recorder-gtk"], []),
        entry("Green Recorder", "screen_recorder", ["green-recorder"], []),
        entry("Blue Recorder", "screen_recorder", ["blue-recorder"], []),
        entry("Byzanz", "screen_recorder", ["byzanz-record"], []),
        entry("Flameshot (screenshots)", "screen_recorder", ["flameshot"], []),
        // AI interview assistants and overlays.
        entry("Cluely", "assistant", ["cluely", "Cluely"], ["/opt/Cluely/", "/opt/cluely/"]),
        entry("Interview Coder", "assistant", ["interview-coder", "Interview Coder", "interviewcoder"], ["/opt/Interview Coder/", "/opt/interview-coder/"]),
        entry("Final Round AI", "assistant", ["finalround", "final-round-ai"], []),
        entry("LockedIn AI", "assistant", ["lockedin", "lockedin-ai"], []),
        entry("Parakeet AI", "assistant", ["parakeet", "parakeet-ai"], []),
        entry("Leetcode Wizard", "assistant", ["leetcode-wizard", "leetcodewizard"], []),
        entry("Ultracode", "assistant", ["ultracode"], []),
    ]

    private static func entry(_ name: String, _ category: String, _ executables: [String], _ paths: [String]) -> CatalogueEntry {
        CatalogueEntry(name: name, category: category, executables: executables, paths: paths, buildIds: [])
    }
}
