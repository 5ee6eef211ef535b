// Message transfer: ping-pong between two threads, a reply-and-wait server with several
// clients, and the sender id the kernel reports.
#include "harness.h"
#include "tests.h"

namespace kt {
namespace {

// IPC timeout words, (send << 16) | receive.
constexpr uint32_t kNever = (uint32_t{AXO_TIMEOUT_NEVER} << 16) | AXO_TIMEOUT_NEVER;
// A reply goes to a thread already waiting for it: zero send timeout, as reply_wait does.
constexpr uint32_t kReplyThenReceive = (uint32_t{AXO_TIMEOUT_ZERO} << 16) | AXO_TIMEOUT_NEVER;

// ---- Ping-pong ------------------------------------------------------------------------------

// Enough rounds for every message length 0..63 several times in each direction.
constexpr uint32_t kRounds = 512;
constexpr uint32_t kPingLabel = 0x1000;
constexpr uint32_t kPongLabel = 0x2000;

struct PingPong {
    axo_thread_id_t ping, pong;
    uint32_t ping_rounds, pong_rounds;
    uint32_t ping_errors, pong_errors;
    uint32_t first_bad_round;
};

uint32_t payload(uint32_t round, uint32_t index, uint32_t direction) {
    return (round * 0x9E3779B1u) ^ (index * 0x01000193u) ^ direction;
}
// The request of round r has r % 64 words; its reply the rest up to 63.
uint32_t request_words(uint32_t round) {
    return round % AXO_MR_COUNT;
}
uint32_t reply_words(uint32_t round) {
    return AXO_MR_COUNT - 1 - request_words(round);
}

bool message_is(uint32_t label, uint32_t words, uint32_t round, uint32_t direction) {
    axo_utcb_t* u = utcb();
    axo_msg_tag_t tag = u->mr[0];
    if (axo_tag_failed(tag) || axo_tag_label(tag) != label || axo_tag_untyped(tag) != words ||
        axo_tag_typed(tag) != 0)
        return false;
    for (uint32_t i = 1; i <= words; ++i)
        if (u->mr[i] != payload(round, i, direction)) return false;
    return true;
}

void fill_message(uint32_t label, uint32_t words, uint32_t round, uint32_t direction) {
    axo_utcb_t* u = utcb();
    u->mr[0] = axo_msg_tag(label, words, 0);
    for (uint32_t i = 1; i <= words; ++i)
        u->mr[i] = payload(round, i, direction);
}

void ping(void* arg) {
    auto* pp = static_cast<PingPong*>(arg);
    uint32_t round = 0;
    for (; round < kRounds; ++round) {
        fill_message(kPingLabel | (round & 0xFFF), request_words(round), round, 0xAAAA);
        axo_msg_tag_t tag = axo_ipc_call(pp->pong, kNever);
        if (!message_is(kPongLabel | (round & 0xFFF), reply_words(round), round, 0x5555)) {
            if (pp->ping_errors++ == 0) pp->first_bad_round = round;
            if (axo_tag_failed(tag)) break;
        }
    }
    pp->ping_rounds = round;
    send_done(pp->ping_errors);
}

void pong(void* arg) {
    auto* pp = static_cast<PingPong*>(arg);
    axo_thread_id_t from = axo_ipc_receive(pp->ping, AXO_TIMEOUT_NEVER);
    uint32_t round = 0;
    while (round < kRounds) {
        if (axo_tag_failed(utcb()->mr[0])) {
            ++pp->pong_errors;
            break;
        }
        if (from != pp->ping ||
            !message_is(kPingLabel | (round & 0xFFF), request_words(round), round, 0xAAAA)) {
            if (pp->pong_errors++ == 0) pp->first_bad_round = round;
        }
        fill_message(kPongLabel | (round & 0xFFF), reply_words(round), round, 0x5555);
        ++round;
        if (round == kRounds) {
            axo_ipc(pp->ping, AXO_NIL_THREAD, kReplyThenReceive);
            if (axo_tag_failed(utcb()->mr[0])) ++pp->pong_errors;
        } else {
            from = axo_ipc(pp->ping, pp->ping, kReplyThenReceive);
        }
    }
    pp->pong_rounds = round;
    send_done(pp->pong_errors);
}

void ping_pong() {
    static PingPong pp;
    pp = {};
    pp.ping = fresh_id();
    pp.pong = fresh_id();
    axo_counters_t c0 = {}, c1 = {};
    axo_debug_counters(&c0);
    uint64_t t0 = now_us();
    // Both exist before either runs: a call to a thread not yet created would fail.
    bool started = create(pp.ping) == AXO_OK && create(pp.pong) == AXO_OK &&
                   run(pp.pong, pong, &pp) == AXO_OK && run(pp.ping, ping, &pp) == AXO_OK;
    bool reported =
        started && wait_done(pp.ping, nullptr, 10000000) && wait_done(pp.pong, nullptr, 1000000);
    uint64_t t1 = now_us();
    axo_debug_counters(&c1);
    check(reported && pp.ping_rounds == kRounds && pp.pong_rounds == kRounds,
          "ping-pong: %u call/reply rounds between two threads complete (%u, %u)", kRounds,
          pp.ping_rounds, pp.pong_rounds);
    check(reported && pp.ping_errors == 0 && pp.pong_errors == 0,
          "ping-pong: labels, lengths 0..63 and every payload word arrive intact both ways "
          "(errors %u, %u)",
          pp.ping_errors, pp.pong_errors);
    if (pp.ping_errors || pp.pong_errors) diag("first bad round: %u", pp.first_bad_round);
    diag("ping-pong: %u us for %u rounds, %u ipcs and %u context switches counted",
         static_cast<uint32_t>(t1 - t0), kRounds, c1.ipcs - c0.ipcs,
         c1.context_switches - c0.context_switches);
    cleanup();
}

// ---- A server with several clients -----------------------------------------------------------

constexpr uint32_t kClients = 3;
constexpr uint32_t kCallsPerClient = 50;
constexpr uint32_t kRequestLabel = 0x0C1;
constexpr uint32_t kReplyLabel = 0x05E;

struct ServerTest {
    axo_thread_id_t server;
    axo_thread_id_t clients[kClients];
    uint32_t served[kClients];
    uint32_t total;
    uint32_t server_errors;
    uint32_t unknown_senders;
    uint32_t client_errors[kClients];
};

struct ClientArg {
    ServerTest* test;
    uint32_t index;
};

// Each request carries the client's id as the client claims it and a sequence number; the
// reply is computed from the request and names the sender the kernel reported.
uint32_t answer(uint32_t sequence) {
    return sequence * 3 + 1;
}

void server(void* arg) {
    auto* st = static_cast<ServerTest*>(arg);
    axo_utcb_t* u = utcb();
    axo_thread_id_t from = axo_ipc_receive(AXO_ANY_THREAD, AXO_TIMEOUT_NEVER);
    for (;;) {
        if (axo_tag_failed(u->mr[0])) {
            ++st->server_errors;
            break;
        }
        uint32_t claimed = u->mr[1], sequence = u->mr[2];
        uint32_t index = kClients;
        for (uint32_t i = 0; i < kClients; ++i)
            if (st->clients[i] == from) index = i;
        if (index == kClients) {
            ++st->unknown_senders;
        } else {
            if (claimed != from || sequence != st->served[index] ||
                axo_tag_label(u->mr[0]) != kRequestLabel || axo_tag_untyped(u->mr[0]) != 2)
                ++st->server_errors;
            ++st->served[index];
        }
        ++st->total;
        u->mr[0] = axo_msg_tag(kReplyLabel, 2, 0);
        u->mr[1] = answer(sequence);
        u->mr[2] = from;
        if (st->total == kClients * kCallsPerClient) {
            axo_ipc(from, AXO_NIL_THREAD, kReplyThenReceive);
            if (axo_tag_failed(u->mr[0])) ++st->server_errors;
            break;
        }
        from = axo_ipc_reply_wait(from, AXO_TIMEOUT_NEVER);
    }
    send_done(st->total);
}

void client(void* arg) {
    auto* ca = static_cast<ClientArg*>(arg);
    ServerTest* st = ca->test;
    axo_thread_id_t me = st->clients[ca->index];
    axo_utcb_t* u = utcb();
    for (uint32_t sequence = 0; sequence < kCallsPerClient; ++sequence) {
        u->mr[0] = axo_msg_tag(kRequestLabel, 2, 0);
        u->mr[1] = me;
        u->mr[2] = sequence;
        axo_msg_tag_t tag = axo_ipc_call(st->server, kNever);
        if (axo_tag_failed(tag) || axo_tag_label(tag) != kReplyLabel || axo_tag_untyped(tag) != 2 ||
            u->mr[1] != answer(sequence) || u->mr[2] != me)
            ++st->client_errors[ca->index];
        if (axo_tag_failed(tag)) break;
    }
    send_done(st->client_errors[ca->index]);
}

void server_loop() {
    static ServerTest st;
    static ClientArg args[kClients];
    st = {};
    st.server = spawn(server, &st);
    bool started = st.server != AXO_NIL_THREAD;
    for (uint32_t i = 0; i < kClients; ++i) {
        st.clients[i] = fresh_id();
        args[i] = {&st, i};
        started = started && create(st.clients[i]) == AXO_OK;
    }
    for (uint32_t i = 0; i < kClients; ++i)
        started = started && run(st.clients[i], client, &args[i]) == AXO_OK;

    bool reported = started;
    for (uint32_t i = 0; i < kClients; ++i)
        reported = reported && wait_done(st.clients[i], nullptr, 5000000);
    reported = reported && wait_done(st.server, nullptr, 1000000);

    uint32_t client_errors = 0;
    bool all_served = st.total == kClients * kCallsPerClient;
    for (uint32_t i = 0; i < kClients; ++i) {
        client_errors += st.client_errors[i];
        all_served = all_served && st.served[i] == kCallsPerClient;
    }
    check(reported && client_errors == 0 && all_served,
          "server loop: %u clients x %u calls each get the reply computed from their request "
          "(%u served, %u client errors)",
          kClients, kCallsPerClient, st.total, client_errors);
    check(reported && st.unknown_senders == 0 && st.server_errors == 0,
          "server loop: reply-and-wait sees every client's true id, in order per client "
          "(%u unknown senders, %u errors)",
          st.unknown_senders, st.server_errors);
    cleanup();
}

// ---- The sender's id -------------------------------------------------------------------------

enum class Claim : uint32_t { honest, forged_utcb_id, kernel_label };
constexpr uint32_t kSenders = 3;

struct Sender {
    axo_thread_id_t id; // as the root task created it
    Claim claim;
};

// Sends MR1 = the id the root task created us with, MR2 = whom we pretend to be.
void sender(void* arg) {
    auto* s = static_cast<Sender*>(arg);
    axo_utcb_t* u = utcb();
    axo_thread_id_t real = u->my_id;
    uint32_t label = 0xF0;
    if (s->claim == Claim::forged_utcb_id) u->my_id = g_sigma0; // the UTCB is ours to scribble on
    if (s->claim == Claim::kernel_label) label = AXO_LABEL_EXCEPTION;
    u->mr[0] = axo_msg_tag(label, 2, 0);
    u->mr[1] = s->id;
    u->mr[2] = u->my_id;
    axo_ipc_send(g_root, AXO_TIMEOUT_NEVER);
    u->my_id = real;
}

void sender_identity() {
    static Sender senders[kSenders];
    senders[0] = {fresh_id(), Claim::honest};
    senders[1] = {fresh_id(), Claim::forged_utcb_id};
    senders[2] = {fresh_id(), Claim::kernel_label};
    bool started = true;
    for (Sender& s : senders)
        started = started && create(s.id) == AXO_OK && run(s.id, sender, &s) == AXO_OK;

    bool matched[kSenders] = {};
    bool all_true = started;
    for (uint32_t n = 0; started && n < kSenders; ++n) {
        axo_thread_id_t from = axo_ipc_receive(AXO_ANY_THREAD, axo_timeout_us(2000000));
        axo_msg_tag_t tag = utcb()->mr[0];
        if (axo_tag_failed(tag)) {
            diag("open receive %u: %s", n, ipc_error_text(utcb()->error).text);
            all_true = false;
            break;
        }
        uint32_t created_as = utcb()->mr[1];
        bool known = false;
        for (uint32_t i = 0; i < kSenders; ++i)
            if (senders[i].id == created_as) {
                known = true;
                matched[i] = from == created_as;
            }
        if (!known || from != created_as) {
            diag("open receive %u: the kernel reports %u.%u for the thread created as %u.%u", n,
                 axo_thread_number(from), axo_thread_version(from), axo_thread_number(created_as),
                 axo_thread_version(created_as));
            all_true = false;
        }
    }
    check(all_true && matched[0] && matched[1] && matched[2],
          "open receive reports each of three senders by its real id");
    check(matched[1],
          "a sender that wrote sigma0's id into its UTCB's my_id is still reported by its real id");
    check(matched[2],
          "a thread's message with the kernel's exception label is reported as from that thread");
    cleanup();
}

} // namespace

void ipc_tests() {
    ping_pong();
    server_loop();
    sender_identity();
}

} // namespace kt
