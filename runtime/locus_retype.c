/* `reperspective`: a running locus continues as another locus type with the same state layout
 * (see locus.h, hale_locus_retype). The bus subscriptions follow the code: the old type's are
 * withdrawn and the new type's registered on the same state. A message published before the
 * switch still belongs to the old code (Hale: a publish captures the handler current at that
 * moment), so the deliveries queued on this thread run first, then the switch happens; a message
 * published after it runs the new type's handler on the carried state. */
#include "bus.h"
#include "locus.h"

void hale_locus_retype(hale_locus *l, const hale_locus_type *to) {
    if (!l || l->type == to) {
        return;
    }
    hale_bus_settle_point();
    if (l->type->bus_detach) {
        l->type->bus_detach(l);
    }
    l->type = to;
    if (to->bus_attach) {
        to->bus_attach(l);
    }
}
