/* The deployment key: one 256-bit secret shared by every process of a deployment, used to seal
 * bus frames (XChaCha20-Poly1305). Stored as 64 hex characters and a newline so it can be
 * inspected and provisioned with ordinary tools, and refused unless only its owner can read it:
 * a key readable by group or others is treated as already leaked. */
#ifndef HALE_TRANSPORT_KEYFILE_H
#define HALE_TRANSPORT_KEYFILE_H

#include <stddef.h>
#include <stdint.h>

#define TP_KEY_BYTES 32

/* Creates `path` (mode 0600, refusing to overwrite unless `force`) holding a fresh random key.
 * Returns 0, or -1 with a one-line reason in `err`. */
int tp_key_generate(const char *path, int force, char *err, size_t errlen);

/* Loads the key at `path` into `key`. Refuses files that are not regular, are readable or
 * writable by group/others, or do not hold exactly one hex key. Returns 0 or -1 with a reason. */
int tp_key_load(const char *path, uint8_t key[TP_KEY_BYTES], char *err, size_t errlen);

#endif
