import Foundation

/// One measured figure and the target it is judged against.
struct Figure {
    var name: String
    var value: Double
    var unit: String
    /// The figure the issue sets, or a baseline's; nil when only reported.
    var target: Double?
    var higherIsBetter: Bool
    var baselineName = "target"
    /// The figure before the change it measures, when there was one.
    var before: Double?
    /// A second figure to judge against besides the target (another
    /// desktop's, say), with its name.
    var comparison: (name: String, value: Double)?

    /// How many times better than the target (above 1 meets it).
    var ratio: Double? {
        guard let target, target > 0, value > 0 else { return nil }
        return higherIsBetter ? value / target : target / value
    }

    var line: String {
        var text = "  \(name.padding(toLength: 58, withPad: " ", startingAt: 0)) \(format(value)) \(unit)"
        if let target, let ratio {
            text += "   \(baselineName) \(higherIsBetter ? ">=" : "<=") \(format(target)) \(unit): \(String(format: "%.2f", ratio))x \(ratio >= 1 ? "ok" : "MISSED")"
        } else if let target, target == 0, !higherIsBetter {
            text += "   \(baselineName) <= 0 \(unit): \(value == 0 ? "ok" : "MISSED")"  // none at all is the target
        } else if let target, value == 0, !higherIsBetter {
            text += "   \(baselineName) <= \(format(target)) \(unit): ok"  // none at all
        }
        if let comparison, comparison.value > 0, value > 0 {
            let ratio = higherIsBetter ? value / comparison.value : comparison.value / value
            text += "   \(comparison.name) \(format(comparison.value)) \(unit): \(String(format: "%.2f", ratio))x"
        }
        if let before {
            let change = value - before
            text += "   (before: \(format(before)) \(unit); change \(change < 0 ? "-" : "+")\(format(abs(change))) \(unit))"
        }
        return text
    }

    private func format(_ v: Double) -> String {
        v >= 1000 ? String(format: "%.0f", v) : v >= 10 ? String(format: "%.1f", v) : String(format: "%.3f", v)
    }
}
