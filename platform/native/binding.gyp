# hush_native: the raw backend's device on Linux (see addon.c). Built by
# build.mjs (npm's install script) into platform/native/build/.
{
  "targets": [
    {
      "target_name": "hush_native",
      "sources": ["addon.c", "hush_core.c"],
      "cflags_c": ["-std=gnu11", "-Wall", "-Wextra", "-Werror"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
