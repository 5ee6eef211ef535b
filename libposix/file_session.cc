// Each thread's session with fs (interfaces/file/client.h): a file::Client and the 32 KiB
// window fs maps its buffer into, found by the thread's UTCB (a thread's own, unique in the
// address space). The first thread's window is static; another thread's is allocated at its
// first file call. A fork's child starts without sessions: fs knows its thread by a new id,
// and attaches it again at the same window (the map replaces the parent's copy there). A
// session is its thread's by UTCB and id: the child's thread has the UTCB of the parent's that
// forked and another id, so the child finds that session stale at its first file call and
// builds it anew there — nothing is written at the fork (each page written is a copy-on-write
// fault).
#include <malloc.h>
#include <stddef.h>
#include <stdint.h>

#include <new>

#include "libposix/file_calls.h"

namespace posix {
namespace {

constexpr int kThreads = 4; // threads of one process with a session of their own

struct Session {
    axo_utcb_t* owner = nullptr;               // the thread's UTCB; nullptr: free
    axo_thread_id_t owner_id = AXO_NIL_THREAD; // and its id: another one is a fork's child
    uint8_t* window = nullptr;                 // kept across a fork: the child reuses it
    bool built = false;
    alignas(file::Client) unsigned char client[sizeof(file::Client)];

    file::Client* get() { return reinterpret_cast<file::Client*>(client); }
};

alignas(file::kBufferBytes) uint8_t g_first_window[file::kBufferBytes];
Session g_sessions[kThreads];

} // namespace

file::Client* file_client() {
    axo_utcb_t* self = axo_my_utcb();
    const axo_thread_id_t id = self->my_id;
    Session* free_slot = nullptr;
    for (Session& session : g_sessions) {
        if (session.owner == self) {
            if (session.owner_id == id) return session.get();
            free_slot = &session; // the parent's thread's, in a fork's child
            break;
        }
        if (session.owner == nullptr && free_slot == nullptr) free_slot = &session;
    }
    if (free_slot == nullptr) return nullptr;
    if (free_slot->window == nullptr) {
        free_slot->window =
            free_slot == &g_sessions[0]
                ? g_first_window
                : static_cast<uint8_t*>(memalign(file::kBufferBytes, file::kBufferBytes));
        if (free_slot->window == nullptr) return nullptr;
    }
    if (free_slot->built) free_slot->get()->~Client();
    new (free_slot->client) file::Client(free_slot->window);
    free_slot->built = true;
    free_slot->owner = self;
    free_slot->owner_id = id;
    return free_slot->get();
}

void forget_files_after_fork() {
    // The sessions of the parent's other threads: their UTCBs have no thread in the child.
    axo_utcb_t* self = axo_my_utcb();
    for (Session& session : g_sessions)
        if (session.owner != nullptr && session.owner != self) session.owner = nullptr;
}

} // namespace posix
