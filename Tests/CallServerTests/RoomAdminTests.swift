import Foundation
import ProctorCall
import ProctorJSON
import ProctorTestSupport
import Testing

@Suite("Call server: rooms through the admin API, code checks")
struct RoomAdminTests {
    @Test("a room created with the admin secret comes back with two codes, the secret and links")
    func createRoom() async throws {
        let server = try await CallServerHarness()
        let answer = try await server.request("POST", "/api/admin/rooms", body: ["title": "Backend interview", "durationMinutes": 30], bearer: server.secret)
        #expect(answer.status == 201)
        #expect(answer.headers["cache-control"] == "no-store")
        let room = answer.json["room"]
        #expect(room?["title"] == "Backend interview")
        let starts = try #require(room?["startsAt"]?.stringValue.flatMap(CallTime.parse))
        let expires = try #require(room?["expiresAt"]?.stringValue.flatMap(CallTime.parse))
        #expect(expires.timeIntervalSince(starts) == 30 * 60)
        let interviewee = try #require(answer.json["codes"]?["interviewee"]?.stringValue)
        let interviewer = try #require(answer.json["codes"]?["interviewer"]?.stringValue)
        for code in [interviewee, interviewer] {
            #expect(code.count == 23)
            #expect(code.split(separator: "-").map(\.count) == [5, 5, 5, 5])
        }
        #expect(interviewee != interviewer)
        let secret = try #require(answer.json["interviewerSecret"]?.stringValue)
        #expect(secret.count == 43)  // 32 bytes, base64url without padding
        #expect(answer.json["links"]?["interviewee"]?.stringValue == "\(server.origin)/#code=\(interviewee)")
        #expect(answer.json["links"]?["interviewer"]?.stringValue == "\(server.origin)/interviewer#code=\(interviewer)&secret=\(secret)")

        let list = try await server.request("GET", "/api/admin/rooms", bearer: server.secret)
        #expect(list.status == 200)
        #expect(list.json["rooms"]?.arrayValue?.count == 1)
        #expect(list.json["rooms"]?.arrayValue?.first?["state"] == "open")
        for text in [interviewee, interviewer, secret, interviewee.replacingOccurrences(of: "-", with: "")] {
            #expect(!list.body.contains(text), "the room list shows no code or secret")
        }
    }

    @Test("the admin API answers 401 without the secret or with a wrong one")
    func unauthorized() async throws {
        let server = try await CallServerHarness()
        let missing = try await server.request("POST", "/api/admin/rooms", body: [:])
        #expect(missing.status == 401)
        #expect(missing.errorCode == "unauthorized")
        let wrong = try await server.request("GET", "/api/admin/rooms", bearer: String(server.secret.dropLast()) + "x")
        #expect(wrong.status == 401)
        let list = try await server.request("GET", "/api/admin/rooms", bearer: server.secret)
        #expect(list.json["rooms"]?.arrayValue?.isEmpty == true, "nothing was created without the secret")
    }

    @Test("the admin secret file is created 0600 and reused")
    func secretFile() async throws {
        let server = try await CallServerHarness()
        let path = server.services.config.adminSecretFile
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let again = try AdminSecret.loadOrCreate(path)
        #expect(again.authorizes("Bearer \(server.secret)"))
        #expect(!again.authorizes("Bearer \(server.secret)x"))
    }

    @Test("a code check names the role and room; unknown, wrong secret, expired and early codes are refused")
    func checkCodes() async throws {
        let server = try await CallServerHarness()
        let room = try await server.createRoom(["title": "Check"])
        let interviewee = try #require(room["codes"]?["interviewee"]?.stringValue)
        let interviewer = try #require(room["codes"]?["interviewer"]?.stringValue)
        let secret = try #require(room["interviewerSecret"]?.stringValue)

        // Case and dashes do not matter.
        let typed = interviewee.lowercased().replacingOccurrences(of: "-", with: "")
        let ok = try await server.request("POST", "/api/rooms/check", body: ["code": .string(typed)])
        #expect(ok.status == 200)
        #expect(ok.json["role"] == "interviewee")
        #expect(ok.json["room"]?["title"] == "Check")
        #expect(ok.json["peers"] == [])
        #expect(ok.headers["cache-control"] == "no-store")

        let asInterviewer = try await server.request("POST", "/api/rooms/check", body: ["code": .string(interviewer), "secret": .string(secret)])
        #expect(asInterviewer.json["role"] == "interviewer")

        let noSecret = try await server.request("POST", "/api/rooms/check", body: ["code": .string(interviewer)])
        #expect(noSecret.status == 403)
        #expect(noSecret.errorCode == "wrong_secret")
        let wrongSecret = try await server.request("POST", "/api/rooms/check", body: ["code": .string(interviewer), "secret": "nope"])
        #expect(wrongSecret.status == 403)

        let unknown = try await server.request("POST", "/api/rooms/check", body: ["code": .string(RoomCode.random().grouped)])
        #expect(unknown.status == 404)
        #expect(unknown.errorCode == "unknown_code")

        let bad = try await server.request("POST", "/api/rooms/check", body: ["kode": "x"])
        #expect(bad.status == 400)
        #expect(bad.errorCode == "bad_request")

        let later = try await server.createRoom(["startsAt": .string(CallTime.format(Date().addingTimeInterval(3600)))])
        let early = try await server.request("POST", "/api/rooms/check", body: ["code": later["codes"]!["interviewee"]!])
        #expect(early.status == 425)
        #expect(early.errorCode == "not_started")

        let past = try await server.createRoom(["startsAt": .string(CallTime.format(Date().addingTimeInterval(-7200))), "durationMinutes": 60])
        let expired = try await server.request("POST", "/api/rooms/check", body: ["code": past["codes"]!["interviewee"]!])
        #expect(expired.status == 410)
        #expect(expired.errorCode == "expired")
        #expect(expired.json["error"]?["message"]?.stringValue?.contains("expired at") == true)
    }

