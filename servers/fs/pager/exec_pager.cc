// fs as the pager of executables: exec_pager.h; README.md says how.
#include "servers/fs/pager/exec_pager.h"

#include "rt/rt.h"

#include "interfaces/mm/protocol.h"
#include "interfaces/process/protocol.h"
#include "lib/ipc/kernel.h"
#include "lib/ipc/map_item.h"
#include "servers/fs/vfs/permissions.h"

namespace fs {

namespace {

constexpr uint32_t kPage = 4096;
constexpr uint32_t kPageBits = 12;
// Files above this are refused (too_big): mm's landing area holds every live object's size.
constexpr uint64_t kMaxExecutableBytes = 64u << 20;
// Calls to mm and between fs's threads are bounded: a broken peer fails a request, never
// hangs fs.
constexpr axo_timeout_t kCallTimeout = axo_timeout_us(2000000);
// The pager thread's wait for faults gives up this often to end objects the main thread
// handed it.
constexpr axo_timeout_t kWaitSlice = axo_timeout_us(50000);

alignas(16) uint8_t g_stack[8192];
// The page the pager thread answers a fault with: the main thread fills it, the pager thread
// maps it to mm (which copies it at once) and unmaps it before the next fill.
alignas(kPage) uint8_t g_page[kPage];

const Caller kPagerCaller{ExecPager::kPagerPid, Credentials{}};

void pager_entry(void* self) {
    static_cast<ExecPager*>(self)->serve_faults();
}

axo_thread_id_t mm_thread() {
    return axo_my_utcb()->pager; // every thread of fs has mm as its pager when mm runs
}

} // namespace

void ExecPager::install() {
    m_vfs.set_text_busy(&ExecPager::busy, this);
}

bool ExecPager::busy(void* context, const Node& node) {
    return static_cast<const ExecPager*>(context)->m_objects.busy(node);
}

bool ExecPager::start_thread() {
    if (m_thread != AXO_NIL_THREAD) return true;
    m_main = rt_my_id();
    axo_thread_id_t id = AXO_NIL_THREAD;
    if (rt_process_thread_start(&pager_entry, this, g_stack + sizeof g_stack, &id) != 0) {
        rt_printf("fs: the pager thread did not start: exec from files fails\n");
        return false;
    }
    m_thread = id;
    return true;
}

ipc::Error ExecPager::object_for(const Caller& caller, Handle handle,
                                 file::ExecObjectReply& reply) {
    OpenDescription d;
    if (Error e = m_vfs.describe(caller, handle, &d); e != Error::ok) return e;
    if (d.kind == OpenKind::directory) return Error::is_directory;
    Attributes attributes;
    if (Error e = m_vfs.fstat(caller, handle, &attributes); e != Error::ok) return e;
    if (d.kind != OpenKind::file || !is_regular(attributes.mode) ||
        !permitted(caller.credentials, attributes, kMayExecute))
        return Error::access_denied;
    if ((d.flags & kOpenAccessMask) != kOpenReadOnly || m_vfs.open_for_writing(d.node))
        return Error::text_busy;
    if (attributes.size > kMaxExecutableBytes) return Error::too_big;
    if (attributes.size == 0) return Error::not_executable;
    axo_thread_id_t mm = mm_thread();
    if (mm == AXO_NIL_THREAD || mm == rt_kip()->root_task) return Error::unsupported;

    uint32_t index = m_objects.find(d.node);
    if (index == ExecObjects::kNone) {
        index = m_objects.free_entry();
        if (index == ExecObjects::kNone) return Error::no_space;
        if (!start_thread()) return Error::unsupported;
        Handle own = 0;
        if (Error e = m_vfs.reopen_for_reading(caller, handle, kPagerPid, &own); e != Error::ok)
            return e;
        uint32_t size = static_cast<uint32_t>(attributes.size);
        m_objects.add(index, d.node, 0, size, own);
        mm::ObjectCreateReply created{};
        ipc::Error e = ipc::call(
            mm, mm::ObjectCreateRequest{(size + kPage - 1) & ~(kPage - 1), m_objects.cookie(index)},
            created, kCallTimeout);
        ipc::Empty empty;
        if (e == ipc::Error::ok)
            e = ipc::call(mm, mm::ObjectRebindRequest{created.object, m_thread}, empty,
                          kCallTimeout);
        if (e != ipc::Error::ok) {
            rt_printf("fs: mm refused an object for exec: %s\n", ipc::error_name(e));
            (void)m_vfs.close(kPagerCaller, own);
            m_objects.remove(index);
            return Error::io_error;
        }
        m_objects.add_object(index, created.object);
    }
    uint32_t ended[2], count = 0;
    if (!m_objects.ask(caller.pid, index, ended, &count)) {
        uint32_t unused[1] = {index};
        if (m_objects.at(index).users == 0) end(unused, 1);
        return Error::no_space;
    }
    end(ended, count);
    reply.object = m_objects.at(index).object;
    reply.size_low = m_objects.at(index).size;
    reply.size_high = 0;
    return Error::ok;
}

void ExecPager::end(const uint32_t* ended, uint32_t count) {
    for (uint32_t i = 0; i < count; ++i) {
        const ExecObjects::Entry& entry = m_objects.at(ended[i]);
        if (!entry.used) continue;
        if (entry.object != 0) {
            uint32_t at = m_end_written;
            if (at - m_end_read < kEndRing) {
                m_end[at % kEndRing] = entry.object;
                m_end_written = at + 1;
            } else {
                rt_printf("fs: object %u for exec not ended (queue full): mm keeps it\n",
                          entry.object);
            }
        }
        (void)m_vfs.close(kPagerCaller, entry.handle);
        m_objects.remove(ended[i]);
    }
}

ipc::Error ExecPager::read_page(axo_thread_id_t from, const file::PagerReadRequest& request) {
    if (from != m_thread || m_thread == AXO_NIL_THREAD) return ipc::Error::no_permission;
    if (request.page != reinterpret_cast<uintptr_t>(g_page)) return ipc::Error::invalid_argument;
    uint32_t index = m_objects.entry_of_cookie(request.cookie);
    if (index == ExecObjects::kNone) return ipc::Error::not_found;
    const ExecObjects::Entry& entry = m_objects.at(index);
    if ((request.offset & (kPage - 1)) != 0 || request.offset >= entry.size)
        return ipc::Error::invalid_argument;
    uint32_t done = 0;
    Error e = m_vfs.pread(kPagerCaller, entry.handle, request.offset,
                          std::span<uint8_t>(g_page, kPage), &done);
    if (e != Error::ok) return e;
    for (uint32_t i = done; i < kPage; ++i)
        g_page[i] = 0; // beyond the file's end: zeros
    return ipc::Error::ok;
}

void ExecPager::forked(uint32_t parent, uint32_t child) {
    uint32_t ended[2], count = 0;
    m_objects.fork(parent, child, ended, &count);
    end(ended, count);
}

void ExecPager::execed(uint32_t pid, uint32_t value) {
    uint32_t object = (value & proc::kExecEventObject) != 0 ? value & ~proc::kExecEventObject : 0;
    uint32_t ended[2], count = 0;
    m_objects.exec(pid, object, ended, &count);
    end(ended, count);
}

void ExecPager::exited(uint32_t pid) {
    uint32_t ended[2], count = 0;
    m_objects.exit(pid, ended, &count);
    end(ended, count);
}

// The pager thread: waits for mm's forwarded faults in kMmPagerWait calls, each answering the
// previous fault with the page the main thread composed (by IPC: the block cache and the Vfs
// are the main thread's alone, not thread-safe); between waits it ends the objects the main
// thread handed it (only an object's pager may end it).
void ExecPager::serve_faults() {
    axo_utcb_t* utcb = axo_my_utcb();
    axo_thread_id_t mm = mm_thread();
    uint32_t token = 0, answer = 0, send_base = 0;
    for (;;) {
        while (m_end_read != m_end_written) {
            uint32_t object = m_end[m_end_read % kEndRing];
            m_end_read = m_end_read + 1;
            ipc::Empty empty;
            (void)ipc::call(mm, mm::ObjectEndRequest{object}, empty, kCallTimeout);
        }
        utcb->br[0] = AXO_FPAGE_NIL;
        bool item = token != 0 && answer == 0;
        utcb->mr[0] = axo_msg_tag(mm::kMmPagerWait, 2, item ? 2 : 0);
        utcb->mr[1] = token;
        utcb->mr[2] = answer;
        utcb->mr[3] = axo_map_item_word0(send_base, 0);
        utcb->mr[4] = axo_fpage(reinterpret_cast<uintptr_t>(g_page), kPageBits, AXO_FPAGE_R);
        axo_msg_tag_t tag = axo_ipc_call(mm, axo_timeouts(kCallTimeout, kWaitSlice));
        if (!axo_tag_failed(tag) || axo_ipc_error_in_receive(utcb->error))
            token = 0; // the answer went with the call (else it is sent again)
        if (axo_tag_failed(tag) || axo_tag_label(tag) != 0 ||
            axo_tag_untyped(tag) != ipc::wire_words<mm::ExternalFault> || axo_tag_typed(tag) != 0)
            continue;
        mm::ExternalFault fault{utcb->mr[1], utcb->mr[2], utcb->mr[3],
                                utcb->mr[4], utcb->mr[5], utcb->mr[6]};
        token = fault.token;
        send_base = fault.send_base;
        // mm copied the last page: take it back before the main thread writes the next one.
        utcb->mr[0] = axo_fpage(reinterpret_cast<uintptr_t>(g_page), kPageBits, AXO_FPAGE_RWX);
        (void)axo_unmap(0);
        ipc::Empty empty;
        answer = static_cast<uint32_t>(ipc::call(
            m_main,
            file::PagerReadRequest{fault.cookie, fault.offset,
                                   static_cast<uint32_t>(reinterpret_cast<uintptr_t>(g_page))},
            empty, kCallTimeout));
    }
}

} // namespace fs
