// The e1000 driver's protocol: raw Ethernet frames through an Intel 82540EM
// (servers/drivers/e1000/README.md). This header documents the server and is shared by the
// driver and its clients (client.h). The driver registers its module's name (e.g. "eth0").
//
// Frame data never travels in the IPC words. A client attaches once: the driver maps it an
// area of kAreaBytes (its own memory, a DMA block proc keeps for the module) at the client's
// receive window; send and receive then name an offset and a length in that area, and the
// driver copies between the area and its descriptor rings' buffers. The driver owns the memory,
// so no client can take a page away from under it; the mapping is revoked when the driver
// instance ends (the kernel unmaps what was derived from its space), so after a server_gone a
// client looks the name up again and attaches again before touching its area (same window,
// same contents: the block outlives the instance).
//
// Frames are whole Ethernet frames without the FCS: destination, source, type, payload;
// kMinFrame..kMaxFrame bytes. The device pads short frames to 60 bytes on the wire, and QEMU
// pads short received frames to 60.
//
// The driver is one thread serving its clients and its interrupt. Received frames wait in the
// receive ring (kRxDescriptors) until some attached client receives them (one queue for all
// clients, oldest first); when the ring is full the device drops what comes (StatisticsReply::
// rx_missed). A receive with kReceiveWait and nothing queued is deferred until a frame comes.
#pragma once

#include <stdint.h>

#include "interfaces/labels.h"
#include "lib/ipc/message.h"

namespace e1000 {

enum Label : uint32_t {
    kNetAttach = 0x0800,
    kNetDetach = 0x0801,
    kNetSend = 0x0802,
    kNetReceive = 0x0803,
    kNetStatistics = 0x0804,
};
static_assert(labels::all_in(AXO_LABELS_NIC_FIRST, AXO_LABELS_NIC_LAST,
                             {kNetAttach, kNetDetach, kNetSend, kNetReceive, kNetStatistics}));

constexpr uint32_t kAreaLog2 = 13; // 8 KiB per client
constexpr uint32_t kAreaBytes = 1u << kAreaLog2;
constexpr uint32_t kMaxClients = 8;
constexpr uint32_t kMinFrame = 14;   // an Ethernet header
constexpr uint32_t kMaxFrame = 1514; // header + 1500 bytes of payload, no FCS
constexpr uint32_t kRxDescriptors = 32;
constexpr uint32_t kTxDescriptors = 16;

// The caller gets its area: mapped read-write at its receive window, which it sets (BR0) to a
// memory fpage of kAreaLog2 before the call (client.h does). Reply: label 0, the reply's
// words, then one map item (axolotl ABI §10.2), like proc's device replies. Attaching again
// from the same thread maps the same area again (after a driver restart: the new instance's).
// Errors: no_space (kMaxClients threads attached).
struct AttachReply {
    uint8_t mac[6];
    uint16_t link_up; // 1: STATUS.LU
    uint32_t client;  // the area's number, 0..kMaxClients-1
};
struct AttachRequest {
    static constexpr uint32_t kLabel = kNetAttach;
    using Reply = AttachReply;
};
static_assert(ipc::wire_words<AttachRequest> == 0);
static_assert(ipc::wire_words<AttachReply> == 3);

// The caller's area is unmapped from it and free for another thread. Errors: not_found (not
// attached).
struct DetachRequest {
    static constexpr uint32_t kLabel = kNetDetach;
    using Reply = ipc::Empty;
};
static_assert(ipc::wire_words<DetachRequest> == 0);

// Sends the frame at [offset, offset + length) of the caller's area. The reply means the frame
// was copied into the transmit ring (the area may be reused at once), not that it left.
// Errors: not_found (not attached); invalid_argument (length outside kMinFrame..kMaxFrame, or
// the frame not inside the area); busy (the transmit ring is full: try again).
struct SendRequest {
    static constexpr uint32_t kLabel = kNetSend;
    using Reply = ipc::Empty;
    uint32_t offset, length;
};
static_assert(ipc::wire_words<SendRequest> == 2);

constexpr uint32_t kReceiveWait = 1u; // ReceiveRequest::options

// The oldest received frame, copied to [offset, offset + length) of the caller's area, where
// offset + kMaxFrame must lie inside it. Nothing queued: length 0 at once, or with
// kReceiveWait a deferred reply when a frame comes (bound the call with a timeout; any new
// request of the thread cancels its waiting receive).
// Errors: not_found (not attached); invalid_argument (offset, options).
struct ReceiveReply {
    uint32_t length;
};
struct ReceiveRequest {
    static constexpr uint32_t kLabel = kNetReceive;
    using Reply = ReceiveReply;
    uint32_t offset, options;
};
static_assert(ipc::wire_words<ReceiveRequest> == 2);
static_assert(ipc::wire_words<ReceiveReply> == 1);

// Counters since this instance started, and the device's state; anyone may ask. Never fails.
struct StatisticsReply {
    uint32_t rx_frames, rx_bytes; // received and handed to clients or queued
    uint32_t tx_frames, tx_bytes; // queued for transmission
    uint32_t tx_done;             // transmit descriptors the device reported done
    uint32_t interrupts;          // interrupt messages handled (each acknowledged)
    uint32_t rx_missed;           // frames the device dropped: ring full (MPC register)
    uint32_t rx_errors;           // frames with error bits or spanning descriptors (dropped)
    uint32_t tx_busy;             // sends refused because the transmit ring was full
    uint32_t link_up;             // STATUS.LU now
    uint32_t link_changes;        // LSC interrupts
    uint32_t irq;                 // the IRQ line
    uint32_t mmio;                // BAR0's physical address
    uint32_t restarts;            // proc's restart count before this instance
    uint32_t clients;             // attached
    uint32_t receivers_waiting;   // deferred receives
    uint32_t refusals_checked;    // grants the driver asked for outside its own and was
                                  // refused at its start (the `selfcheck` word): 2 expected
    uint8_t mac[6];
    uint16_t pad;
};
struct StatisticsRequest {
    static constexpr uint32_t kLabel = kNetStatistics;
    using Reply = StatisticsReply;
};
static_assert(ipc::wire_words<StatisticsRequest> == 0);
static_assert(ipc::wire_words<StatisticsReply> == 19);

} // namespace e1000
