/// The agent's version, shown by `proctord --version` and in the protocol's Hello.
public enum ProctorVersion { public static let string = "0.1.0" }
