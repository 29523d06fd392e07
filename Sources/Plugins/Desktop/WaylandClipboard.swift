#if canImport(Glibc)
import Glibc
#endif
import ProctorJSON
import WaylandSupport
import X11Support

/// Reports wlr-data-control offers as `desktop.clipboard` events: the MIME
/// types at once, and the size by having the owner write the measured type
/// into a pipe and counting the bytes (dropped unless the config asks for
/// content, as on X11). Used on the session thread.
final class WaylandClipboard {
    private let settings: DesktopSettings
    /// Selection name → the probe waiting for its owner to finish writing.
    private var probes: [String: (probe: SelectionProbe, fd: Int32)] = [:]
    /// Where owners' bytes are read into, kept: a wake should not allocate 64 KiB.
    private var buffer = [UInt8](repeating: 0, count: 65536)

    init(settings: DesktopSettings) { self.settings = settings }

    var deadline: Double? { probes.values.map { $0.probe.deadline }.min() }
    var descriptors: [Int32] { probes.values.map { $0.fd } }

    /// `selection` has a new offer with `types`, or none (nil).
    func offered(_ selection: String, types: [String]?, change: String, _ connection: WaylandConnection, now: Double) -> [OutgoingEvent] {
        var events = cancel(selection).map { [$0] } ?? []
        guard let types else {
            if change == "present" { return events }  // nothing to say about an empty selection found on connecting
            events.append(SelectionProbe.cleared(selection))
            return events
        }
        var probe = SelectionProbe(selection: selection, property: 0, owner: nil, change: change, app: nil, isCallPage: false,
                                   deadline: now + settings.ownerTimeout)
        probe.targets = types
        guard settings.measureSize || settings.content != .none, let chosen = SelectionTargets.measured(types),
            let fd = connection.receive(selection, mimeType: chosen)
        else { return events + [probe.event(complete: true, content: settings.content)] }
        probe.sizeType = chosen
        probe.size = 0
        probes[selection] = (probe, fd)
        return events
    }

    /// The owner wrote more, or closed its end.
    func readable(_ fd: Int32, now: Double) -> [OutgoingEvent] {
        guard let (selection, entry) = probes.first(where: { $0.value.fd == fd }) else { return [] }
        var probe = entry.probe
        let capacity = buffer.count
        while true {
            let count = read(fd, &buffer, capacity)
            if count > 0 {
                probe.size = (probe.size ?? 0) + count
                if settings.content != .none { probe.append(Array(buffer[0..<count]), limit: settings.contentLimit) }
                continue
            }
            if count < 0 && (errno == EAGAIN || errno == EINTR) {
                probes[selection] = (probe, fd)
                return []
            }
            // End of data (or the owner failed): what was counted is the size.
            close(fd)
            probes[selection] = nil
            return [probe.event(complete: count == 0, content: settings.content)]
        }
    }

    /// Owners that did not finish in time are reported with what is known.
    func deadlineReached(now: Double) -> [OutgoingEvent] {
        let late = probes.filter { $0.value.probe.deadline <= now }.keys
        return late.compactMap(cancel)
    }

    func detach() {
        for entry in probes.values { close(entry.fd) }
        probes = [:]
    }

    /// Stops waiting for `selection`'s owner; its incomplete event, if one was pending.
    private func cancel(_ selection: String) -> OutgoingEvent? {
        guard let entry = probes.removeValue(forKey: selection) else { return nil }
        close(entry.fd)
        return entry.probe.event(complete: false, content: settings.content)
    }
}
