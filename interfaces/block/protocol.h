// The ATA driver's protocol: a disk on the primary IDE channel as an array of 512-byte
// sectors (servers/drivers/ata/README.md). This header is the documentation of the server and
// is shared by the driver and its clients (client.h). Requests are IPC calls in the shape of
// lib/ipc; the driver registers its module's name with proc's name service (e.g. "ata").
//
// Data does not travel in messages and is not copied through the kernel: it moves through a
// buffer the driver shares with each client by a map item.
//
//   1. kAtaBuffer: the client sets its receive window (BR0) to a kBufferBytes fpage and asks;
//      the reply carries a map item of the client's buffer — kBufferBytes of the driver's DMA
//      block — which lands in that window (lib/ipc: call_receiving_map). The driver keeps its
//      own mapping; the client's is derived from it.
//   2. kAtaRead / kAtaWrite name a sector range of the disk and a byte offset in the buffer;
//      the driver moves the sectors between the device and the buffer (PIO now; the buffer is
//      physically contiguous DMA memory, so bus-master DMA could go straight to it).
//
// Why the driver's memory and not the client's: the driver never touches memory a client
// controls. A client that unmapped pages it had shared would make the driver fault in the
// middle of a transfer — one bad client would end the driver for everyone. The other way
// round a client can only lose its view of the buffer: when the driver dies its mappings are
// revoked, and so are the clients' (they were derived from them). So a client should put its
// window over memory of its own (a static array): after the driver's death its pager gives it
// its own page back there instead of a fault. After server_gone a client looks the name up
// again and asks for a buffer again; contents of the old one are gone.
//
// Who may: the driver's boot line may give the disk to one module (`client=fs`, proc's word,
// docs/boot-configuration.md); then the driver asks proc (kProcDeviceClient) and any other
// process gets no_permission for kAtaBuffer, and for kAtaRead / kAtaWrite without a buffer —
// it never reaches a sector. kAtaInfo and kAtaStatistics are anyone's.
//
// Buffers belong to the thread that asked (the sender id the kernel reports). The driver has
// kMaxBuffers of them; asking again from the same thread maps the same buffer again (contents
// kept), kAtaRelease gives it back (the client's mapping is revoked). When all are taken, a
// new client gets the least recently used one: its previous owner's mapping is revoked and its
// next request gets not_found (set up again). A buffer is zeroed when it changes owner.
//
// The driver is one thread; requests are served one at a time, each to its end (no request
// waits in the driver for another): bound every call with a timeout anyway. Every wait for
// the device is bounded (kDeviceTimeoutMs per interrupt): a device that does not answer gives
// io_error, and the channel is reset for the next request.
#pragma once

#include <stdint.h>

#include "interfaces/labels.h"
#include "lib/ipc/message.h"

