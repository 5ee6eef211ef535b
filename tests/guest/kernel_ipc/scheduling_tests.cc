// Scheduling: strict priorities, round robin within a priority, preemption by a thread that a
// timeout wakes, and time-slice donation by thread_switch.
#include "harness.h"
#include "tests.h"

namespace kt {
namespace {

constexpr uint32_t kKeep = 0xFFFFFFFFu;

void spin(void* arg) {
    auto* counter = static_cast<volatile uint32_t*>(arg);
    for (;;)
        *counter = *counter + 1;
}

// ---- Priorities ------------------------------------------------------------------------------

constexpr uint32_t kRanked = 3;

struct Ranking {
    uint32_t order[kRanked];
    uint32_t count;
};

struct Ranked {
    Ranking* ranking;
    uint32_t priority;
};

void ranked(void* arg) {
    auto* r = static_cast<Ranked*>(arg);
    uint32_t slot = __atomic_fetch_add(&r->ranking->count, 1, __ATOMIC_SEQ_CST);
    if (slot < kRanked) r->ranking->order[slot] = r->priority;
    send_done(r->priority);
}

void priorities() {
    static Ranking ranking;
    static Ranked args[kRanked];
    ranking = {};
    // Above all three while they are started, so that none runs before all are ready.
    uint32_t raised = axo_schedule(g_root, 200, 0, nullptr, nullptr);
    // Started lowest first, so start order cannot pass for priority order.
    const uint32_t priority[kRanked] = {101, 105, 110};
    axo_thread_id_t ids[kRanked] = {};
    bool started = raised == AXO_OK;
    for (uint32_t i = 0; i < kRanked; ++i) {
        args[i] = {&ranking, priority[i]};
        ids[i] = spawn(ranked, &args[i], {.priority = priority[i]});
        started = started && ids[i] != AXO_NIL_THREAD;
    }
    uint32_t ran_while_raised = __atomic_load_n(&ranking.count, __ATOMIC_SEQ_CST);
    // Dropping below them must hand the CPU over before this call returns.
    uint32_t lowered = axo_schedule(g_root, AXO_PRIORITY_DEFAULT, 0, nullptr, nullptr);
    uint32_t ran_before_return = __atomic_load_n(&ranking.count, __ATOMIC_SEQ_CST);
    bool reported = started && lowered == AXO_OK;
    for (uint32_t i = 0; i < kRanked; ++i)
        reported = reported && wait_done(ids[i]);

    check(started && ran_while_raised == 0,
          "no thread ran while the root task was above them at priority 200 (%u ran)",
          ran_while_raised);
    check(reported && ranking.count == kRanked && ranking.order[0] == 110 &&
              ranking.order[1] == 105 && ranking.order[2] == 101,
          "threads at priorities 110, 105, 101 made ready together run highest first (got %u, "
          "%u, %u)",
          ranking.order[0], ranking.order[1], ranking.order[2]);
    check(reported && ran_before_return == kRanked,
          "lowering the root task below them runs all three before schedule returns (%u ran)",
          ran_before_return);
    cleanup();
}

// ---- Round robin -----------------------------------------------------------------------------

// If round robin failed, the root task would never run again: the watchdog, above both,
// deletes the spinner after a generous time so the test fails instead of hanging.
struct Watchdog {
    axo_thread_id_t spinner;
    volatile uint32_t fired;
};

void watchdog(void* arg) {
    auto* w = static_cast<Watchdog*>(arg);
    axo_ipc_receive(g_root, axo_timeout_us(3000000));
    if (axo_tag_failed(utcb()->mr[0])) {
        w->fired = 1;
        rt_thread_delete(w->spinner);
    }
}

void round_robin() {
    static volatile uint32_t counter;
    static Watchdog dog;
    counter = 0;
    dog = {};
    constexpr uint32_t kRounds = 3;
    dog.spinner = spawn(spin, const_cast<uint32_t*>(&counter), {.priority = AXO_PRIORITY_DEFAULT});
    axo_thread_id_t guard = spawn(watchdog, &dog, {.priority = 150});
    bool started = dog.spinner != AXO_NIL_THREAD && guard != AXO_NIL_THREAD;

    bool spinner_ran = started;
    uint32_t shortest = 0xFFFFFFFFu, longest = 0;
    for (uint32_t round = 0; started && round < kRounds; ++round) {
        uint32_t before = counter;
        uint64_t t0 = now_us();
        axo_thread_switch(AXO_NIL_THREAD);
        uint32_t took = static_cast<uint32_t>(now_us() - t0);
        spinner_ran = spinner_ran && counter != before;
        shortest = took < shortest ? took : shortest;
        longest = took > longest ? took : longest;
    }
    utcb()->mr[0] = axo_msg_tag(1, 0, 0);
    axo_ipc_send(guard, AXO_TIMEOUT_ZERO);
    if (dog.fired) forget(dog.spinner);

    check(spinner_ran,
          "a thread spinning at the root task's priority runs whenever the root "
          "task yields (%u rounds)",
          kRounds);
    check(started && !dog.fired,
          "round robin: the root task runs again after the spinner's time slice, every time "
          "(watchdog %s)",
          dog.fired ? "fired" : "quiet");
    check(started && !dog.fired && shortest >= AXO_TIMESLICE_DEFAULT_US / 2,
          "the spinner keeps the CPU for about its time slice of %u us each round (%u..%u us)",
          AXO_TIMESLICE_DEFAULT_US, shortest, longest);
    cleanup();
}

// ---- Preemption by a timeout -----------------------------------------------------------------

struct Wakeup {
    volatile uint32_t* counter;
    uint64_t t0, t1;
    uint32_t c0, c1;
    uint32_t error;
};

void wake_and_look(void* arg) {
    auto* w = static_cast<Wakeup*>(arg);
    w->t0 = now_us();
    w->c0 = *w->counter;
    axo_ipc_receive(AXO_ANY_THREAD, axo_timeout_us(5000));
    w->t1 = now_us();
    w->c1 = *w->counter;
    w->error = utcb()->error;
    send_done(0);
}

void timeout_preempts_spinner() {
    static volatile uint32_t counter;
    static Wakeup w;
    counter = 0;
    w = {};
    w.counter = &counter;
    // A long time slice: if the woken thread had to wait for the slice to end, it would
    // show as a wake-up half a second late.
    constexpr uint32_t kLongSlice = 500000;
    axo_thread_id_t spinner =
        spawn(spin, const_cast<uint32_t*>(&counter), {.priority = 50, .timeslice_us = kLongSlice});
    axo_thread_id_t sleeper = spawn(wake_and_look, &w, {.priority = 120});
    // The root task now blocks; only the spinner is left to run until the sleeper wakes.
    bool reported = spinner != AXO_NIL_THREAD && sleeper != AXO_NIL_THREAD && wait_done(sleeper);
    uint32_t took = static_cast<uint32_t>(w.t1 - w.t0);
    check(reported && w.error == ipc_error_word(AXO_IPC_TIMEOUT, true) && w.c1 > w.c0 &&
              took >= 5000 && took < kLongSlice / 2,
          "a priority-120 thread woken by its 5 ms timeout preempts a spinning priority-50 "
          "thread with a %u ms slice (woke after %u us, spinner counted %u)",
          kLongSlice / 1000, took, w.c1 - w.c0);
    cleanup();
}

// ---- Donation --------------------------------------------------------------------------------

void donation() {
    static volatile uint32_t flag;
    flag = 0;
    // Below the root task: it cannot run unless the root task gives it the CPU.
    axo_thread_id_t low = spawn([](void* arg) { *static_cast<volatile uint32_t*>(arg) = 1; },
                                const_cast<uint32_t*>(&flag), {.priority = 90});
    uint32_t before = flag;
    uint32_t error = axo_thread_switch(low);
    uint32_t after = flag;
    check(low != AXO_NIL_THREAD && before == 0 && error == AXO_OK && after == 1,
          "thread_switch to a ready lower-priority thread runs it on the caller's time slice "
          "(error %u, ran %u then %u)",
          error, before, after);

    uint32_t priority = 0;
    error = axo_schedule(low, kKeep, 0, &priority, nullptr);
    check(error == AXO_OK && priority == 90, "schedule reports the priority it set (%u, error %u)",
          priority, error);
    cleanup();
}

} // namespace

void scheduling_tests() {
    priorities();
    round_robin();
    timeout_preempts_spinner();
    donation();
}

} // namespace kt
