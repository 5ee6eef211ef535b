/* The stream interface's labels and sizes for C callers (newlib's write(1)/read(0));
 * protocol.h, the C++ header, is built on them and pins the layouts. */
#ifndef AXO_INTERFACES_STREAM_WIRE_H
#define AXO_INTERFACES_STREAM_WIRE_H

#include "interfaces/labels.h"

enum axo_stream_label {
    AXO_STREAM_WRITE = AXO_LABELS_STREAM_FIRST + 0, /* count, bytes -> accepted */
    AXO_STREAM_READ = AXO_LABELS_STREAM_FIRST + 1,  /* max, options -> count, bytes */
    AXO_STREAM_FLUSH = AXO_LABELS_STREAM_FIRST + 2, /* -> nothing, once every byte has left */
};

#define AXO_STREAM_CHUNK_BYTES 240u                               /* bytes per request or reply */
#define AXO_STREAM_CHUNK_WORDS (1u + AXO_STREAM_CHUNK_BYTES / 4u) /* count + bytes */
#define AXO_STREAM_READ_WAIT 1u                                   /* read option: wait for a byte */

#endif /* AXO_INTERFACES_STREAM_WIRE_H */
