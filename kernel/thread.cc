#include "kernel/thread.h"

#include <new>

#include "kernel/arch.h"
#include "kernel/kmem.h"
#include "kernel/space.h"

namespace axo {

Thread* g_current;

Thread* Thread::from_sched_node(SchedNode* node) {
    return reinterpret_cast<Thread*>(reinterpret_cast<char*>(node) - offsetof(Thread, m_sched));
}

Thread* Thread::from_timeout_node(TimeoutNode* node) {
    return reinterpret_cast<Thread*>(reinterpret_cast<char*>(node) - offsetof(Thread, m_timeout));
}

namespace threads {

Thread* g_table[AXO_MAX_THREADS];
Thread* g_fast_table[AXO_MAX_THREADS];

namespace {
// What g_fast_table holds for no thread: inactive, so never a partner of the fast path.
Thread g_placeholder;

void set_slot(uint32_t number, Thread* thread) {
    g_table[number] = thread;
    g_fast_table[number] = thread ? thread : &g_placeholder;
}
// The lowest version a new thread of each number may have: one above every deleted one.
uint16_t g_min_version[AXO_MAX_THREADS];
constexpr uint32_t kMaxVersion = (1u << AXO_THREAD_VERSION_BITS) - 1;
static_assert(kMaxVersion + 1 <= UINT16_MAX);
constexpr size_t kBlockFrames = Thread::kBlockSize / kPageSize;

Result<Thread*> allocate(ThreadId id) {
    void* block = TRY(kmem::allocate_block(kBlockFrames));
    Thread* thread = new (block) Thread();
    thread->m_id = id;
    set_slot(id.number(), thread);
    return thread;
}
} // namespace

void init() {
    for (uint32_t number = 0; number < AXO_MAX_THREADS; ++number)
        set_slot(number, nullptr);
}

Result<Thread*> create(ThreadId id, Space* space) {
    uint32_t number = id.number();
    if (number < AXO_FIRST_USER_THREAD || number >= AXO_MAX_THREADS || id.version() == 0) {
        return Error::invalid_argument;
    }
    if (g_table[number]) return Error::exists;
    if (id.version() < g_min_version[number]) return Error::invalid_argument;
    Thread* thread = TRY(allocate(id));
    thread->m_space = space;
    return thread;
}

Result<Thread*> create_kernel(uint32_t number) {
    Thread* thread = TRY(allocate(ThreadId::make(number, 1)));
    thread->m_state = ThreadState::ready;
    thread->m_priority = 0;
    return thread;
}

void destroy(Thread* thread) {
    uint32_t number = thread->m_id.number();
    // Once the last version (kMaxVersion) is deleted the number is retired for good: no
    // version reaches kMaxVersion + 1.
    g_min_version[number] = static_cast<uint16_t>(thread->m_id.version() + 1);
    set_slot(number, nullptr);
    arch::forget_thread(*thread);
    Space* space = thread->m_space;
    thread->~Thread();
    kmem::free_block(thread, kBlockFrames);
    if (space && space->thread_removed()) space->destroy();
}

} // namespace threads
} // namespace axo
