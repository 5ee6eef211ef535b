// A ProcessService with the kernel played by a fake host that records everything: for the
// identity, signal and event-stream tests (proc_identity_test.cc, proc_signals_test.cc,
// proc_event_stream_test.cc).
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <set>
#include <vector>

#include "servers/proc/process_service.h"

namespace proc::testing {

// proc's own threads: no process of the table, so they act as proc itself.
constexpr axo_thread_id_t kProcThread = axo_thread_id(33, 1);
// A server's thread (proc's name service registered it; it is no process of the table).
constexpr axo_thread_id_t kServerThread = axo_thread_id(900, 1);

class ServiceFixture : public ::testing::Test {
protected:
    ServiceFixture() {
        const char* lines[] = {"/boot/sigma0", "/boot/proc", "/boot/init", "/boot/app start=spawn"};
        for (const char* line : lines) {
            axo_kip_module_t module{};
            module.start = 0x100000;
            module.size = 4096;
            std::strncpy(module.cmdline, line, sizeof module.cmdline - 1);
            modules.push_back(module);
        }
        parse_boot_config(modules.data(), static_cast<uint32_t>(modules.size()), config, nullptr,
                          nullptr);
        service.set_config(&config);
    }

    static ServiceFixture& self(void* context) { return *static_cast<ServiceFixture*>(context); }
    static ipc::Error start(void* context, uint32_t, uint32_t, axo_thread_id_t thread,
                            const char* const*, uint32_t, const loader::StringBlock&) {
        self(context).alive.insert(thread);
        return ipc::Error::ok;
    }
    static ipc::Error start_file(void* context, uint32_t, const FileImage& image,
                                 axo_thread_id_t thread, const loader::StringBlock&) {
        ServiceFixture& f = self(context);
        f.started_objects.push_back(image.object);
        if (f.fail_start_file != ipc::Error::ok) return f.fail_start_file;
        f.alive.insert(thread);
        return ipc::Error::ok;
    }
    static ipc::Error fork(void* context, uint32_t, uint32_t, axo_thread_id_t thread, uint32_t,
                           uint32_t) {
        self(context).alive.insert(thread);
        return ipc::Error::ok;
    }
    static ipc::Error run(void* context, uint32_t, axo_thread_id_t thread) {
        ServiceFixture& f = self(context);
        // What each subscriber holds when the new process starts running.
        const ProcessEntry* entry = f.service.running(thread);
        EXPECT_NE(entry, nullptr);
        for (axo_thread_id_t subscriber : f.subscribers)
            f.held_at_run[thread].push_back(f.holds_fork(subscriber, entry->pid));
        f.running.insert(thread);
        f.notifications_at_run[thread] = f.event_notifications.size();
        return f.fail_run;
    }
    static void destroy(void* context, uint32_t, axo_thread_id_t thread) {
        self(context).alive.erase(thread);
        self(context).running.erase(thread);
    }
    static bool answer(void* context, axo_thread_id_t waiter, ipc::Error error,
                       const WaitReply& reply) {
        self(context).wait_answers.push_back({waiter, error, reply});
        return true;
    }
    static void ended(void*, const ProcessEntry&) {}
    static void halt(void* context, uint32_t slot, bool stop) {
        self(context).halts.push_back({slot, stop});
    }
    static void signalled(void* context, uint32_t slot, uint32_t signal) {
        self(context).notified.push_back({slot, signal});
    }
    static bool divert(void* context, axo_thread_id_t thread, uint32_t entry, uint32_t& ip,
                       uint32_t& sp, uint32_t& flags) {
        ServiceFixture& f = self(context);
        if (f.alive.count(thread) == 0) return false;
        f.diversions.push_back({thread, entry});
        ip = kInterruptedIp;
        sp = kInterruptedSp;
        flags = kInterruptedFlags;
        return true;
    }
    static constexpr uint32_t kInterruptedIp = 0x00401234, kInterruptedSp = 0x7fff0ff0,
                              kInterruptedFlags = 0x246;
    static bool answer_events(void* context, axo_thread_id_t subscriber,
                              const EventNextReply& reply) {
        ServiceFixture& f = self(context);
        if (f.not_receiving.count(subscriber) != 0) return false;
        f.event_answers.push_back({subscriber, reply});
        return true;
    }
    static void notify_events(void* context, axo_thread_id_t subscriber, uint32_t bits) {
        self(context).event_notifications.push_back({subscriber, bits});
    }
    static bool thread_alive(void* context, axo_thread_id_t thread) {
        return self(context).dead.count(thread) == 0;
    }

    // Whether `subscriber` has the fork of `pid` queued or delivered to it.
    bool holds_fork(axo_thread_id_t subscriber, ProcessId pid) const {
        for (const auto& [to, reply] : event_answers)
            for (uint32_t i = 0; to == subscriber && i < reply.count; ++i)
                if (reply.events[i].kind == kEventFork && reply.events[i].pid == pid) return true;
        return service.events().queued(subscriber) != 0;
    }

