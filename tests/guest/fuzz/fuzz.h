// What the parts of the system-call fuzzer share (README.md): a seeded generator, the calls to
// proc, and the three roles of the one program — the fuzzer, its canaries and its attackers
// (one program with modes: boot modules are few).
#pragma once

#include "rt/rt.h"
#include "rt/tap.h"

#include "interfaces/mm/protocol.h"
#include "interfaces/process/client.h"
#include "lib/ipc/kernel.h"
#include "lib/loader/layout.h"

namespace fuzz {

// xorshift64*: small, fast, and the same sequence for the same seed on every emulator.
class Random {
public:
    explicit Random(uint64_t seed) : m_state(seed != 0 ? seed : 0x9E3779B97F4A7C15ull) {}
    uint32_t next() {
        m_state ^= m_state >> 12;
        m_state ^= m_state << 25;
        m_state ^= m_state >> 27;
        return static_cast<uint32_t>((m_state * 0x2545F4914F6CDD1Dull) >> 32);
    }
    // 0 .. n-1 (n > 0).
    uint32_t below(uint32_t n) { return static_cast<uint32_t>((uint64_t{next()} * n) >> 32); }
    bool one_in(uint32_t n) { return below(n) == 0; }
    template <class T, uint32_t N> const T& pick(const T (&items)[N]) { return items[below(N)]; }

private:
    uint64_t m_state;
};

inline loader::StartArguments arguments() {
    return loader::start_arguments(rt_entry_state.esp);
}

inline axo_thread_id_t proc_thread() {
    return rt_kip()->root_task;
}

inline axo_thread_id_t pager_thread() {
    return axo_my_utcb()->pager;
}

inline void sleep_ms(uint32_t ms) {
    // σ0 never sends to a process: only the timeout ends this receive.
    axo_ipc_receive(rt_kip()->sigma0, axo_timeout_us(ms * 1000));
}

// Ends the process through proc; parks if proc refuses.
[[noreturn]] inline void exit(int32_t status) {
    ipc::KernelTransport transport;
    (void)proc::client::exit(transport, proc_thread(), status);
    rt_park();
}

// A decimal number (up to 32 bits); false if `text` is none.
inline bool parse_number(const char* text, uint32_t& out) {
    if (*text == '\0') return false;
    uint64_t value = 0;
    for (; *text != '\0'; ++text) {
        if (*text < '0' || *text > '9') return false;
        value = value * 10 + static_cast<uint32_t>(*text - '0');
        if (value > 0xFFFFFFFFull) return false;
    }
    out = static_cast<uint32_t>(value);
    return true;
}

// The value of `key=` among the arguments, or nullptr.
inline const char* argument(const char* key) {
    loader::StartArguments args = arguments();
    size_t n = strlen(key);
    for (uint32_t i = 1; i < args.argc; ++i) {
        if (strncmp(args.argv[i], key, n) == 0 && args.argv[i][n] == '=')
            return args.argv[i] + n + 1;
    }
    return nullptr;
}

// The canary's protocol (raw IPC, so that it depends on nothing the fuzzer attacks): a
// message with this label asks it to check everything it holds; the reply's MR1 is 0 if
// nothing changed, else the number of the first check that failed; MR2 how often its register
// thread has checked its registers (it must go on growing).
constexpr uint32_t kCanaryCheckLabel = 0x7A01;
enum CanaryFailure : uint32_t {
    kCanaryIntact = 0,
    kCanaryMemory = 1,    // its pattern in .bss
    kCanaryUtcb = 2,      // its pattern in the UTCB's buffer registers BR1..BR32 and user_handle
    kCanaryRegisters = 3, // its register thread saw a register change while it spun
    kCanaryCode = 4,      // the checksum of its code (shared with the fuzzer: the same image)
    kCanaryNoThread = 5,  // its register thread could not be started
};

// The roles, each in its own file.
[[noreturn]] void run_syscall_fuzzer();
[[noreturn]] void run_canary();
[[noreturn]] void run_attack(uint32_t seed);

// The program's code, for the canary's checksum: the linker's symbols of lib/rt's program.ld.
uint32_t code_checksum();

} // namespace fuzz
