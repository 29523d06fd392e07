/// Features to screen point: ridge regression on standardised terms, one
/// model per screen axis. Standardising keeps the small ridge penalty fair
/// across terms measured in degrees and in shares of an eye.
public struct GazeMapping: Sendable {
    let means: [Double]
    let scales: [Double]
    let xWeights: [Double]  // intercept first
    let yWeights: [Double]

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Fits on paired features and screen points.
    public static func fit(_ samples: [(GazeFeatures, x: Double, y: Double)], ridge: Double = 1e-3) throws -> GazeMapping {
        guard samples.count >= 6 else {
            throw Failure(description: "\(samples.count) usable samples; at least 6 are needed to fit")
        }
        let rows = samples.map { $0.0.terms }
        let width = rows[0].count
        var means = Array(repeating: 0.0, count: width)
        var scales = Array(repeating: 1.0, count: width)
        for j in 0..<width {
            let column = rows.map { $0[j] }
            let mean = column.reduce(0, +) / Double(column.count)
            let variance = column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(column.count)
            means[j] = mean
            // A term that did not vary during calibration carries no information: keep it neutral.
            scales[j] = variance > 1e-12 ? variance.squareRoot() : .infinity
        }
        let design = rows.map { row in [1.0] + (0..<width).map { (row[$0] - means[$0]) / scales[$0] } }
        let xWeights = try ridgeSolve(design, samples.map(\.x), ridge: ridge)
        let yWeights = try ridgeSolve(design, samples.map(\.y), ridge: ridge)
        return GazeMapping(means: means, scales: scales, xWeights: xWeights, yWeights: yWeights)
    }

    public func predict(_ features: GazeFeatures) -> (x: Double, y: Double) {
        let terms = features.terms
        var x = xWeights[0], y = yWeights[0]
        for j in 0..<terms.count {
            let z = (terms[j] - means[j]) / scales[j]
            x += xWeights[j + 1] * z
            y += yWeights[j + 1] * z
        }
        return (x, y)
    }

    /// Solves (AᵀA + λI)w = Aᵀb, not penalising the intercept, by Gaussian
    /// elimination with partial pivoting (the system is 12 by 12).
    static func ridgeSolve(_ a: [[Double]], _ b: [Double], ridge: Double) throws -> [Double] {
        let n = a[0].count
        var m = Array(repeating: Array(repeating: 0.0, count: n + 1), count: n)
        for (row, target) in zip(a, b) {
            for i in 0..<n {
                for j in 0..<n { m[i][j] += row[i] * row[j] }
                m[i][n] += row[i] * target
            }
        }
        for i in 1..<n { m[i][i] += ridge * Double(a.count) }
        for column in 0..<n {
            let pivot = (column..<n).max { abs(m[$0][column]) < abs(m[$1][column]) }!
            guard abs(m[pivot][column]) > 1e-12 else { throw Failure(description: "the calibration samples are degenerate") }
            m.swapAt(column, pivot)
            for row in 0..<n where row != column {
                let factor = m[row][column] / m[column][column]
                if factor != 0 { for k in column...n { m[row][k] -= factor * m[column][k] } }
            }
        }
        return (0..<n).map { m[$0][n] / m[$0][$0] }
    }
}
