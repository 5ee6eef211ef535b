// The terminal calls (termios, job control, window size) as RPC to the console's server: the
// tty server (interfaces/tty) when it is the console. Over a plain stream server (the serial
// driver registered as "console" without a tty) every one of them says ENOTTY, and isatty
// still says yes (syscalls.cc): a stream is a terminal without settings.
//
// Job control (interfaces/tty/README.md): the tty refuses a request of a background process
// group with access_denied, and the caller acts as POSIX says — `background` below.
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/types.h>
#include <termios.h>
#include <unistd.h>

#include "interfaces/tty/protocol.h"
#include "libposix/file_modes.h"
#include "libposix/posix.h"

namespace {

// The header's values are the tty interface's (both Linux's).
static_assert(NCCS == tty::kControlChars);
static_assert(sizeof(struct termios) == sizeof(tty::Termios));
static_assert(offsetof(struct termios, c_cc) == offsetof(tty::Termios, cc));
static_assert(offsetof(struct termios, c_ispeed) == offsetof(tty::Termios, ispeed));
static_assert(ICRNL == tty::iflag::kCrToNl && INLCR == tty::iflag::kNlToCr &&
              IGNCR == tty::iflag::kIgnoreCr && ISTRIP == tty::iflag::kStrip &&
              IXON == tty::iflag::kFlowOutput);
static_assert(OPOST == tty::oflag::kPostProcess && ONLCR == tty::oflag::kNlToCrNl &&
              OCRNL == tty::oflag::kCrToNl);
static_assert(ISIG == tty::lflag::kSignals && ICANON == tty::lflag::kCanonical &&
              ECHO == tty::lflag::kEcho && ECHOE == tty::lflag::kEchoErase &&
              ECHOK == tty::lflag::kEchoKill && ECHONL == tty::lflag::kEchoNl &&
              NOFLSH == tty::lflag::kNoFlush && TOSTOP == tty::lflag::kStopOutput &&
              ECHOCTL == tty::lflag::kEchoControl && ECHOKE == tty::lflag::kEchoKillErase &&
              IEXTEN == tty::lflag::kExtensions);
static_assert(VINTR == tty::cc::kInterrupt && VQUIT == tty::cc::kQuit &&
              VERASE == tty::cc::kErase && VKILL == tty::cc::kKill && VEOF == tty::cc::kEof &&
              VTIME == tty::cc::kTime && VMIN == tty::cc::kMin && VSUSP == tty::cc::kSuspend &&
              VEOL == tty::cc::kEol && VWERASE == tty::cc::kWordErase &&
              VLNEXT == tty::cc::kLiteral && VREPRINT == tty::cc::kReprint);
static_assert(TCSANOW == tty::kNow && TCSADRAIN == tty::kDrain && TCSAFLUSH == tty::kFlushInput);
static_assert(TCIFLUSH == tty::kInput && TCOFLUSH == tty::kOutput && TCIOFLUSH == tty::kBoth);
static_assert(B115200 == tty::kSpeed115200);

// The console server of `fd`, or nil with errno set (EBADF, ENOTTY).
axo_thread_id_t terminal_of(int fd) {
    const posix::Descriptor* entry = posix::descriptors().get(fd);
    if (entry == nullptr) {
        errno = EBADF;
        return AXO_NIL_THREAD;
    }
    axo_thread_id_t server = entry->kind == posix::DescriptorKind::console
                                 ? posix::console_thread(entry->handle)
                                 : AXO_NIL_THREAD;
    if (server == AXO_NIL_THREAD) errno = ENOTTY;
    return server;
}

// A server that does not speak the tty interface is no terminal with settings.
int fail(ipc::Error error) {
    if (error == ipc::Error::wrong_interface || error == ipc::Error::bad_operation)
        return posix::fail_errno(ENOTTY);
    return posix::fail(error);
}

template <ipc::Request Req>
int terminal_call(int fd, const Req& request, typename Req::Reply& reply) {
    axo_thread_id_t server = terminal_of(fd);
    if (server == AXO_NIL_THREAD) return -1;
    ipc::Error error = posix::interruptible_call(server, request, reply);
    return error == ipc::Error::ok ? 0 : fail(error);
}

// A request that changes the terminal (tcsetattr, tcsetpgrp): from the background it sends
// SIGTTOU to the caller's group, unless the caller ignores or blocks it — then it is allowed.
template <class Req> int change_terminal(int fd, Req request) {
    axo_thread_id_t server = terminal_of(fd);
    if (server == AXO_NIL_THREAD) return -1;
    for (;;) {
        ipc::Empty reply;
        ipc::Error error = posix::interruptible_call(server, request, reply);
        if (error != ipc::Error::access_denied) return error == ipc::Error::ok ? 0 : fail(error);
        switch (posix::background(SIGTTOU)) {
        case posix::Background::retry:
            continue;
        case posix::Background::exempt:
            request.background_allowed = 1;
            continue;
        case posix::Background::interrupted:
            return posix::fail_errno(EINTR);
        }
    }
}

} // namespace

