{
  "targets": [
    {
      "target_name": "share_hash",
      "sources": ["native/share-hash.c"],
      "cflags": ["-O3", "-std=c11", "-Wall", "-Wextra", "-Werror"],
      "xcode_settings": {"OTHER_CFLAGS": ["-O3", "-std=c11", "-Wall", "-Wextra"]}
    }
  ]
}
