# SPDX-License-Identifier: LGPL-2.1-or-later
# Entry points for people and CI. The build itself is meson + ninja (see docs/development.md).

BUILDDIR ?= build

.PHONY: all deps build check demo clean format

all: build

deps:
	@tools/deps.sh

build: deps
	@[ -f $(BUILDDIR)/build.ninja ] || meson setup $(BUILDDIR)
	ninja -C $(BUILDDIR)

# Everything CI runs; ends with "tests: N passed, N failed, N skipped".
check: deps
	@tools/check.sh

# The hello appliance end to end (tools/demo.sh): keys, images, signatures, factory
# provisioning, Secure Boot in qemu, the web page from the host, a reboot, two attacks caught.
demo: build
	@tools/demo.sh $(BUILDDIR)

format:
	clang-format-14 -i $$(git ls-files -co --exclude-standard -- '*.c' '*.h')

clean:
	rm -rf build build-asan
