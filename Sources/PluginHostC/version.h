/* The agent's version as the plugin's host struct gives it; the same as
 * ProctorVersion.string (Sources/PluginHosting/ProctorVersion.swift). */
#ifndef PROCTORD_HOST_C_VERSION_H
#define PROCTORD_HOST_C_VERSION_H
#define PROCTORD_VERSION "0.1.0"
#endif
