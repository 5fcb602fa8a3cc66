/* Durations as people write them in hale.toml, budget files, deploy config, the environment
 * and Hale source: "250ms", "30s", "5m", "1h30m", "2d". One table of units shared by the config
 * reader, the compiler's lexer (duration literals), the runtime (HALE_RESTART_INTENSITY) and
 * the supervisor, so that a duration means the same thing everywhere. */
#ifndef HALE_CONFIG_DURATION_H
#define HALE_CONFIG_DURATION_H

#include <stddef.h>
#include <stdint.h>

/* The unit spelled at the start of text[0..len): its size in nanoseconds, and its length in *n;
 * 0 (and *n = 0) when no unit starts there. Longest match, so "ms" is never read as "m". Units:
 * ns, us, ms, s, m, h, d. */
int64_t cfg_duration_unit(const char *text, size_t len, size_t *n);

/* Parses `text` (length `len`) into nanoseconds. Accepts one or more <digits><unit> groups with
 * the units above and optional `_` digit separators. Returns 0 on success; on failure
 * returns -1 and, when `err` is non-NULL, writes a one-line reason into it. */
int cfg_duration_parse(const char *text, size_t len, int64_t *out_ns, char *err, size_t errlen);

/* Writes `ns` as the shortest exact text the parser accepts back ("1500ms", "2m", "0s"), in units
 * up to hours (a day is written "24h"). */
void cfg_duration_format(int64_t ns, char *buf, size_t buflen);

#endif
