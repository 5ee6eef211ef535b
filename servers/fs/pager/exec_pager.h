// fs as the pager of executables under mm (README.md): kFileExecObject's work, the pager thread
// that answers mm's forwarded faults, and the main thread's side of the pages it asks for.
// The decisions are ExecObjects' (exec_objects.h, host-tested); this is the IPC edge.
#pragma once

#include <stdint.h>

#include "axolotl/abi.h"
#include "interfaces/file/protocol.h"
#include "servers/fs/pager/exec_objects.h"
#include "servers/fs/vfs/vfs.h"

namespace fs {

class ExecPager {
public:
    // fs's own "process" in the Vfs: the handles that keep executables open (never a pid).
    static constexpr uint32_t kPagerPid = 0xFFFFFFFEu;

    explicit ExecPager(Vfs& vfs) : m_vfs(vfs) {}
    // Makes the Vfs refuse writers of mapped files (text_busy).
    void install();

    // kFileExecObject for `caller` (its thread `from`).
    ipc::Error object_for(const Caller& caller, Handle handle, file::ExecObjectReply& reply);
    // kFilePagerRead, from the pager thread only.
    ipc::Error read_page(axo_thread_id_t from, const file::PagerReadRequest& request);
    // proc's events (server.cc's poll_events and resync).
    void forked(uint32_t parent, uint32_t child);
    void execed(uint32_t pid, uint32_t value);
    void exited(uint32_t pid);

    const ExecObjects& objects() const { return m_objects; }

    // The pager thread's side (exec_pager.cc): public for its entry function.
    void serve_faults();

private:
    static bool busy(void* context, const Node& node);
    // Entries that fell out of use: their objects go to the pager thread to end (only an
    // object's pager may end it), fs's handle of the file is closed, the entry freed.
    void end(const uint32_t* ended, uint32_t count);
    bool start_thread();

    Vfs& m_vfs;
    ExecObjects m_objects;
    axo_thread_id_t m_main = AXO_NIL_THREAD;
    axo_thread_id_t m_thread = AXO_NIL_THREAD;
    // Objects to end, from the main thread to the pager thread (one writer, one reader).
    static constexpr uint32_t kEndRing = 64;
    volatile uint32_t m_end[kEndRing] = {};
    volatile uint32_t m_end_written = 0;
    volatile uint32_t m_end_read = 0;
};

} // namespace fs
