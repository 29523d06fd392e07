#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import ProctorAPI
import ProctorJSON
import ProctorTestSupport
import Synchronization
import Testing

/// The sites the person at the computer allows: the origin's spelling, the
/// remembered refusals and their bound, the file they are kept in.
@Suite struct OriginConsentTests {
    @Test(arguments: [
        ("https://Interviews.Example.com/", "https://interviews.example.com"),
        ("https://example.com:443", "https://example.com"),
        ("http://example.com:80", "http://example.com"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        (" HTTPS://a-b.example.org:8443 ", "https://a-b.example.org:8443"),
        ("http://[::1]:9000", "http://[::1]:9000"),
    ])
    func anOriginIsWrittenAsBrowsersSendIt(typed: String, sent: String) throws {
        #expect(try OriginName.normalize(typed) == sent)
    }

    @Test(arguments: [
        ("example.com", "no scheme"),
        ("ftp://example.com", "scheme must be http or https"),
        ("https://example.com/interview", "no path"),
        ("https://user@example.com", "no path, query, fragment or user name"),
        ("https://example.com:99999", "port must be a number"),
        ("https://exa_mple.com", "the host may hold only"),
        ("https://", "no host"),
        ("null", "no scheme"),
    ])
    func whatIsNotAnOriginIsRefusedWithTheReason(typed: String, reason: String) {
        #expect {
            try OriginName.normalize(typed)
        } throws: { error in
            let text = "\(error)"
            return text.contains(reason) && text.contains(JSONWriter.quoted(typed))
        }
    }

    @Test func refusedOriginsAreRememberedWithinABoundEvenByTheTenThousand() throws {
        let directory = TemporaryDirectory("proctord-origins")
        let now = Mutex<Double>(1_000)
        let consent = OriginConsent(file: directory.path + "/origins.json", seedDirectory: nil, logger: .silent) { now.withLock { $0 } }
        consent.noteRefused("https://interviews.example.com")
        consent.noteRefused("https://interviews.example.com")
        #expect(consent.asking.map(\.origin) == ["https://interviews.example.com"])
        #expect(consent.asking.first?.attempts == 2)
        // Not as a browser sends an origin: never shown to the person.
        consent.noteRefused("https://Interviews.example.com/")
        consent.noteRefused("https://x.example/" + String(repeating: "a", count: 300))
        #expect(consent.asking.count == 1)
        for n in 0..<10_000 {
            now.withLock { $0 += 0.001 }
            consent.noteRefused("https://\(n).flood.example")
        }
        #expect(consent.asking.count == OriginConsent.maximumAsking)
        #expect(consent.asking.first?.origin == "https://9999.flood.example", "the most recent first")
        #expect(!consent.isAllowed("https://9999.flood.example"), "remembering is not allowing")
    }

    @Test func allowedAndIgnoredOriginsAreKeptPrivatelyAndReadBack() throws {
        let directory = TemporaryDirectory("proctord-origins")
        let file = directory.path + "/origins.json"
        let consent = OriginConsent(file: file, seedDirectory: nil, logger: .silent)
        consent.noteRefused("https://meet.example.com")
        consent.noteRefused("https://notes.example.net")
        #expect(try consent.allow("https://MEET.example.com/") == ("https://meet.example.com", .allowed))
        #expect(try consent.allow("https://meet.example.com").change == .alreadyAllowed)
        #expect(try consent.ignore("https://notes.example.net").change == .ignored)
        #expect(consent.asking.isEmpty, "both choices take the site off the asking list")
        consent.noteRefused("https://notes.example.net")
        #expect(consent.asking.isEmpty, "an ignored site does not ask again")
        var info = stat()
        #expect(stat(file, &info) == 0 && info.st_mode & 0o777 == 0o600)

        let again = OriginConsent(file: file, seedDirectory: nil, logger: .silent)
        #expect(again.isAllowed("https://meet.example.com"))
        #expect(again.ignored == ["https://notes.example.net"])
        #expect(try again.remove("https://meet.example.com").change == .removed)
        #expect(try again.remove("https://meet.example.com").change == .notListed)
        #expect(!OriginConsent(file: file, seedDirectory: nil, logger: .silent).isAllowed("https://meet.example.com"))
        #expect(throws: OriginConsent.Failure.self) { try again.allow("meet.example.com") }
    }

    @Test func aBrokenFileIsNamedAndKeptAsideNotOverwritten() throws {
        let directory = TemporaryDirectory("proctord-origins")
        let file = directory.path + "/origins.json"
        let broken = #"{"allowed": ["https://ok.example.com", "https://bad.example.com/path", 7]}"#
        try broken.write(toFile: file, atomically: true, encoding: .utf8)
        let log = Mutex<[String]>([])
        let consent = OriginConsent(file: file, seedDirectory: nil, logger: .capturing { line in log.withLock { $0.append(line) } })
        let messages = log.withLock { $0 }
        #expect(consent.isAllowed("https://ok.example.com"), "what is valid is used")
        #expect(messages.contains { $0.contains(file) && $0.contains("allowed[1]") && $0.contains("https://bad.example.com/path") })
        #expect(messages.contains { $0.contains("allowed[2]") && $0.contains("not a string") })
        _ = try consent.allow("https://new.example.com")
        #expect(try String(contentsOfFile: file + ".invalid", encoding: .utf8) == broken, "the person's file is kept as it was")
        #expect(OriginConsent(file: file, seedDirectory: nil, logger: .silent).allowed == ["https://ok.example.com", "https://new.example.com"])
    }

    @Test func anInstallSeedsOriginsAndNamesBadSeedFiles() throws {
        let directory = TemporaryDirectory("proctord-origins")
        let seeds = directory.path + "/origins.d"
        try FileManager.default.createDirectory(atPath: seeds, withIntermediateDirectories: true)
        try #"{"allowed_origins": ["https://platform.example.com", "https://platform.example.com/x"]}"#
            .write(toFile: seeds + "/10-platform.json", atomically: true, encoding: .utf8)
        try "not json".write(toFile: seeds + "/20-broken.json", atomically: true, encoding: .utf8)
        try #"{"allowed_origins": ["https://ignored.example.com"]}"#.write(toFile: seeds + "/README", atomically: true, encoding: .utf8)
        let log = Mutex<[String]>([])
        let consent = OriginConsent(file: directory.path + "/origins.json", seedDirectory: seeds, logger: .capturing { line in log.withLock { $0.append(line) } })
        let messages = log.withLock { $0 }
        #expect(consent.isAllowed("https://platform.example.com"))
        #expect(consent.seeded["https://platform.example.com"] == seeds + "/10-platform.json")
        #expect(!consent.isAllowed("https://ignored.example.com"), "only *.json files are read")
        #expect(messages.contains { $0.contains("10-platform.json") && $0.contains("allowed_origins[1]") })
        #expect(messages.contains { $0.contains("20-broken.json") })
        // A person's remove does not touch what the install set.
        #expect(try consent.remove("https://platform.example.com").change == .notListed)
        #expect(consent.isAllowed("https://platform.example.com"))
    }
}
