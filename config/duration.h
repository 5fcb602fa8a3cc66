/* Durations as people write them in hale.toml, budget files and deploy config: "250ms", "30s",
 * "5m", "1h30m". One parser shared by the compiler, the runtime and the supervisor so that a
 * duration means the same thing everywhere. */
#ifndef HALE_CONFIG_DURATION_H
#define HALE_CONFIG_DURATION_H

#include <stddef.h>
#include <stdint.h>

/* Parses `text` (length `len`) into nanoseconds. Accepts one or more <digits><unit> groups with
 * units ns, us, ms, s, m, h and optional `_` digit separators. Returns 0 on success; on failure
 * returns -1 and, when `err` is non-NULL, writes a one-line reason into it. */
int cfg_duration_parse(const char *text, size_t len, int64_t *out_ns, char *err, size_t errlen);

/* Writes `ns` as the shortest exact text the parser accepts back ("1500ms", "2m", "0s"). */
void cfg_duration_format(int64_t ns, char *buf, size_t buflen);

#endif
