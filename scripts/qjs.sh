#!/usr/bin/env bash
# Builds the device engine and hush's native module into build/qjs/:
#   qjs          QuickJS 2021-03-27 (the sources that the npm package qjsc@0.3.0 vendors)
#   hush_udp.so  platform/quickjs/hush_udp.c over platform/native/hush_core.c,
#                loaded by qjs as an ES module
# Only the npm registry is reachable in CI, so the sources come from there,
# checked against a pinned integrity. Steps whose output exists are skipped;
# hush_udp.so is rebuilt when any of its C sources is newer.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/build/qjs
PKG=qjsc@0.3.0
TGZ=$OUT/qjsc-0.3.0.tgz
INTEGRITY='sha512-a7+cU6/IVcZbIejffdt/wZVMX6LL2MDL3HQ9Zb5Gm23G9DvBMS/z9GHFxz39bAvp2PvMOM+ypSOAyokt2DdZ2w=='
SRC=$OUT/quickjs-2021-03-27
MODULE_SRC=$ROOT/platform/quickjs/hush_udp.c
CORE=$ROOT/platform/native

mkdir -p "$OUT"

if [ ! -d "$SRC" ]; then
  if [ ! -f "$TGZ" ]; then
    echo "qjs: fetching $PKG from the npm registry"
    (cd "$OUT" && npm pack "$PKG" --pack-destination "$OUT" --loglevel=error >/dev/null)
  fi
  actual="sha512-$(openssl dgst -sha512 -binary "$TGZ" | base64 -w0)"
  if [ "$actual" != "$INTEGRITY" ]; then
    rm -f "$TGZ"
    echo "qjs: $PKG tarball integrity mismatch (removed it; run again to fetch anew)" >&2
    echo "  expected $INTEGRITY" >&2
    echo "  actual   $actual" >&2
    exit 1
  fi
  tmp=$(mktemp -d "$OUT/extract.XXXXXX")
  tar -xzf "$TGZ" -C "$tmp" package/deps/quickjs_2021_03_27
  mv "$tmp/package/deps/quickjs_2021_03_27" "$SRC"
  rm -rf "$tmp"
fi

if [ ! -x "$OUT/qjs" ]; then
  echo "qjs: building QuickJS $(cat "$SRC/VERSION") (under a minute)"
  start=$(date +%s)
  make -s -C "$SRC" -j"$(nproc 2>/dev/null || echo 2)" CONFIG_LTO= qjs
  cp "$SRC/qjs" "$OUT/qjs"
  echo "qjs: built in $(( $(date +%s) - start )) s"
fi

stale=0
for f in "$MODULE_SRC" "$CORE/hush_core.c" "$CORE/hush_core.h"; do
  if [ ! -f "$OUT/hush_udp.so" ] || [ "$f" -nt "$OUT/hush_udp.so" ]; then stale=1; fi
done
if [ "$stale" = 1 ]; then
  ${CC:-gcc} -std=gnu11 -O2 -Wall -Wextra -Werror -fPIC -shared -DJS_SHARED_LIBRARY \
    -isystem "$SRC" -I "$CORE" -o "$OUT/hush_udp.so" "$MODULE_SRC" "$CORE/hush_core.c"
fi

echo "$OUT/qjs"
echo "$OUT/hush_udp.so"
