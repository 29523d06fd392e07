#if canImport(Glibc)
import Glibc
#endif
import ProctorAPI
import ProctorHost
import ProctorTestSupport
import Synchronization
import Testing

/// The API server stops when it is told to, whatever it was doing: a SIGTERM
/// that reaches the agent just after its plugins came up (a service manager
/// stopping it at once, a test) cancels the API before its socket is bound.
@Suite struct APIServerShutdownTests {
    @Test func aRunCancelledBeforeItListensReturnsAndLeavesNothingListening() async throws {
        let directory = TemporaryDirectory("proctord-api-stop")
        var builder = ConfigBuilder()
        builder.api = ["port": 0]
        let config = try ConfigLoader.load(file: builder.write(to: directory))
        let paths = try AgentPaths.isolated(in: directory)
        let agent = Agent(config: config, paths: paths, logger: .silent, executable: TestBuild.proctord)
        let server = APIServer(agent: agent, config: config.api, paths: paths, logger: .silent)
        let bound = Mutex<Int?>(nil)
        let serving = Task { try await server.run { port in bound.withLock { $0 = port } } }
        serving.cancel()
        // Waited for from outside: awaiting a task that hangs would hang the test, not fail it.
        let finished = Mutex(false)
        Task { _ = try? await serving.value; finished.withLock { $0 = true } }
        let returned = await eventually(timeout: .seconds(60)) { finished.withLock { $0 } }
        #expect(returned, "APIServer.run went on serving after its task was cancelled")
        if let port = bound.withLock({ $0 }) {
            #expect(!Self.accepts(port: port), "127.0.0.1:\(port) still accepts connections after run returned")
        }
    }

    static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }
}
