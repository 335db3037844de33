/* embed.h -- files compiled into the binary (migrations, web assets) by tools/embed.c. */
#ifndef KAM_EMBED_H
#define KAM_EMBED_H

#include <stddef.h>

struct embed_file {
    const char *name;          /* path relative to the embedded folder, e.g. "0001_core.sql" */
    const unsigned char *data; /* len bytes followed by a NUL */
    size_t len;
};

#endif
