// Time (libposix/README.md): the clocks, sleeping and alarm().
//
// The one clock is the KIP's: microseconds since boot. CLOCK_MONOTONIC is it; CLOCK_REALTIME,
// gettimeofday and time are it plus the boot's date, which proc read from the RTC at boot
// (kProcRealTime), asked once per program (a fork's child has it).
//
// Sleeping is a closed receive from the thread itself with a timeout: nobody sends to it, so it
// ends by the timeout — or by a signal's diversion, which aborts it (AXO_IPC_CANCELLED): EINTR
// with the time left.
//
// alarm() and setitimer(ITIMER_REAL) need somebody to send SIGALRM when the time comes, while the
// process computes or waits in any call: a timer thread of the process's own (kProcThreadCreate),
// started at the first alarm or setitimer. It waits for the deadline with a receive timeout that
// notification bits may end (alarm() and setitimer() notify it when the deadline changes), then
// kills its own process with SIGALRM through proc, which diverts the first thread to its handler,
// and arms the next deadline when the timer has an interval. No polling: it sleeps until the
// deadline or a change. alarm and ITIMER_REAL are one timer (POSIX): each sees and replaces the
// other's deadline.
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

// The boot's date in µs since the epoch (0: proc had no RTC), asked of proc at the first use.
uint64_t boot_epoch_us() {
    static bool known;
    static uint64_t boot_us;
    if (known) return boot_us;
    proc::RealTimeReply reply{};
    ipc::Error error;
    do {
        error = ipc::call(proc_thread(), proc::RealTimeRequest{}, reply);
    } while (interrupted(error)); // proc answers at once: a diversion only ever comes before
    if (error == ipc::Error::ok)
        boot_us = static_cast<uint64_t>(reply.boot_us_high) << 32 | reply.boot_us_low;
    known = true;
    return boot_us;
}

uint64_t realtime_us() {
    return boot_epoch_us() + now_us();
}

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

// ---- alarm and ITIMER_REAL ----
constexpr uint32_t kTimerBit = 1u;
// µs since boot; 0: no alarm. Written by the caller of alarm/setitimer and by the timer thread,
// which may preempt each other between the halves of a 64-bit word: always atomic (the Pentium's
// cmpxchg8b), and the timer thread moves a deadline on only if nobody replaced it meanwhile.
uint64_t g_alarm_deadline;
// µs between expirations (ITIMER_REAL's it_interval); 0: one-shot. Written before the deadline.
uint64_t g_alarm_interval;
axo_thread_id_t g_timer = AXO_NIL_THREAD;
alignas(16) char g_timer_stack[2048];

uint64_t load_deadline() {
    return __atomic_load_n(&g_alarm_deadline, __ATOMIC_SEQ_CST);
}

void store_timer(uint64_t deadline, uint64_t interval) {
    __atomic_store_n(&g_alarm_interval, interval, __ATOMIC_SEQ_CST);
    __atomic_store_n(&g_alarm_deadline, deadline, __ATOMIC_SEQ_CST);
}

// The deadline after `deadline` expired at `now`: one interval on, or — when the process was
// not scheduled for several intervals — the first one still ahead (expirations that were missed
// are one SIGALRM, as a pending signal is one). 0 for a one-shot timer.
uint64_t next_deadline(uint64_t deadline, uint64_t interval, uint64_t now) {
    if (interval == 0) return 0;
    uint64_t next = deadline + interval;
    if (next <= now) next += ((now - next) / interval + 1) * interval;
    return next;
}

