// The VGA console driver's protocol (servers/drivers/console/README.md): the VGA text screen
// (80x25 at 0xB8000) as output and the PS/2 keyboard as input, one character stream. This
// header is the documentation of the server and is shared by the driver and its clients
// (client.h). The driver registers its module's name with proc's name service (the tests use
// "vga"), and "console" too when its line says `console` — the name newlib's write(1)/read(0)
// look up (libposix) — so the same module is a second console a person sees in the QEMU
// window, or the system console.
//
// It serves the stream interface (interfaces/stream/protocol.h: kStreamWrite, kStreamRead,
// kStreamFlush), like the serial driver, so a client of "console" need not know which driver
// it has. Their meaning here:
//
//   write   the bytes go on the screen at once; always accepted whole (the screen never
//           waits). Control bytes: '\n' new line (column 0), '\r' column 0, '\b' one column
//           back (not past column 0), '\t' to the next multiple of 8, '\f' clears the screen
//           and homes the cursor, ESC starts a VT100/ANSI escape sequence (the driver's
//           README.md lists them: cursor motion, erasing, scrolling, SGR attributes, the
//           cursor position report, whose answer comes back as typed input); other C0 controls
//           and DEL show nothing; every other byte is a character of code page 437, written
//           with the current attribute (grey on black at first). At the bottom the screen
//           scrolls up one line. The hardware cursor (CRTC registers 0x0E/0x0F) follows.
//   read    typed characters, oldest first; with kReadWait the reply waits for a key (bound
//           it with the call's timeout). Bytes leave the keyboard buffer only when a reply
//           got through. Up to kMaxWaiting readers wait; any new request of a thread cancels its
//           read.
//   flush   answered at once (nothing is buffered on the way out).
//
// Keys (scancode set 1, which the PS/2 controller's translation delivers, US layout):
// letters, digits and punctuation with shift; caps lock toggles upper case of letters (shift
// inverts it again) and its LED; ctrl with a letter gives its control code (ctrl-c = 0x03),
// ctrl with [ \ ] ^ _ gives 0x1b..0x1f, ctrl-space 0x00; enter '\n'; backspace 0x08; tab;
// escape 0x1b; the keypad gives its characters whatever num lock says; arrows and the
// navigation block (0xE0-prefixed) give ANSI sequences: up ESC [ A, down ESC [ B, right
// ESC [ C, left ESC [ D, home ESC [ H, end ESC [ F, insert ESC [ 2 ~, delete ESC [ 3 ~,
// page up ESC [ 5 ~, page down ESC [ 6 ~; keypad enter '\n', keypad / '/'. Alt, the function
// keys, num/scroll lock, the Windows keys and pause give nothing. Releases give nothing (they
// end shift/ctrl). A full keyboard buffer drops new characters (counted).
//
// Restart: a restarted instance reads the cursor position back from the CRTC and keeps what
// the screen shows; keys typed while no instance ran are lost (the controller holds one).
#pragma once

#include <stdint.h>

#include "interfaces/labels.h"
#include "interfaces/stream/protocol.h"
#include "lib/ipc/message.h"

namespace console {

// The character stream (see above).
using stream::FlushRequest;
using stream::kChunkBytes;
using stream::kMaxWaiting;
using stream::kReadWait;
using stream::ReadReply;
using stream::ReadRequest;
using stream::WriteReply;
using stream::WriteRequest;

enum Label : uint32_t {
    kConsoleStatistics = AXO_LABELS_CONSOLE_FIRST + 0,
};
static_assert(labels::all_in(AXO_LABELS_CONSOLE_FIRST, AXO_LABELS_CONSOLE_LAST,
                             {kConsoleStatistics}));

constexpr uint32_t kColumns = 80;
constexpr uint32_t kRows = 25;

// StatisticsReply::modifiers
constexpr uint32_t kModShift = 1u, kModCtrl = 2u, kModAlt = 4u, kModCapsLock = 8u;

// Counters since this instance started, and where the screen is; anyone may ask. Never fails.
struct StatisticsReply {
    uint32_t interrupts;      // IRQ 1 messages handled (each acknowledged)
    uint32_t scancodes;       // bytes read from the keyboard (presses, releases, prefixes)
    uint32_t presses;         // key presses decoded (modifiers included)
    uint32_t characters;      // bytes put into the keyboard buffer
    uint32_t dropped;         // characters lost because the keyboard buffer was full
    uint32_t replies;         // keyboard answers consumed (0xFA acknowledge, 0xFE resend, ...)
    uint32_t written;         // bytes written to the screen
    uint32_t scrolls;         // times the screen scrolled up
    uint32_t buffered;        // characters waiting to be read
    uint32_t readers_waiting; // deferred reads
    uint32_t row, column;     // the cursor
    uint32_t modifiers;       // kMod* held (caps lock: on)
    uint32_t irq;             // the keyboard's IRQ line (1)
    uint32_t restarts;        // proc's count of restarts of this driver before this instance
    uint32_t start_row, start_column; // the cursor this instance found in the CRTC
};
struct StatisticsRequest {
    static constexpr uint32_t kLabel = kConsoleStatistics;
    using Reply = StatisticsReply;
};
static_assert(ipc::wire_words<StatisticsRequest> == 0);
static_assert(ipc::wire_words<StatisticsReply> == 17);

} // namespace console
