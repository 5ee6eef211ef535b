// fs's IPC edge (README.md): the file interface (interfaces/file/protocol.h) on lib/ipc's
// dispatcher, over the Vfs. Everything a client sends is checked here — session, lengths,
// paths inside the buffer and NUL-terminated, copied out before use — and the caller is who
// the kernel says sent the request, as proc identifies it (interfaces/process kProcIdentify).
// fork and exit come from proc's event stream, polled before each request (proc queues a fork
// before the child runs, so a child's first request always finds its fork).
#pragma once

#include <stdint.h>

#include "interfaces/file/protocol.h"
#include "interfaces/process/protocol.h"
#include "lib/ipc/session.h"
#include "servers/fs/pager/exec_pager.h"
#include "servers/fs/vfs/vfs.h"

namespace fs {

class Server {
public:
    static constexpr uint32_t kSessions = 16;

    Server(Vfs& vfs, uint8_t* buffers) : m_vfs(vfs), m_buffers(buffers), m_exec(vfs) {}
    // Subscribes to proc's events, attaches the session buffers; false if proc refused.
    bool start();
    [[noreturn]] void run();

    ipc::Error on_attach(axo_thread_id_t from, const file::AttachRequest&, file::AttachReply&);
    ipc::Error on_open(axo_thread_id_t from, const file::OpenRequest&, file::OpenReply&);
    ipc::Error on_close(axo_thread_id_t from, const file::CloseRequest&, ipc::Empty&);
    ipc::Error on_dup(axo_thread_id_t from, const file::DupRequest&, file::HandleReply&);
    ipc::Error on_get_flags(axo_thread_id_t from, const file::GetFlagsRequest&, file::FlagsReply&);
    ipc::Error on_set_flags(axo_thread_id_t from, const file::SetFlagsRequest&, ipc::Empty&);
    ipc::Error on_read(axo_thread_id_t from, const file::ReadRequest&, file::CountReply&);
    ipc::Error on_write(axo_thread_id_t from, const file::WriteRequest&, file::CountReply&);
    ipc::Error on_pread(axo_thread_id_t from, const file::PreadRequest&, file::CountReply&);
    ipc::Error on_pwrite(axo_thread_id_t from, const file::PwriteRequest&, file::CountReply&);
    ipc::Error on_seek(axo_thread_id_t from, const file::SeekRequest&, file::SeekReply&);
    ipc::Error on_readdir(axo_thread_id_t from, const file::ReaddirRequest&, file::ReaddirReply&);
    ipc::Error on_fsync(axo_thread_id_t from, const file::FsyncRequest&, ipc::Empty&);
    ipc::Error on_sync(axo_thread_id_t from, const file::SyncRequest&, ipc::Empty&);
    ipc::Error on_stat(axo_thread_id_t from, const file::StatRequest&, file::Stat&);
    ipc::Error on_fstat(axo_thread_id_t from, const file::FstatRequest&, file::Stat&);
    ipc::Error on_access(axo_thread_id_t from, const file::AccessRequest&, ipc::Empty&);
    ipc::Error on_truncate(axo_thread_id_t from, const file::TruncateRequest&, ipc::Empty&);
    ipc::Error on_ftruncate(axo_thread_id_t from, const file::FtruncateRequest&, ipc::Empty&);
    ipc::Error on_chmod(axo_thread_id_t from, const file::ChmodRequest&, ipc::Empty&);
    ipc::Error on_fchmod(axo_thread_id_t from, const file::FchmodRequest&, ipc::Empty&);
    ipc::Error on_chown(axo_thread_id_t from, const file::ChownRequest&, ipc::Empty&);
    ipc::Error on_fchown(axo_thread_id_t from, const file::FchownRequest&, ipc::Empty&);
    ipc::Error on_utimes(axo_thread_id_t from, const file::UtimesRequest&, ipc::Empty&);
    ipc::Error on_futimes(axo_thread_id_t from, const file::FutimesRequest&, ipc::Empty&);
    ipc::Error on_statfs(axo_thread_id_t from, const file::StatfsRequest&, file::StatfsReply&);
    ipc::Error on_fstatfs(axo_thread_id_t from, const file::FstatfsRequest&, file::StatfsReply&);
    ipc::Error on_mkdir(axo_thread_id_t from, const file::MkdirRequest&, ipc::Empty&);
    ipc::Error on_rmdir(axo_thread_id_t from, const file::RmdirRequest&, ipc::Empty&);
    ipc::Error on_unlink(axo_thread_id_t from, const file::UnlinkRequest&, ipc::Empty&);
    ipc::Error on_rename(axo_thread_id_t from, const file::RenameRequest&, ipc::Empty&);
    ipc::Error on_link(axo_thread_id_t from, const file::LinkRequest&, ipc::Empty&);
    ipc::Error on_symlink(axo_thread_id_t from, const file::SymlinkRequest&, ipc::Empty&);
    ipc::Error on_readlink(axo_thread_id_t from, const file::ReadlinkRequest&, file::CountReply&);
    ipc::Error on_mknod(axo_thread_id_t from, const file::MknodRequest&, ipc::Empty&);
    ipc::Error on_chdir(axo_thread_id_t from, const file::ChdirRequest&, ipc::Empty&);
    ipc::Error on_fchdir(axo_thread_id_t from, const file::FchdirRequest&, ipc::Empty&);
    ipc::Error on_getcwd(axo_thread_id_t from, const file::GetcwdRequest&, file::CountReply&);
    // Exec (servers/fs/pager).
    ipc::Error on_exec(axo_thread_id_t from, const file::ExecObjectRequest&,
                       file::ExecObjectReply&);
    ipc::Error on_pager(axo_thread_id_t from, const file::PagerReadRequest&, ipc::Empty&);

private:
    // Who sent a request, as proc says (cached per thread until an event about its process).
    struct Known {
        axo_thread_id_t thread;
        Caller caller;
    };
    static constexpr uint32_t kKnown = 32;

    // The caller of a request from `from` with a session: its buffer in *buffer.
    ipc::Error begin(axo_thread_id_t from, Caller* caller, uint8_t** buffer);
    ipc::Error identify(axo_thread_id_t from, Caller* caller);
    void poll_events();
    void resync();
    void forget(uint32_t pid);
    // Copies a path of `length` bytes at `offset` of `buffer` into `out` (NUL-terminated
    // there, no NUL inside): bad_message otherwise.
    ipc::Error take_path(const uint8_t* buffer, uint32_t offset, uint32_t length, char* out);

    Vfs& m_vfs;
    uint8_t* m_buffers;
    ipc::Sessions<kSessions> m_sessions{file::kBufferLog2, ipc::WhenFull::take_least_recent};
    Known m_known[kKnown] = {};
    uint32_t m_next_known = 0;
    bool m_subscribed = false;
    char m_first[kPathMax];
    char m_second[kPathMax];
    ExecPager m_exec; // fs as the pager of executables (servers/fs/pager)
};

} // namespace fs
