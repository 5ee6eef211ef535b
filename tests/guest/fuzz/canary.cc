// The canary (README.md): a process that holds known patterns — 64 KiB of .bss, its UTCB's
// buffer registers BR1..BR32 and user handle (the kernel reads only BR0), the general and
// segment registers of a second thread that spins with them loaded, and the checksum of its
// code, which it shares with the fuzzer (the same image) — and on each request checks that
// nothing changed them. It accepts no map items (BR0 nil) and answers nothing but the check,
// whoever asks: the fuzzer also sends it garbage.
#include "fuzz.h"

extern "C" uint32_t fuzz_canary_registers(uint32_t rounds);

namespace fuzz {

namespace {

constexpr uint32_t kPatternWords = 16384; // 64 KiB
uint32_t g_pattern[kPatternWords];
volatile uint32_t g_register_rounds;
volatile uint32_t g_register_failures;
alignas(16) uint8_t g_register_stack[4096];

uint32_t pattern_word(uint32_t i) {
    return (i * 0x9E3779B1u) ^ 0xCA7A11u;
}

void register_thread(void*) {
    // Long enough that the timer preempts it inside the loop now and then, short and sparse
    // enough to leave the CPU to the fuzzer.
    for (;;) {
        if (fuzz_canary_registers(400000) != 0) g_register_failures = g_register_failures + 1;
        g_register_rounds = g_register_rounds + 1;
        sleep_ms(4);
    }
}

void fill_utcb(axo_utcb_t* utcb) {
    utcb->user_handle = 0xC0FFEE00u;
    for (uint32_t i = 1; i < AXO_BR_COUNT; ++i)
        utcb->br[i] = pattern_word(i) ^ 0x55AA55AAu;
}

bool utcb_intact(const axo_utcb_t* utcb) {
    if (utcb->user_handle != 0xC0FFEE00u) return false;
    for (uint32_t i = 1; i < AXO_BR_COUNT; ++i)
        if (utcb->br[i] != (pattern_word(i) ^ 0x55AA55AAu)) return false;
    return true;
}

} // namespace

void run_canary() {
    for (uint32_t i = 0; i < kPatternWords; ++i)
        g_pattern[i] = pattern_word(i);
    axo_utcb_t* utcb = axo_my_utcb();
    fill_utcb(utcb);
    uint32_t code = code_checksum();
    axo_thread_id_t spinner = AXO_NIL_THREAD;
    bool started =
        rt_process_thread_start(&register_thread, nullptr,
                                g_register_stack + sizeof g_register_stack, &spinner) == 0;
    axo_thread_id_t client = AXO_NIL_THREAD;
    for (;;) {
        utcb->br[0] = AXO_FPAGE_NIL;
        // Reply (if there is someone to answer) and wait for the next request from anyone.
        client = axo_ipc(client, AXO_ANY_THREAD, axo_timeouts(AXO_TIMEOUT_ZERO, AXO_TIMEOUT_NEVER));
        axo_msg_tag_t tag = utcb->mr[0];
        if (axo_tag_failed(tag) || axo_tag_label(tag) != kCanaryCheckLabel) {
            client = AXO_NIL_THREAD;
            continue;
        }
        uint32_t failure = kCanaryIntact;
        if (!started) failure = kCanaryNoThread;
        for (uint32_t i = 0; failure == kCanaryIntact && i < kPatternWords; ++i)
            if (g_pattern[i] != pattern_word(i)) failure = kCanaryMemory;
        if (failure == kCanaryIntact && !utcb_intact(utcb)) failure = kCanaryUtcb;
        if (failure == kCanaryIntact && g_register_failures != 0) failure = kCanaryRegisters;
        if (failure == kCanaryIntact && code_checksum() != code) failure = kCanaryCode;
        utcb->mr[0] = axo_msg_tag(0, 2, 0);
        utcb->mr[1] = failure;
        utcb->mr[2] = g_register_rounds;
    }
}

} // namespace fuzz
