import X11Support

/// How much of a window other windows hide.
enum Coverage {
    /// The share (0...1) of `target`'s area that the union of `others` covers,
    /// exactly: overlapping windows are not counted twice.
    static func fraction(of target: Rect, by others: [Rect]) -> Double {
        guard target.area > 0 else { return 0 }
        let parts = others.compactMap { $0.intersection(target) }
        guard !parts.isEmpty else { return 0 }
        // Cut the target into the grid the parts' edges make; a cell is
        // covered when any part contains it. A handful of windows keeps this small.
        let xs = Array(Set(parts.flatMap { [$0.x, $0.maxX] })).sorted()
        let ys = Array(Set(parts.flatMap { [$0.y, $0.maxY] })).sorted()
        var covered = 0
        for i in 0..<(xs.count - 1) {
            for j in 0..<(ys.count - 1) {
                let cell = Rect(x: xs[i], y: ys[j], width: xs[i + 1] - xs[i], height: ys[j + 1] - ys[j])
                if parts.contains(where: { $0.x <= cell.x && $0.y <= cell.y && $0.maxX >= cell.maxX && $0.maxY >= cell.maxY }) {
                    covered += cell.area
                }
            }
        }
        return min(1, Double(covered) / Double(target.area))
    }
}
