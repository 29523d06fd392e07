// The plugin-hosting types (frames, the loader, the child's relay, paths)
// live in a module of their own so the plugin child links only them; to
// the agent and its tests they stay part of ProctorHost.
@_exported import PluginHosting