namespace posix {

Background background(int signal) {
    struct sigaction action {};
    sigset_t blocked;
    (void)sigaction(signal, nullptr, &action);
    (void)sigprocmask(SIG_BLOCK, nullptr, &blocked);
    if (action.sa_handler == SIG_IGN || sigismember(&blocked, signal)) return Background::exempt;
    (void)kill(0, signal); // the default action stops the group; this returns once continued
    return action.sa_handler == SIG_DFL ? Background::retry : Background::interrupted;
}

} // namespace posix

extern "C" {

int tcgetattr(int fd, struct termios* termios) {
    tty::Termios reply{};
    if (terminal_call(fd, tty::GetAttributesRequest{}, reply) != 0) return -1;
    memcpy(termios, &reply, sizeof reply);
    return 0;
}

int tcsetattr(int fd, int when, const struct termios* termios) {
    if (when < TCSANOW || when > TCSAFLUSH) return posix::fail_errno(EINVAL);
    tty::SetAttributesRequest request{static_cast<uint32_t>(when), 0, {}};
    memcpy(&request.termios, termios, sizeof request.termios);
    return change_terminal(fd, request);
}

int tcdrain(int fd) {
    ipc::Empty reply;
    return terminal_call(fd, stream::FlushRequest{}, reply);
}

int tcflush(int fd, int queues) {
    if (queues < TCIFLUSH || queues > TCIOFLUSH) return posix::fail_errno(EINVAL);
    ipc::Empty reply;
    return terminal_call(fd, tty::FlushRequest{static_cast<uint32_t>(queues)}, reply);
}

// No flow control and no break on this line: accepted, nothing happens.
int tcflow(int fd, int action) {
    if (terminal_of(fd) == AXO_NIL_THREAD) return -1;
    return action >= TCOOFF && action <= TCION ? 0 : posix::fail_errno(EINVAL);
}
int tcsendbreak(int fd, int) {
    return terminal_of(fd) == AXO_NIL_THREAD ? -1 : 0;
}

pid_t tcgetpgrp(int fd) {
    tty::ProcessGroupReply reply{};
    if (terminal_call(fd, tty::GetForegroundRequest{}, reply) != 0) return -1;
    // No foreground group yet: POSIX wants a value no group has.
    return reply.pgid != 0 ? static_cast<pid_t>(reply.pgid) : static_cast<pid_t>(0x7fffffff);
}

int tcsetpgrp(int fd, pid_t pgid) {
    if (pgid <= 0) return posix::fail_errno(EINVAL);
    return change_terminal(fd, tty::SetForegroundRequest{static_cast<uint32_t>(pgid), 0});
}

pid_t tcgetsid(int fd) {
    tty::SessionReply reply{};
    axo_thread_id_t server = terminal_of(fd);
    if (server == AXO_NIL_THREAD) return -1;
    ipc::Error error = posix::interruptible_call(server, tty::GetSessionRequest{}, reply);
    if (error == ipc::Error::not_found) return posix::fail_errno(ENOTTY);
    if (error != ipc::Error::ok) return fail(error);
    return static_cast<pid_t>(reply.sid);
}

void cfmakeraw(struct termios* t) {
    t->c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    t->c_oflag &= ~OPOST;
    t->c_lflag &= ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    t->c_cflag &= ~(CSIZE | PARENB);
    t->c_cflag |= CS8;
    t->c_cc[VMIN] = 1;
    t->c_cc[VTIME] = 0;
}

speed_t cfgetispeed(const struct termios* t) {
    return t->c_ispeed;
}
speed_t cfgetospeed(const struct termios* t) {
    return t->c_ospeed;
}
static bool valid_speed(speed_t speed) {
    return speed <= B38400 || (speed >= B57600 && speed <= B4000000);
}
int cfsetispeed(struct termios* t, speed_t speed) {
    if (!valid_speed(speed)) return posix::fail_errno(EINVAL);
    t->c_ispeed = speed;
    return 0;
}
int cfsetospeed(struct termios* t, speed_t speed) {
    if (!valid_speed(speed)) return posix::fail_errno(EINVAL);
    t->c_ospeed = speed;
    return 0;
}
int cfsetspeed(struct termios* t, speed_t speed) {
    if (!valid_speed(speed)) return posix::fail_errno(EINVAL);
    t->c_ispeed = t->c_ospeed = speed;
    return 0;
}

int ioctl(int fd, unsigned long request, ...) {
    va_list args;
    va_start(args, request);
    void* argument = va_arg(args, void*);
    va_end(args);
    switch (request) {
    case TCGETS:
        return tcgetattr(fd, static_cast<struct termios*>(argument));
    case TCSETS:
    case TCSETSW:
    case TCSETSF:
        return tcsetattr(fd, static_cast<int>(request - TCSETS),
                         static_cast<const struct termios*>(argument));
    case TIOCGPGRP: {
        pid_t group = tcgetpgrp(fd);
        if (group == -1) return -1;
        *static_cast<pid_t*>(argument) = group;
        return 0;
    }
    case TIOCSPGRP:
        return tcsetpgrp(fd, *static_cast<const pid_t*>(argument));
    case TIOCGSID: {
        pid_t sid = tcgetsid(fd);
        if (sid == -1) return -1;
        *static_cast<pid_t*>(argument) = sid;
        return 0;
    }
    case TIOCGWINSZ: {
        tty::WindowSize size{};
        if (terminal_call(fd, tty::GetWindowSizeRequest{}, size) != 0) return -1;
        struct winsize* out = static_cast<struct winsize*>(argument);
        *out = winsize{size.rows, size.columns, size.xpixels, size.ypixels};
        return 0;
    }
    case TIOCSWINSZ: {
        const struct winsize* in = static_cast<const struct winsize*>(argument);
        ipc::Empty reply;
        return terminal_call(
            fd, tty::SetWindowSizeRequest{{in->ws_row, in->ws_col, in->ws_xpixel, in->ws_ypixel}},
            reply);
    }
    default:
        if (terminal_of(fd) == AXO_NIL_THREAD) return -1;
        return posix::fail_errno(EINVAL);
    }
}

// A console descriptor names its terminal's device file (file_modes.h).
int ttyname_r(int fd, char* buffer, size_t size) {
    if (!isatty(fd)) return errno;
    const posix::Descriptor* entry = posix::descriptors().get(fd);
    const char* name = posix::terminal_path(entry->handle);
    size_t length = strlen(name);
    if (size < length + 1) return ERANGE;
    memcpy(buffer, name, length + 1);
    return 0;
}

char* ttyname(int fd) {
    static char name[16];
    int error = ttyname_r(fd, name, sizeof name);
    if (error != 0) {
        errno = error;
        return nullptr;
    }
    return name;
}

} // extern "C"
