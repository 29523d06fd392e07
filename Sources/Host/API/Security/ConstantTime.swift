/// Secret comparisons that take the same time whatever the inputs hold, so a
/// caller cannot learn a secret byte by byte from how fast it is refused.
public enum ConstantTime {
    /// True when `a` and `b` are the same bytes; the time depends on the
    /// lengths only, never on where the first difference is.
    public static func equal<A: Collection<UInt8>, B: Collection<UInt8>>(_ a: A, _ b: B) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        // Compare against `a` for the full length even when the lengths differ.
        var other = b.makeIterator()
        for byte in a { difference |= byte ^ (other.next() ?? ~byte) }
        return difference == 0 && a.count == b.count
    }

    public static func equal(_ a: String, _ b: String) -> Bool { equal(a.utf8, b.utf8) }
}