    @Test("more than 10 failed checks from one address in a minute are refused with 429, even a right code")
    func rateLimited() async throws {
        let server = try await CallServerHarness()
        let room = try await server.createRoom()
        for _ in 0..<10 {
            let answer = try await server.request("POST", "/api/rooms/check", body: ["code": .string(RoomCode.random().grouped)])
            #expect(answer.status == 404)
        }
        let limited = try await server.request("POST", "/api/rooms/check", body: ["code": room["codes"]!["interviewee"]!])
        #expect(limited.status == 429)
        #expect(limited.errorCode == "rate_limited")
        let wait = try #require(limited.json["error"]?["retryAfterMs"]?.intValue)
        #expect(wait > 0 && wait <= 60_000)
        #expect(limited.headers["retry-after"] != nil)

        // A join over the socket is refused the same way.
        let (socket, answer) = try await server.join(code: room["codes"]!["interviewee"]!.stringValue!)
        #expect(answer["type"] == "error")
        #expect(answer["code"] == "rate_limited")
        #expect(try await socket.receiveClose().code == 4429)
    }

    @Test("the limiter forgets failures older than its window")
    func limiterWindow() {
        let now = Mutex(Date(timeIntervalSince1970: 1000))
        let limiter = JoinRateLimiter(limit: 3, window: 60) { now.withLock { $0 } }
        for _ in 0..<3 { limiter.recordFailure("10.0.0.1") }
        #expect(limiter.retryAfter("10.0.0.1") == 60)
        #expect(limiter.retryAfter("10.0.0.2") == nil)
        now.withLock { $0 = $0.addingTimeInterval(30) }
        #expect(limiter.retryAfter("10.0.0.1") == 30)
        now.withLock { $0 = $0.addingTimeInterval(30) }
        #expect(limiter.retryAfter("10.0.0.1") == nil)
    }

    @Test("attempts are counted before they are tried, so many sent at once cannot all pass; one that opens a room is given back")
    func limiterCountsAttemptsUpFront() {
        let limiter = JoinRateLimiter(limit: 3, window: 60) { Date(timeIntervalSince1970: 1000) }
        // Three in flight at once (none has failed yet): the fourth is refused before it is tried.
        for _ in 0..<3 { #expect(limiter.attempt("10.0.0.1") == nil) }
        #expect(limiter.attempt("10.0.0.1") == 60)
        limiter.succeeded("10.0.0.1")
        #expect(limiter.attempt("10.0.0.1") == nil, "a success gives its attempt back")
        // An IPv6 host holds its whole /64: another address in it shares the count, another /64 does not.
        for _ in 0..<3 { #expect(limiter.attempt("2001:db8:1:2::1") == nil) }
        #expect(limiter.attempt("2001:db8:1:2:ffff::7") == 60)
        #expect(limiter.attempt("2001:db8:1:3::1") == nil)
    }

    @Test("codes are 20 Crockford characters in groups of five; checks ignore case and dashes and read O as 0, I and L as 1")
    func roomCodes() {
        let code = RoomCode.random()
        #expect(code.canonical.count == 20)
        #expect(code.canonical.allSatisfy { RoomCode.alphabet.contains($0) })
        #expect(RoomCode(normalizing: code.grouped.lowercased()) == code)
        #expect(RoomCode(normalizing: "ABCDE-FGHJK-MNPQR-STVWO")?.canonical == "ABCDEFGHJKMNPQRSTVW0")
        #expect(RoomCode(normalizing: "abcde-fghjk-mnpqr-stvwi")?.canonical == "ABCDEFGHJKMNPQRSTVW1")
        #expect(RoomCode(normalizing: "ABCDE-FGHJK-MNPQR-STVW") == nil, "19 characters")
        #expect(RoomCode(normalizing: "ABCDE-FGHJK-MNPQR-STVWXY") == nil, "21 characters")
        #expect(RoomCode(normalizing: "ABCDE-FGHJK-MNPQR-STVWU") == nil, "U is not in Crockford's alphabet")
        #expect(!"\(code)".contains(code.canonical), "a code printed by accident shows nothing")
        // 1,000 codes: no two alike, every character used (100 bits each; a weak generator would repeat).
        let many = Set((0..<1000).map { _ in RoomCode.random().canonical })
        #expect(many.count == 1000)
        #expect(Set(many.joined()).count == 32)
    }
}

import Synchronization