[[noreturn]] void timer_main() {
    axo_utcb_t* utcb = axo_my_utcb();
    axo_thread_id_t self = utcb->my_id;
    for (;;) {
        uint64_t deadline = load_deadline();
        uint64_t now = now_us();
        if (deadline != 0 && now >= deadline) {
            uint64_t interval = __atomic_load_n(&g_alarm_interval, __ATOMIC_SEQ_CST);
            uint64_t next = next_deadline(deadline, interval, now);
            // Replaced meanwhile (alarm, setitimer): the new deadline is looked at instead.
            if (!__atomic_compare_exchange_n(&g_alarm_deadline, &deadline, next, false,
                                             __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
                continue;
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
    // POSIX: the child has no alarm and no interval timer; and the parent's timer thread is not
    // in its copy.
    // Only what is set is cleared: a write is a copy-on-write fault of the child's. Plain
    // reads: no timer thread runs in the child (and a 64-bit atomic load, cmpxchg8b, writes).
    if (g_timer != AXO_NIL_THREAD) g_timer = AXO_NIL_THREAD;
    if (g_alarm_deadline != 0 || g_alarm_interval != 0) store_timer(0, 0);
}

namespace {

// Arms the one timer (0: disarms it) and tells the timer thread; false if there is no thread to
// send the signal (the timer is then left as it was).
bool arm_timer(uint64_t deadline, uint64_t interval) {
    if (deadline != 0 && !start_timer()) return false;
    store_timer(deadline, deadline != 0 ? interval : 0);
    if (g_timer != AXO_NIL_THREAD) (void)axo_notify(g_timer, kTimerBit);
    return true;
}

uint64_t timeval_us(const timeval& value) {
    return static_cast<uint64_t>(value.tv_sec) * kMicrosecondsPerSecond +
           static_cast<uint64_t>(value.tv_usec);
}

timeval us_timeval(uint64_t us) {
    return timeval{static_cast<time_t>(us / kMicrosecondsPerSecond),
                   static_cast<suseconds_t>(us % kMicrosecondsPerSecond)};
}

bool valid_timeval(const timeval& value) {
    return value.tv_sec >= 0 && value.tv_usec >= 0 &&
           value.tv_usec < static_cast<suseconds_t>(kMicrosecondsPerSecond);
}

// What is left of the timer now, and its interval (getitimer's answer).
itimerval current_timer() {
    uint64_t deadline = load_deadline();
    uint64_t interval = __atomic_load_n(&g_alarm_interval, __ATOMIC_SEQ_CST);
    uint64_t now = now_us();
    itimerval value{};
    if (deadline == 0) return value;
    // An expiry the timer thread has not handled yet: at least 1 µs, so that an armed timer
    // never reads as disarmed.
    value.it_value = us_timeval(deadline > now ? deadline - now : 1);
    value.it_interval = us_timeval(interval);
    return value;
}

} // namespace

} // namespace posix

using posix::fail_errno;
using posix::now_us;

extern "C" {

int gettimeofday(struct timeval* tv, void*) {
    if (tv != nullptr) {
        uint64_t us = posix::realtime_us();
        tv->tv_sec = static_cast<time_t>(us / posix::kMicrosecondsPerSecond);
        tv->tv_usec = static_cast<suseconds_t>(us % posix::kMicrosecondsPerSecond);
    }
    return 0;
}

int clock_gettime(clockid_t clock, struct timespec* ts) {
    if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC) return fail_errno(EINVAL);
    if (ts == nullptr) return fail_errno(EFAULT);
    uint64_t us = clock == CLOCK_REALTIME ? posix::realtime_us() : now_us();
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
// The seconds left of the previous alarm or ITIMER_REAL (rounded up), 0 if there was none. It
// replaces an interval timer too, with a one-shot one.
unsigned alarm(unsigned seconds) {
    uint64_t now = now_us();
    uint64_t old = posix::load_deadline();
    unsigned left = old > now
                        ? static_cast<unsigned>((old - now + posix::kMicrosecondsPerSecond - 1) /
                                                posix::kMicrosecondsPerSecond)
                        : (old != 0 ? 1 : 0);
    uint64_t deadline =
        seconds == 0 ? 0 : now + static_cast<uint64_t>(seconds) * posix::kMicrosecondsPerSecond;
    (void)posix::arm_timer(deadline, 0); // no thread: no alarm (ENOMEM is not reported)
    return left;
}

// ITIMER_REAL only: ITIMER_VIRTUAL and ITIMER_PROF count CPU time, which the kernel does not
// keep per thread (times()), so they are refused with EINVAL.
int getitimer(int which, struct itimerval* value) {
    if (which != ITIMER_REAL) return fail_errno(EINVAL);
    if (value == nullptr) return fail_errno(EFAULT);
    *value = posix::current_timer();
    return 0;
}

int setitimer(int which, const struct itimerval* value, struct itimerval* old) {
    if (which != ITIMER_REAL) return fail_errno(EINVAL);
    if (value == nullptr) return fail_errno(EFAULT);
    if (!posix::valid_timeval(value->it_value) || !posix::valid_timeval(value->it_interval))
        return fail_errno(EINVAL);
    itimerval previous = posix::current_timer();
    uint64_t first = posix::timeval_us(value->it_value);
    uint64_t deadline = first == 0 ? 0 : posix::now_us() + first;
    if (!posix::arm_timer(deadline, posix::timeval_us(value->it_interval)))
        return fail_errno(EAGAIN);
    if (old != nullptr) *old = previous;
    return 0;
}

} // extern "C"
