/* The one header generated C includes: every runtime interface a compiled Hale program uses,
 * plus the C headers the emitted code relies on. */
#ifndef HALE_RUNTIME_PRELUDE_H
#define HALE_RUNTIME_PRELUDE_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "bytes.h"
#include "diag.h"
#include "form_hashmap.h"
#include "form_lru.h"
#include "form_ring.h"
#include "form_vec.h"
#include "json.h"
#include "json_scan.h"
#include "slot_cell.h"
#include "slot_heap.h"
#include "slot_pool.h"
#include "fault.h"
#include "guard.h"
#include "io.h"
#include "locus.h"
#include "locus_bind.h"
#include "locus_bus.h"
#include "copy.h"
#include "decimal.h"
#include "ops.h"
#include "region.h"
#include "scheduler.h"
#include "std.h"
#include "std_bytes.h"
#include "std_codec.h"
#include "std_file.h"
#include "std_fs.h"
#include "std_http.h"
#include "http_router.h"
#include "std_log.h"
#include "std_misc.h"
#include "std_os.h"
#include "std_process.h"
#include "std_tcp.h"
#include "std_term.h"
#include "std_udp.h"
#include "std_yaml.h"
#include "std_text.h"
#include "std_tls.h"
#include "str.h"
#include "value.h"

#endif
