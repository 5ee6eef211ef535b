// Each thread's session with fs (interfaces/file/client.h): a file::Client and the 32 KiB
// window fs maps its buffer into, found by the thread's UTCB (a thread's own, unique in the
// address space). The first thread's window is static; another thread's is allocated at its
// first file call. A fork's child starts without sessions: fs knows its thread by a new id,
// and attaches it again at the same window (the map replaces the parent's copy there).
#include <malloc.h>
#include <stddef.h>
#include <stdint.h>

#include <new>

#include "libposix/file_calls.h"

namespace posix {
namespace {

constexpr int kThreads = 4; // threads of one process with a session of their own

struct Session {
    axo_utcb_t* owner = nullptr; // the thread's UTCB; nullptr: free
    uint8_t* window = nullptr;   // kept across a fork: the child reuses it
    bool built = false;
    alignas(file::Client) unsigned char client[sizeof(file::Client)];

    file::Client* get() { return reinterpret_cast<file::Client*>(client); }
};

alignas(file::kBufferBytes) uint8_t g_first_window[file::kBufferBytes];
Session g_sessions[kThreads];

} // namespace

file::Client* file_client() {
    axo_utcb_t* self = axo_my_utcb();
    Session* free_slot = nullptr;
    for (Session& session : g_sessions) {
        if (session.owner == self) return session.get();
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
    return free_slot->get();
}

void forget_files_after_fork() {
    for (Session& session : g_sessions)
        session.owner = nullptr;
}

} // namespace posix
