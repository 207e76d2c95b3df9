# hush_native: the raw backend's device on Linux (see addon.c). Built by
# build.mjs (npm's install script) into platform/native/build/.
#
# Warnings are not errors by default: at install time a new compiler's new
# warning must not cost a user the raw backend. hush_werror=1 (build.mjs with
# HUSH_NATIVE_WERROR=1, as `make native` and so the lab and CI build it) adds
# -Werror.
{
  "variables": { "hush_werror%": 0 },
  "targets": [
    {
      "target_name": "hush_native",
      "sources": ["addon.c", "hush_core.c"],
      "cflags_c": ["-std=gnu11", "-Wall", "-Wextra"],
      "defines": ["NAPI_VERSION=8"],
      "conditions": [
        ["hush_werror==1", { "cflags_c": ["-Werror"] }]
      ]
    }
  ]
}
