import ProctorJSON

/// Where on the screen the calibrated gaze fell: counts on a coarse grid,
/// for the report's heatmap.
struct Heatmap {
    let columns: Int
    let rows: Int
    private(set) var screen: (width: Double, height: Double)
    private(set) var counts: [Int]
    private(set) var offScreen = 0

    init(columns: Int = 32, rows: Int = 18, screen: (width: Double, height: Double)) {
        self.columns = columns
        self.rows = rows
        self.screen = screen
        counts = Array(repeating: 0, count: columns * rows)
    }

    mutating func add(x: Double, y: Double) {
        guard x >= 0, y >= 0, x < screen.width, y < screen.height else {
            offScreen += 1
            return
        }
        counts[Int(y / screen.height * Double(rows)) * columns + Int(x / screen.width * Double(columns))] += 1
    }

    var json: JSONValue {
        [
            "screen": ["width": .number(screen.width), "height": .number(screen.height)],
            "columns": .number(Double(columns)), "rows": .number(Double(rows)),
            "counts": .array(counts.map { .number(Double($0)) }), "off_screen": .number(Double(offScreen)),
        ]
    }
}
