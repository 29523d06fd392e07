/// Where the gaze dwelt, in fine square bins of `binSize` (CSS pixels when
/// calibrated, degrees before): milliseconds per bin. Kept fine and sparse so
/// the grid can be drawn afterwards on whatever screen size is known by then.
public struct DwellMap: Sendable, Equatable {
    struct Bin: Hashable, Sendable {
        var x: Int32, y: Int32
    }

    public let binSize: Double
    private(set) var bins: [Bin: Double] = [:]
    public private(set) var totalMilliseconds = 0.0

    public init(binSize: Double) { self.binSize = binSize }

    mutating func add(x: Double, y: Double, milliseconds: Double) {
        guard x.isFinite, y.isFinite, milliseconds > 0 else { return }
        let limit = Double(Int32.max / 2)
        let bin = Bin(x: Int32(max(-limit, min(limit, (x / binSize).rounded(.down)))),
                      y: Int32(max(-limit, min(limit, (y / binSize).rounded(.down)))))
        bins[bin, default: 0] += milliseconds
        totalMilliseconds += milliseconds
    }

    /// The dwell on a `columns` x `rows` grid over the rectangle from
    /// `origin` of `size`; what fell outside it is counted apart.
    public func grid(origin: (x: Double, y: Double), size: (width: Double, height: Double), columns: Int, rows: Int) -> HeatmapGrid {
        var cells = [Double](repeating: 0, count: columns * rows)
        var outside = 0.0
        for (bin, milliseconds) in bins {
            let x = (Double(bin.x) + 0.5) * binSize - origin.x
            let y = (Double(bin.y) + 0.5) * binSize - origin.y
            guard x >= 0, y >= 0, x < size.width, y < size.height else {
                outside += milliseconds
                continue
            }
            let column = min(columns - 1, Int(x / size.width * Double(columns)))
            let row = min(rows - 1, Int(y / size.height * Double(rows)))
            cells[row * columns + column] += milliseconds
        }
        return HeatmapGrid(columns: columns, rows: rows, cells: cells, outsideMilliseconds: outside)
    }
}

/// A heatmap as the report and `gaze.heatmap` carry it: dwell in ms per
/// cell, row by row from the top left.
public struct HeatmapGrid: Sendable, Equatable {
    public let columns: Int
    public let rows: Int
    public var cells: [Double]
    public var outsideMilliseconds: Double

    public var insideMilliseconds: Double { cells.reduce(0, +) }

    /// The cell with the most dwell, as (column, row).
    public var peak: (column: Int, row: Int)? {
        guard let index = cells.indices.max(by: { cells[$0] < cells[$1] }), cells[index] > 0 else { return nil }
        return (index % columns, index / columns)
    }
}
