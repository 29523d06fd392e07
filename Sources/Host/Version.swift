public enum ProctorHostVersion { public static let string = "0.1.0" }
