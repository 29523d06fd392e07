/// A heatmap as inline SVG: the screen's outline (or, before calibration,
/// the field of head and eye directions) with each cell shaded by its share
/// of the largest cell's dwell.
enum HeatmapSVG {
    static let width = 320.0

    /// The calibrated map over the screen's outline, `screen` in CSS pixels.
    static func screen(_ grid: HeatmapGrid, screen: (width: Double, height: Double, source: String), label: String) -> String {
        let height = (width * screen.height / screen.width).rounded()
        var svg = open(grid, height: height, basis: "calibrated", label: label)
        svg += cells(grid, height: height, colour: "220,38,38")
        svg += "<rect class=\"screen-outline\" x=\"0.5\" y=\"0.5\" width=\"\(HTMLText.number(width - 1))\" height=\"\(HTMLText.number(height - 1))\" fill=\"none\" stroke=\"#111827\" stroke-width=\"1.5\"/>"
        return svg + "</svg>"
    }

    /// The uncalibrated map of head and eye directions, with straight ahead marked.
    static func direction(_ grid: HeatmapGrid, label: String) -> String {
        let (x, y) = GazeAnalytics.directionRange
        let height = (width * (y.1 - y.0) / (x.1 - x.0)).rounded()
        var svg = open(grid, height: height, basis: "uncalibrated", label: label)
        svg += cells(grid, height: height, colour: "37,99,235")
        let cx = width * (0 - x.0) / (x.1 - x.0), cy = height * (0 - y.0) / (y.1 - y.0)
        svg += "<rect x=\"0.5\" y=\"0.5\" width=\"\(HTMLText.number(width - 1))\" height=\"\(HTMLText.number(height - 1))\" fill=\"none\" stroke=\"#6b7280\" stroke-dasharray=\"4 3\"/>"
        svg += "<path d=\"M\(HTMLText.number(cx - 8)) \(HTMLText.number(cy))h16M\(HTMLText.number(cx)) \(HTMLText.number(cy - 8))v16\" stroke=\"#111827\"/>"
        svg += "<text x=\"4\" y=\"14\" font-size=\"11\" fill=\"#374151\">uncalibrated: head and eyes, \(HTMLText.number(x.1 - x.0))° × \(HTMLText.number(y.1 - y.0))°</text>"
        return svg + "</svg>"
    }

    private static func open(_ grid: HeatmapGrid, height: Double, basis: String, label: String) -> String {
        "<svg class=\"heatmap\" data-basis=\"\(basis)\" data-scope=\"\(HTMLText.escape(label))\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(HTMLText.number(width))\" height=\"\(HTMLText.number(height))\" viewBox=\"0 0 \(HTMLText.number(width)) \(HTMLText.number(height))\" role=\"img\" aria-label=\"\(HTMLText.escape(basis + " heatmap: " + label))\"><rect width=\"100%\" height=\"100%\" fill=\"#f9fafb\"/>"
    }

    private static func cells(_ grid: HeatmapGrid, height: Double, colour: String) -> String {
        guard let largest = grid.cells.max(), largest > 0 else { return "" }
        let cellWidth = width / Double(grid.columns), cellHeight = height / Double(grid.rows)
        var out = ""
        for (index, value) in grid.cells.enumerated() where value > 0 {
            // A square root spreads the shades: a glance still shows beside a long stare.
            let alpha = 0.12 + 0.88 * (value / largest).squareRoot()
            out += "<rect class=\"cell\" x=\"\(HTMLText.number(Double(index % grid.columns) * cellWidth))\" y=\"\(HTMLText.number(Double(index / grid.columns) * cellHeight))\" width=\"\(HTMLText.number(cellWidth))\" height=\"\(HTMLText.number(cellHeight))\" fill=\"rgba(\(colour),\(HTMLText.number(alpha)))\"><title>\(HTMLText.number(value / 1000)) s</title></rect>"
        }
        return out
    }
}
