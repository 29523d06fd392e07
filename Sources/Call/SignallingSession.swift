import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket
import ProctorJSON

/// One page's signalling WebSocket, from `join` to close. Everything it
/// sends goes through its outbox (see `PeerLink`), written by one task, so
/// the registry and the other peer never write to the socket themselves.
struct SignallingSession {
    static let maximumMessageBytes = 64 * 1024
    static let joinTimeout: Duration = .seconds(10)

    let services: CallServices
    let channel: any Channel
    let address: String
    let activity: PeerActivity

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async {
        let connection = services.nextConnectionID()
        let (outbox, continuation) = AsyncStream.makeStream(of: PeerLink.Outgoing.self, bufferingPolicy: .bufferingOldest(PeerLink.capacity))
        let channel = self.channel
        let cut: @Sendable () -> Void = { channel.close(promise: nil) }
        let sender = PeerLink(connection: connection, peerId: "", outbox: continuation, cut: cut)
        var joined: (link: PeerLink, room: String, role: Role)?
        // Once a close is on its way, what the page still sends is not acted on.
        var closing = false
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await write(outbox, to: outbound) }
            group.addTask { await keepAlive(sender) }
            let timer = Task {
                guard (try? await Task.sleep(for: Self.joinTimeout)) != nil else { return }
                sender.send(error: "join_timeout", "no join within \(Self.joinTimeout.components.seconds) s")
                sender.close(4408, reason: "no join within \(Self.joinTimeout.components.seconds) s")
            }
            defer { timer.cancel() }
            do {
                for try await message in inbound.messages(maxSize: Self.maximumMessageBytes) where !closing {
                    guard case .text(let text) = message else {
                        sender.close(4400, reason: "binary frames are not part of the protocol: send JSON text")
                        closing = true
                        continue
                    }
                    let parsed: SignalMessage
                    do throws(SignalMessage.Malformed) { parsed = try SignalMessage.parse(text) } catch {
                        sender.close(4400, reason: error.reason)
                        closing = true
                        continue
                    }
                    switch parsed {
                    case .join(let code, let secret, let peerId):
                        guard joined == nil else {
                            sender.send(error: "already_joined", "this connection has joined already")
                            continue
                        }
                        joined = await join(PeerLink(connection: connection, peerId: peerId, outbox: continuation, cut: cut), code: code, secret: secret)
                        if joined != nil { timer.cancel() } else { closing = true }
                    case .signal(let data):
                        guard let (link, room, role) = joined else {
                            sender.close(4400, reason: "the first message must be join")
                            closing = true
                            continue
                        }
                        let relayed = JSONWriter.compact(["type": "signal", "from": .string(role.rawValue), "data": data])
                        if !(await services.registry.deliver(relayed, from: link, role: role, in: room)) {
                            sender.send(error: "no_peer", "the other peer has not joined yet")
                        }
                    }
                }
            } catch {
                services.logger.debug("signalling connection \(connection) ended: \(error)")
            }
            if let (link, room, role) = joined {
                await services.registry.leave(link, role: role, room: room, reason: activity.timedOut ? .timeout : .closed)
            }
            continuation.finish()
            group.cancelAll()
        }
    }

    /// Joins, or answers the refusal and closes. Unknown codes and wrong secrets count against the address.
    private func join(_ link: PeerLink, code: String, secret: String?) async -> (link: PeerLink, room: String, role: Role)? {
        do {
            if let wait = services.limiter.attempt(address) { throw CallError.rateLimited(retryAfter: wait) }
            do {
                let (room, role) = try await services.registry.join(code: code, secret: secret, link: link)
                services.limiter.succeeded(address)
                return (link, room, role)
            } catch let error as CallError where error == .unknownCode || error == .wrongSecret {
                throw error  // stays counted
            } catch {
                services.limiter.succeeded(address)  // refused for another reason (room full, expired): not a guess
                throw error
            }
        } catch let error as CallError {
            var fields = error.fields
            fields["type"] = "error"
            link.send(.object(fields))
            link.close(error.closeCode, reason: error.code)
            return nil
        } catch {
            return nil
        }
    }

    /// Pings every `pingInterval`; closes a connection silent for `silenceLimit`.
    private func keepAlive(_ sender: PeerLink) async {
        while (try? await Task.sleep(for: services.pingInterval)) != nil {
            if activity.silence >= services.silenceLimit {
                activity.markTimedOut()
                sender.close(4408, reason: "timeout")
                return
            }
            sender.ping()
        }
    }

    /// Writes the outbox in order; a close is the last frame, and the
    /// connection is cut shortly after in case the peer never answers it.
    private func write(_ outbox: AsyncStream<PeerLink.Outgoing>, to outbound: WebSocketOutboundWriter) async {
        for await item in outbox {
            switch item {
            case .text(let text):
                try? await outbound.write(.text(text))
            case .ping:
                try? await outbound.write(.custom(.init(fin: true, opcode: .ping, data: ByteBuffer(string: "proctord-call"))))
            case .close(let code, let reason):
                let channel = self.channel
                Task {
                    try await Task.sleep(for: .seconds(2))
                    channel.close(promise: nil)
                }
                try? await outbound.close(.unknown(code), reason: reason)
                return
            }
        }
    }
}

extension PeerLink {
    func send(error code: String, _ message: String) { send(["type": "error", "code": .string(code), "message": .string(message)]) }
}
