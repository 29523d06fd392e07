import ProctorJSON
import SystemShim

/// One observation about where the agent runs: what was read, where, and
/// what it said. The interviewer judges; nothing here is a verdict.
struct Evidence: Hashable, Sendable {
    /// hypervisor_cpu, hypervisor_vendor, dmi, sys_hypervisor, container, display_server, remote_session, ssh_session, x11_forwarding
    var kind: String
    var source: String
    var value: String

    var json: JSONValue { ["kind": .string(kind), "source": .string(source), "value": .string(value)] }
}

/// Gathers the virtual machine, container and remote session evidence.
struct EnvironmentProbe: Sendable {
    var root = ""
    /// The environment of the agent (its DISPLAY, SSH_CONNECTION, ...).
    var agentEnvironment: [String: String]

    /// DMI strings that name a hypervisor or a cloud's virtual hardware.
    static let virtualNames = [
        "QEMU", "KVM", "VMware", "VirtualBox", "innotek", "Xen", "Bochs", "Parallels", "BHYVE", "Microsoft Corporation Virtual",
        "Virtual Machine", "Amazon EC2", "Google Compute Engine", "OpenStack", "oVirt", "RHEV", "Nutanix", "Hyper-V", "ACRN", "Apple Virtualization",
        "UTM", "SeaBIOS", "OVMF", "EDK II",
    ]
    static let dmiFiles = ["sys_vendor", "product_name", "product_version", "board_vendor", "board_name", "bios_vendor", "bios_version", "chassis_vendor"]
    /// X servers that serve a display to a remote viewer.
    static let remoteDisplayServers = ["Xvnc", "Xtigervnc", "Xtightvnc", "Xrealvnc", "Xvnc-core", "xrdp", "Xorg.xrdp"]

    func gather() -> [Evidence] {
        var found: [Evidence] = []
        found += hypervisor()
        found += containers()
        found += sessions()
        found += displayServers()
        return found
    }

    private func hypervisor() -> [Evidence] {
        var found: [Evidence] = []
        if let cpuinfo = ProcFS.read(root + "/proc/cpuinfo", limit: 1 << 16) {
            let text = String(decoding: cpuinfo, as: UTF8.self)
            if text.split(separator: "\n").contains(where: { $0.hasPrefix("flags") && $0.split(separator: " ").contains("hypervisor") }) {
                found.append(Evidence(kind: "hypervisor_cpu", source: "/proc/cpuinfo", value: "hypervisor flag"))
            }
        }
        if root.isEmpty {
            var vendor = [CChar](repeating: 0, count: 13)
            if system_cpuid_hypervisor(&vendor) != 0 {
                let name = String(cString: vendor)
                found.append(Evidence(kind: "hypervisor_vendor", source: "cpuid 0x40000000", value: name + Self.vendorMeaning(name)))
            }
        }
        for file in Self.dmiFiles {
            let path = root + "/sys/class/dmi/id/" + file
            guard let value = ProcFS.text(path, limit: 256), !value.isEmpty else { continue }
            if Self.virtualNames.contains(where: { value.localizedCaseInsensitiveContainsASCII($0) }) {
                found.append(Evidence(kind: "dmi", source: "/sys/class/dmi/id/" + file, value: value))
            }
        }
        if let type = ProcFS.text(root + "/sys/hypervisor/type", limit: 64), !type.isEmpty {
            found.append(Evidence(kind: "sys_hypervisor", source: "/sys/hypervisor/type", value: type))
        }
        return found
    }

    static func vendorMeaning(_ vendor: String) -> String {
        let names = ["KVMKVMKVM": "KVM", "Linux KVM Hv": "KVM (Hyper-V enlightenments)", "Microsoft Hv": "Hyper-V",
                     "VMwareVMware": "VMware", "XenVMMXenVMM": "Xen", "VBoxVBoxVBox": "VirtualBox", "TCGTCGTCGTCG": "QEMU (TCG)",
                     "prl hyperv  ": "Parallels", "bhyve bhyve ": "bhyve", "ACRNACRNACRN": "ACRN", "QNXQVMBSQG": "QNX"]
        return names[vendor].map { " (\($0))" } ?? ""
    }

    private func containers() -> [Evidence] {
        var found: [Evidence] = []
        for (file, engine) in [("/.dockerenv", "docker"), ("/run/.containerenv", "podman")] where ProcFS.identity(root + file) != nil {
            found.append(Evidence(kind: "container", source: file, value: engine))
        }
        if let name = ProcFS.text(root + "/run/systemd/container", limit: 64), !name.isEmpty {
            found.append(Evidence(kind: "container", source: "/run/systemd/container", value: name))
        }
        if let value = ProcFS.environment(of: 1)["container"], root.isEmpty, !value.isEmpty {
            found.append(Evidence(kind: "container", source: "/proc/1/environ container", value: value))
        }
        if let cgroup = ProcFS.text(root + "/proc/1/cgroup", limit: 8192) {
            for marker in ["docker", "lxc", "kubepods", "libpod", "containerd"] where cgroup.contains(marker) {
                found.append(Evidence(kind: "container", source: "/proc/1/cgroup", value: marker))
            }
        }
        return found
    }

    private func sessions() -> [Evidence] {
        var found: [Evidence] = []
        // The client's address is kept: a login from another machine is not one from this one.
        if let variable = ["SSH_CONNECTION", "SSH_CLIENT"].first(where: { agentEnvironment[$0]?.isEmpty == false }),
            let ssh = agentEnvironment[variable] {
            found.append(Evidence(kind: "ssh_session", source: variable, value: ssh))
        }
        // localhost:10.0 is how sshd's X11 forwarding names its display.
        if let display = agentEnvironment["DISPLAY"], let colon = display.firstIndex(of: ":"), colon != display.startIndex,
            !display.hasPrefix("unix:") {
            found.append(Evidence(kind: "x11_forwarding", source: "DISPLAY", value: display))
        }
        for key in ["XRDP_SESSION", "XRDP_SOCKET_PATH", "VNCDESKTOP"] {
            if let value = agentEnvironment[key] { found.append(Evidence(kind: "remote_session", source: key, value: value)) }
        }
        return found
    }

    /// X servers of the remote kind that run on this machine, with the display they serve.
    private func displayServers() -> [Evidence] {
        guard root.isEmpty else { return [] }
        let ours = agentEnvironment["DISPLAY"].flatMap(Self.displayNumber)
        var found: [Evidence] = []
        for pid in ProcFS.pids().sorted() {
            guard let comm = ProcFS.comm(of: pid),
                Self.remoteDisplayServers.contains(comm) || comm == "Xorg"
            else { continue }
            let arguments = ProcFS.arguments(of: pid)
            // Xorg serves xrdp sessions through the xorgxrdp driver: its config says so.
            if comm == "Xorg" && !arguments.contains(where: { $0.contains("xrdp") }) { continue }
            let display = arguments.first { $0.hasPrefix(":") && Int($0.dropFirst()) != nil }
            let serves = display.map { Self.displayNumber($0) == ours } ?? false
            found.append(Evidence(kind: "display_server", source: "/proc/\(pid)",
                                  value: "\(comm) \(display ?? "(display unknown)")\(serves ? " serves this session's DISPLAY" : "")"))
        }
        return found
    }

    static func displayNumber(_ display: String) -> Int? {
        guard let colon = display.lastIndex(of: ":") else { return nil }
        return Int(display[display.index(after: colon)...].prefix { $0.isNumber })
    }
}

extension String {
    func localizedCaseInsensitiveContainsASCII(_ other: String) -> Bool {
        lowercased().contains(other.lowercased())
    }
}
