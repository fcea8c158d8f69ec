#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Builds the two service images of the hello appliance into an OCI layout, from Debian's busybox
# (the binary, its shared-library closure as the dynamic loader resolves it, one symlink per
# applet) and this directory's files:
#   hello-web:1      + web/www as /www       (busybox httpd serves it on port 8080)
#   hello-counter:1  + counter/counter.sh    (counts boots in its persistent volume)
# The same inputs give the same images: `mos image build` is reproducible with
# $SOURCE_DATE_EPOCH (set here when the caller did not).
#   build-images.sh MOS LAYOUT
set -euo pipefail
MOS=$1
LAYOUT=$2
HERE=$(cd "$(dirname "$0")" && pwd)
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1735689600}
[ -x /bin/busybox ] || { echo "build-images.sh: Debian's busybox is not installed (apt-get install busybox)" >&2; exit 1; }

STAGE=$(mktemp -d "${TMPDIR:-/tmp}/hello-images.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT

busybox_root() { # DIR
        local dir=$1 lib applet
        mkdir -p "$dir/bin"
        install -m 0755 /bin/busybox "$dir/bin/busybox"
        # The loader and the libraries, each at the path the loader looks for it.
        for lib in $(ldd /bin/busybox | grep -o '/[^ ]*\.so[^ ]*' | sort -u); do
                mkdir -p "$dir$(dirname "$lib")"
                install -m 0755 "$(readlink -f "$lib")" "$dir$lib"
        done
        for applet in $(/bin/busybox --list | sort); do
                [ -e "$dir/bin/$applet" ] || ln -s busybox "$dir/bin/$applet"
        done
}

busybox_root "$STAGE/web"
mkdir -p "$STAGE/web/www"
install -m 0644 "$HERE"/web/www/* "$STAGE/web/www/"
"$MOS" image build "$STAGE/web" --layout "$LAYOUT" --tag hello-web:1

busybox_root "$STAGE/counter"
install -m 0755 "$HERE/counter/counter.sh" "$STAGE/counter/counter.sh"
"$MOS" image build "$STAGE/counter" --layout "$LAYOUT" --tag hello-counter:1
