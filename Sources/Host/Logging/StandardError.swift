import LinuxShim

/// stderr as a `print(_:to:)` target; each write is one write(2).
public struct StandardError: TextOutputStream {
    public init() {}

    public mutating func write(_ string: String) {
        var text = string
        text.withUTF8 { linux_write_stderr($0.baseAddress, UInt($0.count)) }
    }
}