    // ---- requests ----
    SpawnReply spawned(axo_thread_id_t from, const char* image = "app") {
        SpawnRequest request{};
        (void)request.image.set(image);
        SpawnReply reply{};
        EXPECT_EQ(service.spawn(from, request, reply), ipc::Error::ok);
        return reply;
    }
    SpawnReply forked(axo_thread_id_t from) {
        SpawnReply reply{};
        EXPECT_EQ(service.fork(from, ForkRequest{0x400000, 0x500000}, reply), ipc::Error::ok);
        return reply;
    }
    IdentifyReply identity(axo_thread_id_t thread) {
        IdentifyReply reply{};
        EXPECT_EQ(service.identify(kProcThread, IdentifyRequest{thread}, reply), ipc::Error::ok);
        return reply;
    }
    ipc::Error setpgid(axo_thread_id_t from, int32_t pid, int32_t pgid) {
        ipc::Empty reply;
        return service.set_process_group(from, SetProcessGroupRequest{pid, pgid}, reply);
    }
    ipc::Error setsid(axo_thread_id_t from) {
        SetSessionReply reply{};
        return service.set_session(from, SetSessionRequest{}, reply);
    }
    ipc::Error set(axo_thread_id_t from, CredentialOperation operation, uint32_t id) {
        ipc::Empty reply;
        return service.set_credentials(from, SetCredentialsRequest{operation, id}, reply);
    }
    ipc::Error kill(axo_thread_id_t from, int32_t pid, uint32_t signal) {
        ipc::Empty reply;
        return service.kill(from, KillRequest{pid, signal}, reply);
    }
    ipc::Error wait(axo_thread_id_t from, ProcessId pid, uint32_t options, WaitReply* out) {
        WaitReply reply{};
        ipc::Error error = service.wait(from, WaitRequest{pid, options}, reply);
        if (out != nullptr) *out = reply;
        return error;
    }
    ipc::Error report_signals(axo_thread_id_t from, uint32_t ignored, uint32_t caught,
                              uint32_t* pending = nullptr) {
        SignalStateReply reply{};
        ipc::Error error = service.signal_state(from, SignalStateRequest{ignored, caught}, reply);
        if (pending != nullptr) *pending = reply.pending;
        return error;
    }
    ipc::Error subscribe(axo_thread_id_t from) {
        ipc::Empty reply;
        ipc::Error error = service.subscribe(from, EventSubscribeRequest{}, reply);
        if (error == ipc::Error::ok) subscribers.push_back(from);
        return error;
    }
    ipc::Error subscribe_notify(axo_thread_id_t from, uint32_t bits) {
        ipc::Empty reply;
        ipc::Error error = service.subscribe(from, EventSubscribeNotifyRequest{bits}, reply);
        if (error == ipc::Error::ok) subscribers.push_back(from);
        return error;
    }
    ipc::Error next(axo_thread_id_t from, uint32_t options, EventNextReply* out) {
        EventNextReply reply{};
        ipc::Error error = service.next_events(from, EventNextRequest{options}, reply);
        if (out != nullptr) *out = reply;
        return error;
    }
    const ProcessEntry& entry_of(axo_thread_id_t thread) {
        const ProcessEntry* entry = service.running(thread);
        EXPECT_NE(entry, nullptr);
        static ProcessEntry none{};
        return entry != nullptr ? *entry : none;
    }

    struct WaitAnswer {
        axo_thread_id_t waiter;
        ipc::Error error;
        WaitReply reply;
    };
    struct EventAnswer {
        axo_thread_id_t subscriber;
        EventNextReply reply;
    };

    std::vector<axo_kip_module_t> modules;
    BootConfig config{};
    ProcessService service{[this] {
                               ProcessHost host{this, &start, &destroy, &answer, &ended, &fork};
                               host.run = &run;
                               host.halt = &halt;
                               host.signalled = &signalled;
                               host.divert = &divert;
                               host.answer_events = &answer_events;
                               host.alive = &thread_alive;
                               host.notify_events = &notify_events;
                               host.start_file = &start_file;
                               return host;
                           }(),
                           nullptr};

    ipc::Error fail_run = ipc::Error::ok;
    ipc::Error fail_start_file = ipc::Error::ok;
    std::vector<uint32_t> started_objects; // start_file's objects, in order
    std::set<axo_thread_id_t> alive, running, dead, not_receiving;
    std::vector<axo_thread_id_t> subscribers;
    std::map<axo_thread_id_t, std::vector<bool>> held_at_run;
    std::vector<WaitAnswer> wait_answers;
    std::vector<EventAnswer> event_answers;
    std::vector<std::pair<axo_thread_id_t, uint32_t>> event_notifications; // subscriber, bits
    std::map<axo_thread_id_t, size_t> notifications_at_run; // event_notifications.size() then
    std::vector<std::pair<uint32_t, bool>> halts;
    std::vector<std::pair<uint32_t, uint32_t>> notified;
    std::vector<std::pair<axo_thread_id_t, uint32_t>> diversions; // thread, entry
};

} // namespace proc::testing
