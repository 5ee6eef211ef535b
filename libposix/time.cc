// Time (libposix/README.md): the clocks, sleeping and alarm().
//
// The one clock is the KIP's: microseconds since boot. CLOCK_MONOTONIC is it; CLOCK_REALTIME and
// gettimeofday are it counted from the epoch, since nothing reads the RTC yet.
//
// Sleeping is a closed receive from the thread itself with a timeout: nobody sends to it, so it
// ends by the timeout — or by a signal's diversion, which aborts it (AXO_IPC_CANCELLED): EINTR
// with the time left.
//
// alarm() needs somebody to send SIGALRM when the time comes, while the process computes or
// waits in any call: a timer thread of the process's own (kProcThreadCreate), started at the
// first alarm. It waits for the deadline with a receive timeout that notification bits may end
// (alarm() notifies it when the deadline changes), then kills its own process with SIGALRM
// through proc, which diverts the first thread to its handler. No polling: it sleeps until the
// deadline or a change.
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>

#include "interfaces/process/protocol.h"
#include "libposix/posix.h"

namespace posix {
namespace {

constexpr uint64_t kMicrosecondsPerSecond = 1000000u;
// The longest single receive timeout: well inside what axo_timeout_us encodes.
constexpr uint32_t kLongestWaitUs = 1u << 30;

uint64_t now_us() {
    static const axo_kip_t* kip;
    if (kip == nullptr) kip = axo_kernel_interface();
    return axo_kip_clock_us(kip);
}

uint64_t g_start_us; // when the program started (times())

// Waits until `deadline` (µs since boot); false if a signal's diversion ended the wait.
bool sleep_until(uint64_t deadline) {
    axo_thread_id_t self = axo_my_utcb()->my_id;
    for (;;) {
        uint64_t now = now_us();
        if (now >= deadline) return true;
        uint64_t left = deadline - now;
        uint32_t wait = left > kLongestWaitUs ? kLongestWaitUs : static_cast<uint32_t>(left);
        axo_my_utcb()->mr[0] = axo_msg_tag(0, 0, 0);
        (void)axo_ipc_receive(self, axo_timeout_us(wait));
        if (call_was_interrupted()) return false;
    }
}

// ---- alarm ----
constexpr uint32_t kTimerBit = 1u;
volatile uint64_t g_alarm_deadline; // µs since boot; 0: no alarm
axo_thread_id_t g_timer = AXO_NIL_THREAD;
alignas(16) char g_timer_stack[2048];

[[noreturn]] void timer_main() {
    axo_utcb_t* utcb = axo_my_utcb();
    axo_thread_id_t self = utcb->my_id;
    for (;;) {
        uint64_t deadline = g_alarm_deadline;
        uint64_t now = now_us();
        if (deadline != 0 && now >= deadline) {
            g_alarm_deadline = 0;
            ipc::Empty reply;
            (void)ipc::call(proc_thread(),
                            proc::KillRequest{static_cast<int32_t>(my_pid()), proc::kSignalAlarm},
                            reply);
            continue;
        }
        axo_timeout_t timeout = AXO_TIMEOUT_NEVER;
        if (deadline != 0) {
            uint64_t left = deadline - now;
            timeout = axo_timeout_us(left > kLongestWaitUs ? kLongestWaitUs
                                                           : static_cast<uint32_t>(left));
        }
        // Bits of kTimerBit end the wait: alarm() changed the deadline.
        utcb->notify_mask = kTimerBit;
        utcb->mr[0] = axo_msg_tag(0, 0, 0) | AXO_TAG_FLAG_NOTIFY;
        (void)axo_ipc(AXO_NIL_THREAD, self, axo_timeouts(AXO_TIMEOUT_NEVER, timeout));
    }
}

bool start_timer() {
    if (g_timer != AXO_NIL_THREAD) return true;
    // The pid is asked before the thread exists, so that the timer never asks (one thread calls
    // proc for identity at a time).
    if (my_pid() == 0) return false;
    uint32_t sp = reinterpret_cast<uint32_t>(g_timer_stack + sizeof g_timer_stack) - 16;
    proc::ThreadCreateReply reply{};
    if (ipc::call(proc_thread(),
                  proc::ThreadCreateRequest{reinterpret_cast<uint32_t>(&timer_main), sp},
                  reply) != ipc::Error::ok)
        return false;
    g_timer = reply.thread;
    return true;
}

} // namespace

void forget_timer_after_fork() {
    // POSIX: the child has no alarm; and the parent's timer thread is not in its copy.
    g_timer = AXO_NIL_THREAD;
    g_alarm_deadline = 0;
}

} // namespace posix

