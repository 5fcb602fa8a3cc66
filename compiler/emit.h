/* The C emitter: one checked program to one C11 translation unit.
 *
 * Layout of the output: the runtime prelude, type definitions (in dependency order), type
 * descriptors, prototypes of every helper and function, helper bodies (per-type deep copy,
 * formatting, equality), function bodies, then `main`.
 *
 * Calling convention: every Hale function becomes
 *     static R hf_<seed>_<name>(hale_region *ho, hale_region *hm, params...)
 * where `hm` is the scratch side the function allocates in and `ho` the caller's side that a
 * heap result is copied into before `hm` is reset to its entry mark. A callee is passed
 * (hm, ho): sides alternate with call depth, so a callee's scratch never overlaps its caller's
 * live values. Fallible functions return `bool` (success) and take `R *hres, E *herr` first.
 *
 * Each construct has its own function (emit_expr.c, emit_stmt.c, emit_types.c); constructs the
 * back end does not lower yet report "not supported yet" at their position and the build stops
 * before any C is compiled.
 *
 * Names in the generated C. The runtime's are hale_*; everything the emitter makes starts with
 * `h` and a short prefix saying what it is (N: a type's or declaration's id, K: an index):
 *   types       hr_N_Name record, HL_N_Name locus state, hb_N bounded list, ht_N tuple,
 *               hfn_N function type, hen_N enum names
 *   descriptors htd_N type descriptor, htf_N its fields, hli_N locus type, hlf_N locus heap
 *               field offsets, hla_N accepted children, hhd_N hook table
 *   functions   hf_SEED_Name (a Hale function or method), hcopy_N deep copy, hfmt_N printing,
 *               heq_N equality, hless_N a sort's comparison, hcl_N closure checks,
 *               hld_N / hlb_N / hlr_N a std locus's dissolve / birth / run, hjw_N / hjr_N
 *               JSON writer / reader (emit_json.c), hit_N_I_K interface thunk and hvt_N_I its
 *               table (emit_iface.c)
 *   bus         hba_N / hbd_N / hbf_N attach / detach / flush, hbc_N_K handler body, hbw_N_K
 *               its wrapper, hdl_N / hdc_N direct-call list and counters
 *   state       hg_FIELD a guarded field's guard, hs_FIELD a capacity slot, hpl_pool placement
 *   locals      v<id>_<name> a Hale local; other h* names (hm, ho, hres, hdefer, hll<k>,
 *               hlp<k>, ...) are the function's own temporaries (em_tmp). */
#ifndef HALE_COMPILER_EMIT_H
#define HALE_COMPILER_EMIT_H

#include "check.h"

/* Writes the program's C to `out`. Returns 0, or -1 after reporting errors to the
 * diagnostics (constructs not supported yet, a missing `fn main`). */
int hc_emit_program(hc_program *P, hc_buf *out);

/* For the analyses: whether instances of locus `d` publish or subscribe (so a child of that type
 * lives to the end of its scope). */
int em_bus_publishes_or_subscribes(hc_decl *d);

#endif
