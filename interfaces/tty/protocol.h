// The tty interface (README.md): a terminal's settings, its foreground process group and its
// window size. A terminal also serves the stream interface (interfaces/stream/protocol.h) for
// its bytes; README.md says what a terminal does with them (the line discipline, job control).
// Served by servers/tty (registered as "console"); called by libposix (libposix/terminal.cc).
#pragma once

#include <stdint.h>

#include "interfaces/labels.h"
#include "interfaces/stream/protocol.h"
#include "lib/ipc/message.h"

namespace tty {

enum Label : uint32_t {
    kTtyGetAttributes = AXO_LABELS_TTY_FIRST + 0,   // tcgetattr
    kTtySetAttributes = AXO_LABELS_TTY_FIRST + 1,   // tcsetattr
    kTtyGetForeground = AXO_LABELS_TTY_FIRST + 2,   // tcgetpgrp
    kTtySetForeground = AXO_LABELS_TTY_FIRST + 3,   // tcsetpgrp
    kTtyGetWindowSize = AXO_LABELS_TTY_FIRST + 4,   // TIOCGWINSZ
    kTtySetWindowSize = AXO_LABELS_TTY_FIRST + 5,   // TIOCSWINSZ
    kTtyFlush = AXO_LABELS_TTY_FIRST + 6,           // tcflush
    kTtyGetSession = AXO_LABELS_TTY_FIRST + 7,      // tcgetsid
    kTtyWriteBackground = AXO_LABELS_TTY_FIRST + 8, // write of a caller exempt from SIGTTOU
    kTtyInput = AXO_LABELS_TTY_FIRST + 9,           // the server's own input thread only
    kTtyPoll = AXO_LABELS_TTY_FIRST + 0x10,         // select/poll on the terminal
};
static_assert(labels::all_in(AXO_LABELS_TTY_FIRST, AXO_LABELS_TTY_LAST,
                             {kTtyGetAttributes, kTtySetAttributes, kTtyGetForeground,
                              kTtySetForeground, kTtyGetWindowSize, kTtySetWindowSize, kTtyFlush,
                              kTtyGetSession, kTtyWriteBackground, kTtyInput, kTtyPoll}));

// ---- termios, as on the wire ------------------------------------------------------------------
// The bit values and control-character indices are Linux's, so that a program's expectations
// (and libposix's <termios.h>, which spells the same numbers) hold; libposix static_asserts
// that they agree.
constexpr uint32_t kControlChars = 20; // NCCS

namespace iflag {
constexpr uint32_t kIgnoreBreak = 0000001;    // IGNBRK
constexpr uint32_t kBreakInterrupt = 0000002; // BRKINT
constexpr uint32_t kStrip = 0000040;          // ISTRIP
constexpr uint32_t kNlToCr = 0000100;         // INLCR
constexpr uint32_t kIgnoreCr = 0000200;       // IGNCR
constexpr uint32_t kCrToNl = 0000400;         // ICRNL
constexpr uint32_t kFlowOutput = 0002000;     // IXON (accepted, no effect)
constexpr uint32_t kFlowInput = 0010000;      // IXOFF (accepted, no effect)
} // namespace iflag
namespace oflag {
constexpr uint32_t kPostProcess = 0000001; // OPOST
constexpr uint32_t kNlToCrNl = 0000004;    // ONLCR
constexpr uint32_t kCrToNl = 0000010;      // OCRNL
} // namespace oflag
namespace cflag {
constexpr uint32_t kSize8 = 0000060; // CS8
constexpr uint32_t kRead = 0000200;  // CREAD
constexpr uint32_t kLocal = 0004000; // CLOCAL
} // namespace cflag
namespace lflag {
constexpr uint32_t kSignals = 0000001;       // ISIG
constexpr uint32_t kCanonical = 0000002;     // ICANON
constexpr uint32_t kEcho = 0000010;          // ECHO
constexpr uint32_t kEchoErase = 0000020;     // ECHOE
constexpr uint32_t kEchoKill = 0000040;      // ECHOK
constexpr uint32_t kEchoNl = 0000100;        // ECHONL
constexpr uint32_t kNoFlush = 0000200;       // NOFLSH
constexpr uint32_t kStopOutput = 0000400;    // TOSTOP
constexpr uint32_t kEchoControl = 0001000;   // ECHOCTL
constexpr uint32_t kEchoKillErase = 0004000; // ECHOKE
constexpr uint32_t kExtensions = 0100000;    // IEXTEN
} // namespace lflag
namespace cc {
constexpr uint32_t kInterrupt = 0;  // VINTR
constexpr uint32_t kQuit = 1;       // VQUIT
constexpr uint32_t kErase = 2;      // VERASE
constexpr uint32_t kKill = 3;       // VKILL
constexpr uint32_t kEof = 4;        // VEOF
constexpr uint32_t kTime = 5;       // VTIME
constexpr uint32_t kMin = 6;        // VMIN
constexpr uint32_t kStart = 8;      // VSTART
constexpr uint32_t kStop = 9;       // VSTOP
constexpr uint32_t kSuspend = 10;   // VSUSP
constexpr uint32_t kEol = 11;       // VEOL
constexpr uint32_t kReprint = 12;   // VREPRINT
constexpr uint32_t kWordErase = 14; // VWERASE
constexpr uint32_t kLiteral = 15;   // VLNEXT
constexpr uint32_t kEol2 = 16;      // VEOL2
} // namespace cc
constexpr uint8_t kDisabled = 0; // _POSIX_VDISABLE: a control character set to it never matches

struct Termios {
    uint32_t iflag, oflag, cflag, lflag;
    uint8_t cc[kControlChars];
    uint32_t ispeed, ospeed; // a B* constant; kept and reported, the line's rate is the driver's
};
static_assert(sizeof(Termios) == 44 && ipc::wire_words<Termios> == 11);

// What a terminal starts with (Linux's `stty sane`), 115200 baud.
constexpr uint32_t kSpeed115200 = 0010002; // B115200
constexpr Termios default_termios() {
    Termios t{};
    t.iflag = iflag::kCrToNl | iflag::kFlowOutput;
    t.oflag = oflag::kPostProcess | oflag::kNlToCrNl;
    t.cflag = cflag::kSize8 | cflag::kRead | cflag::kLocal;
    t.lflag = lflag::kSignals | lflag::kCanonical | lflag::kEcho | lflag::kEchoErase |
              lflag::kEchoKill | lflag::kEchoControl | lflag::kEchoKillErase | lflag::kExtensions;
    t.cc[cc::kInterrupt] = 0x03; // ^C
    t.cc[cc::kQuit] = 0x1c;      // ^\ (backslash)
    t.cc[cc::kErase] = 0x7f;     // DEL
    t.cc[cc::kKill] = 0x15;      // ^U
    t.cc[cc::kEof] = 0x04;       // ^D
    t.cc[cc::kTime] = 0;
    t.cc[cc::kMin] = 1;
    t.cc[cc::kStart] = 0x11;     // ^Q
    t.cc[cc::kStop] = 0x13;      // ^S
    t.cc[cc::kSuspend] = 0x1a;   // ^Z
    t.cc[cc::kReprint] = 0x12;   // ^R
    t.cc[cc::kWordErase] = 0x17; // ^W
    t.cc[cc::kLiteral] = 0x16;   // ^V
    t.ispeed = t.ospeed = kSpeed115200;
    return t;
}

// ---- Operations -------------------------------------------------------------------------------
// Job control (README.md): a caller in the terminal's controlling session but not in its
// foreground process group is in the background. Such a caller's stream read, its stream write
// while TOSTOP is set, and its kTtySetAttributes / kTtySetForeground are refused with
// access_denied, and the caller decides (libposix): EIO, or SIGTTIN/SIGTTOU to its own group and
// the request again after it was continued — or, if it ignores or blocks SIGTTOU, the request
// again with `background_allowed` (kTtyWriteBackground for a write).

struct GetAttributesRequest {
    static constexpr uint32_t kLabel = kTtyGetAttributes;
    using Reply = Termios;
};
static_assert(ipc::wire_words<GetAttributesRequest> == 0);

enum When : uint32_t { kNow = 0, kDrain = 1, kFlushInput = 2 }; // TCSANOW, TCSADRAIN, TCSAFLUSH
// Errors: invalid_argument (unknown `when`); access_denied (background, not allowed).
struct SetAttributesRequest {
    static constexpr uint32_t kLabel = kTtySetAttributes;
    using Reply = ipc::Empty;
    uint32_t when;
    uint32_t background_allowed;
    Termios termios;
};
static_assert(ipc::wire_words<SetAttributesRequest> == 13);

// The foreground process group; 0 when none was set (then nobody is in the background).
struct ProcessGroupReply {
    uint32_t pgid;
};
struct GetForegroundRequest {
    static constexpr uint32_t kLabel = kTtyGetForeground;
    using Reply = ProcessGroupReply;
};

// The terminal's foreground group becomes `pgid`, which must be a group of the caller's
// session; the first caller makes its session the terminal's controlling session.
// Errors: invalid_argument (pgid 0 or above INT_MAX); not_found (no caller process);
// no_permission (pgid is no group of the caller's session: EPERM); not_terminal (the caller
// is in another session than the controlling one: ENOTTY); access_denied (background).
struct SetForegroundRequest {
    static constexpr uint32_t kLabel = kTtySetForeground;
    using Reply = ipc::Empty;
    uint32_t pgid;
    uint32_t background_allowed;
};

struct WindowSize {
    uint16_t rows, columns, xpixels, ypixels;
};
static_assert(ipc::wire_words<WindowSize> == 2);
struct GetWindowSizeRequest {
    static constexpr uint32_t kLabel = kTtyGetWindowSize;
    using Reply = WindowSize;
};
// A change sends SIGWINCH to the foreground group.
struct SetWindowSizeRequest {
    static constexpr uint32_t kLabel = kTtySetWindowSize;
    using Reply = ipc::Empty;
    WindowSize size;
};

enum Queues : uint32_t { kInput = 0, kOutput = 1, kBoth = 2 }; // TCIFLUSH, TCOFLUSH, TCIOFLUSH
// Discards typed input not yet read (the output queue is the driver's: nothing to discard here).
// Errors: invalid_argument (unknown queue).
struct FlushRequest {
    static constexpr uint32_t kLabel = kTtyFlush;
    using Reply = ipc::Empty;
    uint32_t queues;
};

// The controlling session's id. Errors: not_found (none yet: ENOTTY).
struct SessionReply {
    uint32_t sid;
};
struct GetSessionRequest {
    static constexpr uint32_t kLabel = kTtyGetSession;
    using Reply = SessionReply;
};

// A stream write (stream::WriteRequest) from a caller that ignores or blocks SIGTTOU: TOSTOP
// does not hold it back.
struct WriteBackgroundRequest {
    static constexpr uint32_t kLabel = kTtyWriteBackground;
    using Reply = stream::WriteReply;
    uint32_t count;
    uint8_t bytes[stream::kChunkBytes];
};
static_assert(ipc::wire_words<WriteBackgroundRequest> == AXO_STREAM_CHUNK_WORDS);

// select/poll (README.md "Readiness"): the terminal's events for `events` (poll's bits, Linux's
// values: POLLIN 0x1 when a read would return now — a complete line or an end of file in
// canonical mode, VMIN bytes (at least one) otherwise —, POLLOUT 0x4 always). When none is
// there and `flags` has kPollWait, the server notifies the calling thread with bit `bit` (0..31)
// once input may be readable: the caller must have granted the server that bit
// (notify_control) and asks again then. A request without kPollWait ends that registration.
// Errors: invalid_argument (bit above 31, unknown flags); no_space (registrations used up).
constexpr uint32_t kPollWait = 1;
constexpr uint32_t kPollIn = 0x001;
constexpr uint32_t kPollOut = 0x004;
struct PollReply {
    uint32_t revents;
};
struct PollRequest {
    static constexpr uint32_t kLabel = kTtyPoll;
    using Reply = PollReply;
    uint32_t events;
    uint32_t bit;
    uint32_t flags; // kPollWait or 0
};
static_assert(ipc::wire_words<PollRequest> == 3);
static_assert(ipc::wire_words<PollReply> == 1);

// Received bytes, from the server's own input thread (any other sender: no_permission).
struct InputRequest {
    static constexpr uint32_t kLabel = kTtyInput;
    using Reply = ipc::Empty;
    uint32_t count;
    uint8_t bytes[stream::kChunkBytes];
};

} // namespace tty