using posix::fail_errno;
using posix::now_us;

extern "C" {

int gettimeofday(struct timeval* tv, void*) {
    if (tv != nullptr) {
        uint64_t us = now_us();
        tv->tv_sec = static_cast<time_t>(us / posix::kMicrosecondsPerSecond);
        tv->tv_usec = static_cast<suseconds_t>(us % posix::kMicrosecondsPerSecond);
    }
    return 0;
}

int clock_gettime(clockid_t clock, struct timespec* ts) {
    if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC) return fail_errno(EINVAL);
    uint64_t us = now_us();
    ts->tv_sec = static_cast<time_t>(us / posix::kMicrosecondsPerSecond);
    ts->tv_nsec = static_cast<long>(us % posix::kMicrosecondsPerSecond) * 1000;
    return 0;
}

int clock_getres(clockid_t clock, struct timespec* res) {
    if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC) return fail_errno(EINVAL);
    if (res != nullptr) *res = timespec{0, 1000};
    return 0;
}

// The clock when the program started (a constructor, before main).
__attribute__((constructor)) static void note_start_time() {
    posix::g_start_us = now_us();
}

// Clock ticks of CLOCKS_PER_SEC. The kernel keeps no CPU time per thread yet: the user time is
// the real time since the program started (an upper bound), the rest 0.
clock_t times(struct tms* buffer) {
    uint64_t now = now_us();
    const uint64_t us_per_tick = posix::kMicrosecondsPerSecond / CLOCKS_PER_SEC;
    if (buffer != nullptr) {
        buffer->tms_utime = static_cast<clock_t>((now - posix::g_start_us) / us_per_tick);
        buffer->tms_stime = 0;
        buffer->tms_cutime = 0;
        buffer->tms_cstime = 0;
    }
    return static_cast<clock_t>(now / us_per_tick);
}

// Never restarted (POSIX): EINTR with the time left in *left.
int nanosleep(const struct timespec* request, struct timespec* left) {
    if (request == nullptr || request->tv_nsec < 0 || request->tv_nsec >= 1000000000L ||
        request->tv_sec < 0)
        return fail_errno(EINVAL);
    uint64_t us = static_cast<uint64_t>(request->tv_sec) * posix::kMicrosecondsPerSecond +
                  static_cast<uint64_t>(request->tv_nsec + 999) / 1000;
    uint64_t deadline = now_us() + us;
    if (posix::sleep_until(deadline)) return 0;
    if (left != nullptr) {
        uint64_t now = now_us();
        uint64_t rest = deadline > now ? deadline - now : 0;
        left->tv_sec = static_cast<time_t>(rest / posix::kMicrosecondsPerSecond);
        left->tv_nsec = static_cast<long>(rest % posix::kMicrosecondsPerSecond) * 1000;
    }
    return fail_errno(EINTR);
}

unsigned sleep(unsigned seconds) {
    struct timespec request {
        static_cast<time_t>(seconds), 0
    }, left{};
    if (nanosleep(&request, &left) == 0) return 0;
    return static_cast<unsigned>(left.tv_sec) + (left.tv_nsec > 0 ? 1 : 0);
}

int usleep(useconds_t microseconds) {
    struct timespec request {
        static_cast<time_t>(microseconds / 1000000u),
            static_cast<long>(microseconds % 1000000u) * 1000
    };
    return nanosleep(&request, nullptr);
}

// The seconds left of the previous alarm (rounded up), 0 if there was none.
unsigned alarm(unsigned seconds) {
    uint64_t now = now_us();
    uint64_t old = posix::g_alarm_deadline;
    unsigned left = old > now
                        ? static_cast<unsigned>((old - now + posix::kMicrosecondsPerSecond - 1) /
                                                posix::kMicrosecondsPerSecond)
                        : 0;
    if (seconds == 0) {
        posix::g_alarm_deadline = 0;
    } else {
        if (!posix::start_timer()) return left; // no thread: no alarm (ENOMEM is not reported)
        posix::g_alarm_deadline =
            now + static_cast<uint64_t>(seconds) * posix::kMicrosecondsPerSecond;
    }
    if (posix::g_timer != AXO_NIL_THREAD) (void)axo_notify(posix::g_timer, posix::kTimerBit);
    return left;
}

} // extern "C"