namespace ata {

enum Label : uint32_t {
    kAtaBuffer = AXO_LABELS_BLOCK_FIRST + 0,
    kAtaRelease = AXO_LABELS_BLOCK_FIRST + 1,
    kAtaRead = AXO_LABELS_BLOCK_FIRST + 2,
    kAtaWrite = AXO_LABELS_BLOCK_FIRST + 3,
    kAtaFlush = AXO_LABELS_BLOCK_FIRST + 4,
    kAtaInfo = AXO_LABELS_BLOCK_FIRST + 5,
    kAtaStatistics = AXO_LABELS_BLOCK_FIRST + 6,
};
static_assert(labels::all_in(AXO_LABELS_BLOCK_FIRST, AXO_LABELS_BLOCK_LAST,
                             {kAtaBuffer, kAtaRelease, kAtaRead, kAtaWrite, kAtaFlush, kAtaInfo,
                              kAtaStatistics}));

constexpr uint32_t kSectorBytes = 512;
constexpr uint32_t kBufferLog2 = 16; // 64 KiB per client
constexpr uint32_t kBufferBytes = 1u << kBufferLog2;
constexpr uint32_t kBufferSectors = kBufferBytes / kSectorBytes; // 128: at most per request
constexpr uint32_t kMaxBuffers = 16;                             // one 1 MiB DMA block
constexpr uint32_t kDeviceTimeoutMs = 5000;

// The caller's buffer, mapped read-write into its receive window (BR0 must be an fpage of
// kBufferLog2 at an address aligned to it; anything else gets no mapping — the client checks
// with a read of its own). Reply: label 0, the words of BufferReply, one map item.
// Errors: no_permission (the disk was given to another module: client=); no_memory (the driver
// has no DMA memory).
struct BufferReply {
    uint32_t bytes;       // kBufferBytes
    uint32_t slot;        // which of the driver's buffers (diagnostics)
    uint32_t sectors_low; // the disk's capacity in sectors
    uint32_t sectors_high;
};
struct BufferRequest {
    static constexpr uint32_t kLabel = kAtaBuffer;
    using Reply = BufferReply;
};
static_assert(ipc::wire_words<BufferRequest> == 0);
static_assert(ipc::wire_words<BufferReply> == 4);

// Gives the caller's buffer back; its mapping in the caller is revoked.
// Errors: not_found (the caller has none).
struct ReleaseRequest {
    static constexpr uint32_t kLabel = kAtaRelease;
    using Reply = ipc::Empty;
};
static_assert(ipc::wire_words<ReleaseRequest> == 0);

// kAtaRead: sectors [lba, lba + count) of the disk into the caller's buffer at byte `offset`.
// kAtaWrite: from the buffer at `offset` to sectors [lba, lba + count) (in the device's cache:
// kAtaFlush makes them durable).
// Errors: no_permission (the caller has no buffer and may not have one: client=); not_found
// (the caller has no buffer: kAtaBuffer first, or again after it was taken back); invalid_argument
// (count 0 or above kBufferSectors; offset not a multiple of kSectorBytes, or offset + count *
// kSectorBytes beyond the buffer; lba + count beyond the disk's capacity — nothing is transferred);
// io_error (the device reported an error or did not answer in time: the part transferred is
// undefined).
struct TransferRequest {
    uint32_t lba_low;
    uint32_t lba_high;
    uint32_t count;  // sectors
    uint32_t offset; // bytes into the buffer
};
struct ReadRequest : TransferRequest {
    static constexpr uint32_t kLabel = kAtaRead;
    using Reply = ipc::Empty;
};
struct WriteRequest : TransferRequest {
    static constexpr uint32_t kLabel = kAtaWrite;
    using Reply = ipc::Empty;
};
static_assert(ipc::wire_words<ReadRequest> == 4);
static_assert(ipc::wire_words<WriteRequest> == 4);

// Answers when everything written before it is on the medium (FLUSH CACHE).
// Errors: io_error.
struct FlushRequest {
    static constexpr uint32_t kLabel = kAtaFlush;
    using Reply = ipc::Empty;
};
static_assert(ipc::wire_words<FlushRequest> == 0);

// The disk as IDENTIFY DEVICE reported it when this instance started. Anyone may ask; no
// buffer needed. Never fails.
constexpr uint32_t kFeatureLba48 = 1u;      // 48-bit LBA (EXT commands) supported
constexpr uint32_t kFeatureFlushCache = 2u; // FLUSH CACHE supported
struct InfoReply {
    uint32_t sectors_low; // capacity in sectors
    uint32_t sectors_high;
    uint32_t sector_bytes; // kSectorBytes
    uint32_t features;     // kFeature* bits
    char model[40];        // IDENTIFY words 27..46, trailing spaces cut, NUL-padded
};
struct InfoRequest {
    static constexpr uint32_t kLabel = kAtaInfo;
    using Reply = InfoReply;
};
static_assert(ipc::wire_words<InfoRequest> == 0);
static_assert(ipc::wire_words<InfoReply> == 14);

// Counters since this instance started; anyone may ask. Never fails.
struct StatisticsReply {
    uint32_t interrupts;          // interrupt messages from the IRQ line (each acknowledged)
    uint32_t spurious_interrupts; // of those, ones that came while no command was running
    uint32_t reads;               // requests served
    uint32_t writes;
    uint32_t flushes;
    uint32_t sectors_read;
    uint32_t sectors_written;
    uint32_t refused;   // requests refused before touching the device (validation)
    uint32_t io_errors; // device errors and timeouts
    uint32_t timeouts;  // of those, waits that expired
    uint32_t buffers;   // buffers with an owner now
    uint32_t port;      // the command block's base port
    uint32_t irq;
    uint32_t restarts;      // proc's count of restarts of this driver before this instance
    uint32_t block_sectors; // sectors per interrupt: READ/WRITE MULTIPLE's block, or 1
};
struct StatisticsRequest {
    static constexpr uint32_t kLabel = kAtaStatistics;
    using Reply = StatisticsReply;
};
static_assert(ipc::wire_words<StatisticsRequest> == 0);
static_assert(ipc::wire_words<StatisticsReply> == 15);

} // namespace ata
