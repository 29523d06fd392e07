import Foundation
import ProctorJSON
import ProctorTestSupport
import Testing

extension SystemIntegrationTests {
    /// Catalogued programs seen starting and stopping, by the proc connector
    /// and by the /proc scan: each case runs once in `ByScan` and once in
    /// `ByConnector`. The connector needs CAP_NET_ADMIN: as another user than
    /// root its cases are skipped (CI runs as root).
    @Suite struct ProcessTests {
        @Suite struct ByScan {
            @Test func aCataloguedProgramStartsAndStops() async throws { try await ProcessTests.aCataloguedProgramStartsAndStops(method: "scan") }
            @Test func aRenamedCopyIsFoundByItsPathAndByItsBuildId() async throws {
                try await ProcessTests.aRenamedCopyIsFoundByItsPathAndByItsBuildId(method: "scan")
            }
            @Test func aDaemonizingProgramIsFollowedToItsChild() async throws { try await ProcessTests.aDaemonizingProgramIsFollowedToItsChild(method: "scan") }
            @Test func fiveHundredShortLivedProcessesMakeNoEvent() async throws {
                try await ProcessTests.fiveHundredShortLivedProcessesMakeNoEvent(method: "scan")
            }
        }

        @Suite(.enabled(if: geteuid() == 0, "the proc connector needs CAP_NET_ADMIN: run as root")) struct ByConnector {
            @Test func aCataloguedProgramStartsAndStops() async throws {
                try await ProcessTests.aCataloguedProgramStartsAndStops(method: "connector")
            }
            @Test func aRenamedCopyIsFoundByItsPathAndByItsBuildId() async throws {
                try await ProcessTests.aRenamedCopyIsFoundByItsPathAndByItsBuildId(method: "connector")
            }
            @Test func aDaemonizingProgramIsFollowedToItsChild() async throws {
                try await ProcessTests.aDaemonizingProgramIsFollowedToItsChild(method: "connector")
            }
            @Test func fiveHundredShortLivedProcessesMakeNoEvent() async throws {
                try await ProcessTests.fiveHundredShortLivedProcessesMakeNoEvent(method: "connector")
            }
        }

        static func catalogue(_ directory: TemporaryDirectory, buildIds: [String] = []) -> JSONValue {
            var programs: [JSONValue] = [
                ["name": "Test Remote", "category": "remote_control", "executables": ["proctor-test-remote"],
                 "paths": .array([.string(directory.realPath + "/opt/remote/")])],
                ["name": "Test Recorder", "category": "screen_recorder", "executables": ["proctor-test-recorder"]],
            ]
            if !buildIds.isEmpty {
                programs.append(["name": "Test Assistant", "category": "assistant", "build_ids": .array(buildIds.map { .string($0) })])
            }
            return .array(programs)
        }

        static func start(_ method: String, directory: TemporaryDirectory, buildIds: [String] = []) async throws -> SystemScenario {
            try await SystemScenario.start(
                config: ["method": .string(method), "programs": catalogue(directory, buildIds: buildIds), "camera_interval_s": 5],
                directory: directory)
        }

        static func flagged(_ data: JSONValue, _ name: String) -> Bool {
            data["programs"]?.arrayValue?.contains(.string(name)) == true
        }

