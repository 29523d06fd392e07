import PluginKit
import ProctorJSON
import Testing

@testable import Desktop
@testable import Screen

/// The plugins' config schemas are valid, documented, and their defaults
/// give the settings the code assumes.
@Suite struct ConfigSchemaTests {
    @Test func everySettingHasADefaultAndADescription() throws {
        for description in [ScreenPlugin.description, DesktopPlugin.description] {
            let schema = try JSONSchema(description.configSchema)
            let filled = schema.applyingDefaults(to: [:])
            #expect(schema.violations(of: filled).isEmpty, "\(description.id): defaults validate")
            for (name, property) in description.configSchema["properties"]?.objectValue?.members ?? [] {
                #expect(property["default"] != nil, "\(description.id).\(name) has a default")
                #expect(property["description"]?.stringValue?.isEmpty == false, "\(description.id).\(name) has a description")
            }
            #expect(!schema.violations(of: ["no_such_setting": 1]).isEmpty, "unknown settings are refused")
        }
    }

    @Test func defaultsAreTheDocumentedOnes() throws {
        let screen = ScreenSettings(config: try JSONSchema(ScreenPlugin.description.configSchema).applyingDefaults(to: [:]))
        #expect(screen.enforcement == .always)
        #expect(screen.policy == FullscreenEnforcer.Policy(grace: 2, verify: 1.5, backoffInitial: 1, backoffMaximum: 30, limit: 5, window: 120))
        let desktop = DesktopSettings(config: try JSONSchema(DesktopPlugin.description.configSchema).applyingDefaults(to: [:]))
        #expect(desktop.content == .none, "clipboard content is never read by default")
        #expect(desktop.titles == .hashed)
        #expect(desktop.selections == ["clipboard", "primary"])
        #expect(desktop.focusSettle == 0.05)
    }
}
