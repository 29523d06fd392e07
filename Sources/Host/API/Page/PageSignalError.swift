/// A page report refused, with the protocol's error code (`invalid_params`,
/// `rate_limited`) and a message naming what was wrong.
struct PageSignalError: Error, Sendable, Equatable {
    let code: String
    let message: String

    init(_ code: String, _ message: String) {
        self.code = code
        self.message = message
    }
}
