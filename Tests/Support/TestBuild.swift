import Foundation
import ProctorHost

/// Where the build put what the tests run: the proctord binary and the
/// plugin libraries sit beside the test runner in `.build/<triple>/debug`.
public enum TestBuild {
    public static var productsDirectory: String {
        URL(fileURLWithPath: Environment.executablePath).deletingLastPathComponent().path
    }

    public static var proctord: String { productsDirectory + "/proctord" }

    /// The reference interview app's call server.
    public static var proctordCall: String { productsDirectory + "/proctord-call" }

    /// The program each plugin child runs, beside `proctord`.
    public static var pluginHost: String { productsDirectory + "/proctord-plugin-host" }
    /// The plugin host for libraries without the Swift runtime.
    public static var pluginHostC: String { productsDirectory + "/proctord-plugin-host-c" }

    /// `libproctor-<name>.so` from the build.
    public static func plugin(_ name: String) -> String { productsDirectory + "/libproctor-\(name).so" }

    /// The checkout the tests were built from.
    public static var repositoryRoot: String {
        var url = URL(fileURLWithPath: productsDirectory)
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url.path }
            url.deleteLastPathComponent()
        }
        fatalError("no Package.swift above \(productsDirectory)")
    }
}
