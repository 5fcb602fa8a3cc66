/* Where the codec is inside a value, kept as a chain of frames on the C stack so that naming the
 * place of an error costs nothing until there is an error. Internal to the codec. */
#ifndef HALE_TRANSPORT_CODEC_PATH_H
#define HALE_TRANSPORT_CODEC_PATH_H

#include <stdarg.h>
#include <stdint.h>

#include "codec.h"

typedef struct tp_path {
    const struct tp_path *up;
    const char *name; /* field name, or the root type's name; NULL for an array index */
    int64_t index;
} tp_path;

/* Fills `err` with `status`, the rendered path and a printf-style message. Returns -1. */
int tp_codec_fail(tp_codec_err *err, const tp_path *at, tp_codec_status status, const char *fmt,
                  ...) __attribute__((format(printf, 4, 5)));

#endif
