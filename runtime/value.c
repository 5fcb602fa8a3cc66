/* Descriptors of the built-in types (see value.h). */
#include "value.h"

#define SCALAR(var, k, nm, ctype, fp)                                                              \
    const hale_type var = {.kind = k,                                                              \
                           .name = nm,                                                             \
                           .size = sizeof(ctype),                                                  \
                           .align = _Alignof(ctype),                                               \
                           .flat = true,                                                           \
                           .fingerprint = fp}

SCALAR(hale_type_int, HALE_T_INT, "Int", int64_t, 0x1001);
SCALAR(hale_type_float, HALE_T_FLOAT, "Float", double, 0x1002);
SCALAR(hale_type_bool, HALE_T_BOOL, "Bool", bool, 0x1003);
SCALAR(hale_type_duration, HALE_T_DURATION, "Duration", int64_t, 0x1004);

const hale_type hale_type_string = {.kind = HALE_T_STRING,
                                    .name = "String",
                                    .size = sizeof(hale_str),
                                    .align = _Alignof(hale_str),
                                    .flat = false,
                                    .fingerprint = 0x1005};

const hale_type hale_type_bytes = {.kind = HALE_T_BYTES,
                                   .name = "Bytes",
                                   .size = sizeof(hale_bytes),
                                   .align = _Alignof(hale_bytes),
                                   .flat = false,
                                   .fingerprint = 0x1006};
