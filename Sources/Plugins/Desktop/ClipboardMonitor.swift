import ProctorJSON
import X11Support

/// Watches CLIPBOARD and PRIMARY through XFixes owner notifications and asks
/// each new owner what it offers. Content stays with the owner unless the
/// config turns reading on. Used on the session thread.
final class ClipboardMonitor {
    private let settings: DesktopSettings
    private var connection: X11Connection?
    private var helper = WindowID.none
    /// Selection atom → its name in events ("clipboard", "primary").
    private var watched: [X11Atom: String] = [:]
    private var probes: [X11Atom: SelectionProbe] = [:]
    /// Probes started so far: picks each probe's property in turn.
    private var probeCount = 0

    init(settings: DesktopSettings) { self.settings = settings }

    var deadline: Double? { probes.values.map(\.deadline).min() }

    /// Starts watching; reports the owners the selections have now.
    func attach(_ connection: X11Connection, clients: ClientWindows, now: Double) -> [OutgoingEvent] {
        self.connection = connection
        guard connection.hasXFixes else { return [] }
        helper = connection.createHelperWindow()
        var events: [OutgoingEvent] = []
        for name in settings.selections {
            let atom = connection.atoms[name.uppercased()]
            watched[atom] = name
            connection.watchSelection(atom)
            let owner = connection.selectionOwner(atom)
            if !owner.isNone { events += start(atom, owner: owner, change: "present", clients: clients, now: now) }
        }
        return events
    }

    func detach() {
        if let connection, !connection.isLost, !helper.isNone { connection.destroyWindow(helper) }
        connection = nil
        helper = .none
        probes = [:]
        watched = [:]
    }

    /// XFixes says `selection` has a new owner, or none (the owner cleared
    /// it, destroyed its window or closed its connection).
    func ownerChanged(_ selection: X11Atom, owner: WindowID, clients: ClientWindows, now: Double) -> [OutgoingEvent] {
        guard let name = watched[selection] else { return [] }
        var events = probes.removeValue(forKey: selection).map { [$0.event(complete: false, content: settings.content)] } ?? []
        if owner.isNone {
            events.append(SelectionProbe.cleared(name))
            return events
        }
        return events + start(selection, owner: owner, change: "owner_changed", clients: clients, now: now)
    }

    /// The owner answered (or refused) one of our conversions.
    func conversionAnswered(_ selection: X11Atom, target: X11Atom, property: X11Atom, now: Double) -> [OutgoingEvent] {
        guard let connection, var probe = probes[selection] else { return [] }
        let atoms = connection.atoms!
        // An answer written elsewhere belongs to an earlier owner, asked before this one.
        guard property == 0 || property == probe.property else {
            connection.deleteProperty(helper, property)
            return []
        }
        switch probe.phase {
        case .targets where target == atoms["TARGETS"]:
            let list = property == 0 ? [] : (connection.longs(helper, probe.property) ?? [])
            connection.deleteProperty(helper, probe.property)
            probe.targets = list.compactMap { atoms.name(of: $0) }
            guard settings.measureSize || settings.content != .none,
                let chosen = SelectionTargets.measured(probe.targets ?? [])
            else { return finish(probe, selection) }
            let atom = atoms[chosen]
            probe.sizeType = chosen
            probe.phase = .converting(target: atom)
            probe.deadline = now + settings.ownerTimeout
            probes[selection] = probe
            connection.requestConversion(selection, to: atom, into: probe.property, on: helper)
            return []
        case .converting(let wanted) where target == wanted:
            guard property != 0, let length = connection.propertyLength(helper, probe.property) else {
                probe.sizeType = nil  // refused: the size stays unknown
                return finish(probe, selection)
            }
            if length.type == atoms["INCR"] {
                probe.phase = .incremental(target: wanted)
                probe.size = 0
                probe.deadline = now + settings.ownerTimeout
                probes[selection] = probe
                connection.deleteProperty(helper, probe.property)  // tells the owner to send the first chunk
                return []
            }
            probe.size = length.bytes
            readContent(&probe, connection)
            connection.deleteProperty(helper, probe.property)
            return finish(probe, selection)
        default:
            return []
        }
    }

    /// A property of our helper window changed: the next INCR chunk.
    func helperPropertyChanged(_ window: WindowID, atom: X11Atom, deleted: Bool, now: Double) -> [OutgoingEvent] {
        guard let connection, window == helper, !deleted,
            let (selection, probe) = probes.first(where: { $0.value.property == atom }),
            case .incremental = probe.phase, let length = connection.propertyLength(helper, atom)
        else { return [] }
        var updated = probe
        if length.bytes == 0 {
            connection.deleteProperty(helper, atom)
            return finish(updated, selection)
        }
        updated.size = (updated.size ?? 0) + length.bytes
        readContent(&updated, connection)
        updated.deadline = now + settings.ownerTimeout
        probes[selection] = updated
        connection.deleteProperty(helper, atom)  // asks for the next chunk
        return []
    }

    /// Owners that did not answer in time are reported with what is known.
    func deadlineReached(now: Double) -> [OutgoingEvent] {
        let late = probes.filter { $0.value.deadline <= now }
        for key in late.keys { probes[key] = nil }
        return late.values.map { $0.event(complete: false, content: settings.content) }
    }

    private func start(_ selection: X11Atom, owner: WindowID, change: String, clients: ClientWindows, now: Double) -> [OutgoingEvent] {
        guard let connection, let name = watched[selection] else { return [] }
        let client = clients.client(owning: owner, connection)
        let app = client?.app ?? clients.read(owner, connection).app
        let probe = SelectionProbe(
            selection: name, property: connection.atoms[ClipboardProbeProperties.name(selection: name, probe: probeCount)], owner: owner, change: change,
            app: app, isCallPage: client?.isCallPage ?? false, deadline: now + settings.ownerTimeout)
        probeCount += 1
        probes[selection] = probe
        connection.requestConversion(selection, to: connection.atoms["TARGETS"], into: probe.property, on: helper)
        return []
    }

    /// Reads what the config allows of the converted property (never more than the limit).
    private func readContent(_ probe: inout SelectionProbe, _ connection: X11Connection) {
        guard settings.content != .none, probe.content.count < settings.contentLimit else { return }
        let room = settings.contentLimit - probe.content.count
        guard let value = connection.property(helper, probe.property, maxLongs: (room + 3) / 4), value.format == 8 else { return }
        probe.append(value.bytes, limit: settings.contentLimit)
    }

    private func finish(_ probe: SelectionProbe, _ selection: X11Atom) -> [OutgoingEvent] {
        probes[selection] = nil
        return [probe.event(complete: true, content: settings.content)]
    }
}
