/* mem.h -- hints for big buffers. */
#ifndef KAM_MEM_H
#define KAM_MEM_H

#include <stddef.h>

/* Asks the kernel to back [p, p + n) with huge pages where it can (transparent huge pages in
 * "madvise" mode, Debian's default): a buffer of hundreds of megabytes filled once (an import's
 * file, its chunks, its map of external ids) then takes a fault per 2 MiB instead of per 4 KiB.
 * Only whole 2 MiB pages inside the range are advised; a hint the kernel refuses changes
 * nothing. */
void mem_hint_huge(void *p, size_t n);

#endif