        static func aCataloguedProgramStartsAndStops(method: String) async throws {
            let directory = TemporaryDirectory("proctord-system")
            let scenario = try await Self.start(method, directory: directory)
            let state = try #require(scenario.log.states(of: "system").last)
            if method == "scan" {
                #expect(state["state"] == "degraded" && state["reason"]?.stringValue?.contains("/proc scan every 1") == true, "\(state)")
            } else {
                #expect(state["state"] == "running", "\(state)")
            }
            let program = try PlacedProgram(to: directory.path + "/bin/proctor-test-recorder")
            let mark = scenario.lastSeq
            let process = try program.start()
            let started = try #require(await scenario.waitFor("system.process", after: mark) {
                $0["state"] == "started" && $0["pid"]?.intValue == Int(process.processIdentifier)
            }, "\(scenario.events("system.process", after: mark))")
            #expect(started.data["name"] == "Test Recorder" && started.data["category"] == "screen_recorder")
            #expect(started.data["path"]?.stringValue == program.path && started.data["matched_by"] == "executable")
            #expect(started.data["initial"] == false)
            process.end()
            let stopped = try #require(await scenario.waitFor("system.process", after: started.event.seq) {
                $0["state"] == "stopped" && $0["pid"]?.intValue == Int(process.processIdentifier)
            })
            #expect(stopped.data["category"] == "screen_recorder")
            // A recorder is not a remote-control program: the flag stays off.
            #expect(scenario.events("system.remote_control").allSatisfy { $0["active"] == false })
            #expect(try scenario.schemaProblems() == [])
            await scenario.stop()
        }

        static func aRenamedCopyIsFoundByItsPathAndByItsBuildId(method: String) async throws {
            let directory = TemporaryDirectory("proctord-system")
            // tac, not sleep: a build id matches every copy on the machine, and other tests run sleep.
            let tacId = try buildId(of: "/usr/bin/tac")
            let scenario = try await Self.start(method, directory: directory, buildIds: [tacId])

            // Renamed, but inside the catalogued directory.
            var mark = scenario.lastSeq
            let renamed = try PlacedProgram(to: directory.path + "/opt/remote/innocent-name").start()
            let byPath = try #require(await scenario.waitFor("system.process", after: mark) {
                $0["state"] == "started" && $0["pid"]?.intValue == Int(renamed.processIdentifier)
            }, "\(scenario.events("system.process", after: mark))")
            #expect(byPath.data["name"] == "Test Remote" && byPath.data["category"] == "remote_control" && byPath.data["matched_by"] == "path")
            let flag = try #require(await scenario.waitFor("system.remote_control", after: mark) { Self.flagged($0, "Test Remote") })
            #expect(flag.data["active"] == true)
            renamed.end()
            #expect(await scenario.waitFor("system.remote_control", after: flag.event.seq) { !Self.flagged($0, "Test Remote") } != nil)

            // Renamed and moved anywhere: its build id still says what it is.
            mark = scenario.lastSeq
            let copy = try PlacedProgram(copyOf: "/usr/bin/tac", to: directory.path + "/elsewhere/notes-helper").start(arguments: [])
            let byBuildId = try #require(await scenario.waitFor("system.process", after: mark) {
                $0["state"] == "started" && $0["pid"]?.intValue == Int(copy.processIdentifier)
            }, "\(scenario.events("system.process", after: mark))")
            #expect(byBuildId.data["name"] == "Test Assistant" && byBuildId.data["category"] == "assistant")
            #expect(byBuildId.data["matched_by"] == "build_id" && byBuildId.data["comm"] == "notes-helper")
            copy.end()
            #expect(await scenario.waitFor("system.process", after: byBuildId.event.seq) {
                $0["state"] == "stopped" && $0["pid"]?.intValue == Int(copy.processIdentifier)
            } != nil)
            #expect(try scenario.schemaProblems() == [])
            await scenario.stop()
        }

        /// A catalogued program that daemonizes (forks, and the parent exits,
        /// as `x11vnc -bg` does): the child never execs, so the connector
        /// sees it only through the fork. A copy of sh in the catalogued
        /// directory waits for a line on stdin (so it is seen first), then
        /// leaves a child of itself (a builtin `read`, no exec: /proc/PID/exe
        /// stays the copy) reading on and exits. It runs under a plain sh that
        /// reaps it, as a launcher would: Foundation's Process would reap it
        /// only once the child had closed the descriptor it inherited.
        static func aDaemonizingProgramIsFollowedToItsChild(method: String) async throws {
            let directory = TemporaryDirectory("proctord-system")
            let scenario = try await Self.start(method, directory: directory)
            let shell = try PlacedProgram(copyOf: "/bin/sh", to: directory.path + "/opt/remote/daemon-shell")
            let mark = scenario.lastSeq
            let launcher = Process()
            launcher.executableURL = URL(fileURLWithPath: "/bin/sh")
            launcher.arguments = ["-c", "\"$0\" -c 'exec 3<&0; read go; read line <&3 & exit 0'; read rest", shell.path]
            let input = Pipe()
            launcher.standardInput = input
            try launcher.run()
            var childPid: Int32?
            defer {
                if let childPid { kill(childPid, SIGKILL) }
                launcher.end()
            }
            let parentStarted = try #require(await scenario.waitFor("system.process", after: mark) {
                $0["state"] == "started" && $0["path"]?.stringValue == shell.path
            }, "\(scenario.events("system.process", after: mark))")
            let parentPid = try #require(parentStarted.data["pid"]?.intValue)
            #expect(parentStarted.data["name"] == "Test Remote" && Processes.parent(of: Int32(parentPid)) == launcher.processIdentifier)
            try #require(await scenario.waitFor("system.remote_control", after: mark) { Self.flagged($0, "Test Remote") } != nil)

            input.fileHandleForWriting.write(Data("go\n".utf8))
            let child = try #require(await scenario.waitFor("system.process", after: parentStarted.event.seq) {
                $0["state"] == "started" && $0["path"]?.stringValue == shell.path && $0["pid"]?.intValue != parentPid
            }, "\(scenario.events("system.process", after: mark))")
            childPid = child.data["pid"]?.intValue.map(Int32.init)
            #expect(child.data["name"] == "Test Remote" && child.data["matched_by"] == "path")
            let parentStopped = try #require(await scenario.waitFor("system.process", after: parentStarted.event.seq) {
                $0["state"] == "stopped" && $0["pid"]?.intValue == parentPid
            }, "\(scenario.events("system.process", after: mark))")
            // The parent is gone, the program is not: the flag never went off.
            let status = try await scenario.request("status")
            #expect(status["result"]?["programs"]?.arrayValue?.contains { $0["pid"]?.intValue == child.data["pid"]?.intValue } == true, "\(status)")
            #expect(scenario.events("system.remote_control", after: mark).allSatisfy { Self.flagged($0, "Test Remote") },
                    "\(scenario.events("system.remote_control", after: mark))")

            // Only now the program ends, and the flag goes off: it could have gone off above.
            if let childPid { kill(childPid, SIGKILL) }
            #expect(await scenario.waitFor("system.process", after: parentStopped.event.seq) {
                $0["state"] == "stopped" && $0["pid"] == child.data["pid"]
            } != nil)
            #expect(await scenario.waitFor("system.remote_control", after: mark) { !Self.flagged($0, "Test Remote") } != nil)
            #expect(try scenario.schemaProblems() == [])
            await scenario.stop()
        }

        static func fiveHundredShortLivedProcessesMakeNoEvent(method: String) async throws {
            let directory = TemporaryDirectory("proctord-system")
            let scenario = try await Self.start(method, directory: directory)
            let mark = scenario.lastSeq
            for _ in 0..<500 {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/bin/true")
                try process.run()
                process.waitUntilExit()
            }
            // A catalogued program after the burst: once it is seen, the burst was looked at too.
            let marker = try PlacedProgram(to: directory.path + "/bin/proctor-test-recorder").start()
            defer { marker.end() }
            #expect(await scenario.waitFor("system.process", after: mark) { $0["pid"]?.intValue == Int(marker.processIdentifier) } != nil)
            let others = scenario.events("system.process", after: mark).filter { $0["pid"]?.intValue != Int(marker.processIdentifier) }
            #expect(others == [], "\(others)")
            await scenario.stop()
        }

        @Test func aProgramRunningBeforeTheAgentIsFoundByTheInitialScan() async throws {
            let directory = TemporaryDirectory("proctord-system")
            let process = try PlacedProgram(to: directory.path + "/bin/proctor-test-remote").start()
            defer { process.end() }
            let scenario = try await SystemScenario.start(
                config: ["method": "scan", "programs": Self.catalogue(directory)], directory: directory)
            let found = try #require(await scenario.waitFor("system.process") { $0["pid"]?.intValue == Int(process.processIdentifier) })
            #expect(found.data["state"] == "started" && found.data["initial"] == true && found.data["category"] == "remote_control")
            let status = try await scenario.request("status")
            #expect(status["result"]?["programs"]?.arrayValue?.contains { $0["pid"]?.intValue == Int(process.processIdentifier) } == true, "\(status)")
            await scenario.stop()
        }
    }
}
