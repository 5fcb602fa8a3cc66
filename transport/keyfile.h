/* The deployment key: one 256-bit secret shared by every process of a deployment, used to seal
 * bus frames. Stored as 64 hex characters and a newline so it can be inspected and provisioned
 * with ordinary tools, and refused unless only its owner can read it: a key readable by group or
 * others is treated as already leaked.
 *
 * The key file also chooses the AEAD (frame.h): an optional second line `aead = aes256gcm` or
 * `aead = xchacha20poly1305` (the default when the line is absent, as in files made before the
 * choice existed). Every process of a deployment reads the same file, so both ends of every
 * binding agree; a frame sealed with the other one is refused by name. AES-256-GCM needs the
 * CPU's AES instructions (libsodium's crypto_aead_aes256gcm_is_available): a key file asking
 * for it on a machine without them is refused at load, never silently downgraded. `hale keygen`
 * writes aes256gcm where this machine has them, xchacha20poly1305 otherwise. */
#ifndef HALE_TRANSPORT_KEYFILE_H
#define HALE_TRANSPORT_KEYFILE_H

#include <stddef.h>
#include <stdint.h>

#define TP_KEY_BYTES 32

typedef enum { TP_AEAD_XCHACHA20POLY1305 = 0, TP_AEAD_AES256GCM = 1 } tp_aead;

/* "aes256gcm" / "xchacha20poly1305". */
const char *tp_aead_name(tp_aead a);

/* Whether this machine can seal with `a`. */
int tp_aead_available(tp_aead a);

/* Creates `path` (mode 0600, refusing to overwrite unless `force`) holding a fresh random key
 * and the AEAD line for `aead`. Returns 0, or -1 with a one-line reason in `err` (also when this
 * machine cannot use `aead`). */
int tp_key_generate(const char *path, int force, tp_aead aead, char *err, size_t errlen);

/* The AEAD `hale keygen` chooses by default: AES-256-GCM where this machine has it. */
tp_aead tp_aead_default(void);

/* Loads the key at `path` into `key` and its AEAD into `aead` (may be NULL). Refuses files that
 * are not regular, are readable or writable by group/others, do not hold exactly one hex key,
 * name an unknown AEAD or one this machine cannot use (the reason names the file and line).
 * Returns 0 or -1 with a reason. */
int tp_key_load(const char *path, uint8_t key[TP_KEY_BYTES], tp_aead *aead, char *err,
                size_t errlen);

#endif
