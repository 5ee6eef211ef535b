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
#include "lib/ipc/kernel.h"
#include "lib/ipc/pending_requests.h"
#include "lib/ipc/session.h"
#include "servers/fs/cache/block_cache.h"
#include "servers/fs/devfs/device_file_system.h"
#include "servers/fs/locks/lock_table.h"
#include "servers/fs/mount_sources.h"
#include "servers/fs/pager/exec_pager.h"
#include "servers/fs/pager/file_mapper.h"
#include "servers/fs/pipe/pipe.h"
#include "servers/fs/vfs/vfs.h"

namespace fs {

class Server final : private DescriptionObserver {
public:
    static constexpr uint32_t kSessions = 16;
    static constexpr uint32_t kPipes = 32;       // pipes and FIFOs with open ends, at once
    static constexpr uint32_t kPipeWaiters = 64; // parked pipe requests in all
    // The notification bit proc sets on the server's thread when it has queued process events
    // for it (kProcEventSubscribeNotify): fs asks for events only when it is set.
    static constexpr uint32_t kProcEventsBit = 1u << 31;
    static constexpr uint32_t kLockSlots = 256;  // fcntl's ranges in all (flock's: as many)
    static constexpr uint32_t kLockWaiters = 32; // F_SETLKW and flock waits, at once

    Server(Vfs& vfs, uint8_t* buffers)
        : m_vfs(vfs), m_buffers(buffers), m_exec(vfs), m_mapper(vfs) {}
    // Before start: the rings of the pipes (kPipes * kPipeCapacity bytes; without them pipe()
    // answers no_space and FIFOs cannot be opened), and devfs, whose devices fs serves.
    void serve_pipes(uint8_t* rings);
    void serve_devices(DeviceFileSystem& devfs) { m_devfs = &devfs; }
    // What kFileShutdown does after syncing the tree: makes the disk's file systems clean and
    // read-only (main.cc knows which they are).
    void on_shutdown_call(Error (*stop)()) { m_stop = stop; }
    // Before start: what kFileMount mounts (server_mounts.cc); without it mount answers
    // no_space. The block caches kFileStatistics sums (the root's; the sources' own is added).
    void serve_mounts(MountSources& sources) { m_sources = &sources; }
    void count_cache(const BlockCache& cache) { m_root_cache = &cache; }
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
    ipc::Error on_pipe(axo_thread_id_t from, const file::PipeRequest&, file::PipeReply&);
    ipc::Error on_poll(axo_thread_id_t from, const file::PollRequest&, file::PollReply&);
    ipc::Error on_map_object(axo_thread_id_t from, const file::MapObjectRequest&,
                             file::MapObjectReply&);
    ipc::Error on_map_sync(axo_thread_id_t from, const file::MapSyncRequest&, ipc::Empty&);
    ipc::Error on_map_release(axo_thread_id_t from, const file::MapReleaseRequest&, ipc::Empty&);
    ipc::Error on_shutdown(axo_thread_id_t from, const file::ShutdownRequest&, ipc::Empty&);
    // Mounts at run time and fs's counters (server_mounts.cc).
    ipc::Error on_mount(axo_thread_id_t from, const file::MountRequest&, ipc::Empty&);
    ipc::Error on_umount(axo_thread_id_t from, const file::UmountRequest&, ipc::Empty&);
    ipc::Error on_statistics(axo_thread_id_t from, const file::StatisticsRequest&,
                             file::StatisticsReply&);
    // Advisory locks (server_locks.cc).
    ipc::Error on_lock(axo_thread_id_t from, const file::LockRequest&, file::LockReply&);
    ipc::Error on_flock(axo_thread_id_t from, const file::FlockRequest&, ipc::Empty&);

    // The Dispatcher's request hook: a new request from `from` gives up its parked one.
    static void on_request(Server& server, axo_thread_id_t from);
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
    // Whether proc notified kProcEventsBit since the last time (the bit is taken): a poll of the
    // thread's notification word, a receive from itself with a zero timeout.
    bool events_notified();
    // The events proc notified, if it did; then the wakes due (parked pipe requests and lock
    // waits that can go on: after this request's cancellations, or after an exit).
    void follow_events();
    void resync();
    void forget(uint32_t pid);
    // Copies a path of `length` bytes at `offset` of `buffer` into `out` (NUL-terminated
    // there, no NUL inside): bad_message otherwise.
    ipc::Error take_path(const uint8_t* buffer, uint32_t offset, uint32_t length, char* out);

    // ---- Pipes, FIFOs and devices (server_pipes.cc's part of the server)
    // A parked pipe request (the PendingRequests payload).
    struct PipeWait {
        enum class Kind : uint8_t { read, write, open };
        Kind kind = Kind::read;
        uint8_t pipe = 0;         // the slot
        Handle handle = -1;       // an open: the handle made for it
        uint32_t pid = 0;         // the client's process
        uint32_t description = 0; // an open: its description
        uint32_t mode = 0, device = 0;
    };
    struct PipeSlot {
        Pipe pipe;
        bool used = false;
        bool fifo = false; // a FIFO's: `node` is its inode
        Node node;
    };
    // The pipe ends a description holds (indexed by OpenDescription::description).
    struct PipeEnds {
        uint8_t pipe = 0; // slot + 1; 0: none
        bool read = false, write = false;
    };
    // Reads and writes of descriptions of kind object: FIFOs and pipes, devfs's devices.
    ipc::Error served_device(const OpenDescription& description);
    ipc::Error read_object(axo_thread_id_t from, const Caller& caller,
                           const OpenDescription& description, std::span<uint8_t> buffer,
                           file::CountReply& reply);
    ipc::Error write_object(axo_thread_id_t from, const Caller& caller,
                            const OpenDescription& description, std::span<const uint8_t> data,
                            file::CountReply& reply);
    // After Vfs::open made `handle`: a FIFO's open rendezvous (ok, an error after the handle
    // was closed again, or kNoReply: it waits).
    ipc::Error open_fifo(axo_thread_id_t from, const Caller& caller, Handle handle,
                         const OpenDescription& description);
    int32_t take_pipe_slot();
    // Parks `wait` for `from` (a read or write of `count` bytes, an open of `end`); kNoReply,
    // or busy.
    ipc::Error park(axo_thread_id_t from, const PipeWait& wait, uint32_t count,
                    PipeEnd end = PipeEnd::read);
    // A parked request that will not be answered leaves its pipe (an open's handle is closed).
    void abandon(ipc::PendingTicket ticket, const PipeWait& wait);
    void abandon_process(uint32_t pid);
    // Answers what can go on in every pipe, and frees the pipes nobody holds.
    void settle_pipes();
    void send_sigpipe(uint32_t pid);
    void released(const OpenDescription& description) override;
    // Whether a request or a poll waits for something another process's end can change: then
    // the server's receive also waits for kProcEventsBit (server.cc, run).
    bool anyone_waits() const;
    // Replies to `reply_to` (nil: none) and receives the next message; while anyone waits, a
    // notification of proc's events ends the receive too (nil is returned, the events followed).
    axo_thread_id_t reply_and_receive(axo_thread_id_t reply_to);

    // ---- select and poll (server_poll.cc)
    static constexpr uint32_t kPollers = 32;        // threads waiting in poll, at once
    static constexpr uint32_t kPollInterests = 256; // their (pipe end, events) pairs in all
    // The readiness table's name of a pipe slot's end (never 0).
    static ReadinessObject pipe_object(uint32_t slot, PipeEnd end);
    // `handle`'s poll events now (kPollNval: not open); the table objects it is to wait on go
    // to `interests` (up to two: an O_RDWR FIFO's ends), their count to *added.
    uint32_t readiness_of(const Caller& caller, Handle handle, Interest* interests, uint32_t wanted,
                          uint32_t* added);
    // Sends the notifications the readiness table has due.
    void send_readiness();
    // ---- Advisory locks (server_locks.cc's part of the server)
    // A parked F_SETLKW or blocking flock (the lock-wait table's payload).
    struct LockWait {
        bool flock = false; // flock's table; else fcntl's
        Node node;
        uint32_t owner = 0; // fcntl: the pid; flock: kFlockOwner | the description
        uint32_t pid = 0;   // the waiting process
        LockKind kind = LockKind::shared;
        LockRange range;
    };
    static constexpr uint32_t kFlockOwner = 0x80000000u; // never a pid
    // The caller closed a handle of `node` (POSIX: all of its fcntl locks there go), or ended.
    void release_locks(uint32_t pid, const OpenDescription& closed);
    void release_locks(uint32_t pid);
    // Answers the lock waits that can go on now, oldest first.
    void settle_locks();
    // A wait of `pid` for `range` would close a cycle with a process waiting for `pid`.
    bool would_deadlock(uint32_t pid, Node node, LockKind kind, LockRange range);

    Vfs& m_vfs;
    uint8_t* m_buffers;
    DeviceFileSystem* m_devfs = nullptr;
    uint8_t* m_rings = nullptr;
    PipeSlot m_pipes[kPipes];
    uint32_t m_pipes_used = 0; // slots with `used` set
    PipeEnds m_ends[kMaxOpenFiles];
    ipc::PendingRequests<PipeWait, kPipeWaiters> m_pending;
    ReadinessTable::Registration m_poll_registrations[kPollers];
    ReadinessTable::InterestSlot m_poll_interests[kPollInterests];
    ReadinessTable m_readiness{m_poll_registrations, m_poll_interests, ipc::kernel_liveness()};
    ipc::Sessions<kSessions> m_sessions{file::kBufferLog2, ipc::WhenFull::take_least_recent};
    Known m_known[kKnown] = {};
    uint32_t m_next_known = 0;
    uint32_t m_last_known = 0; // where the last caller was found
    bool m_subscribed = false;
    char m_first[kPathMax];
    char m_second[kPathMax];
    ExecPager m_exec;    // fs as the pager of executables (servers/fs/pager)
    FileMapper m_mapper; // shared file mappings (servers/fs/pager)
    LockTable::Slot m_lock_slots[kLockSlots];
    LockTable::Slot m_flock_slots[kLockSlots];
    LockTable m_locks{m_lock_slots};   // fcntl's, owned by processes
    LockTable m_flocks{m_flock_slots}; // flock's, owned by open descriptions
    ipc::PendingRequests<LockWait, kLockWaiters> m_lock_waits;
    Error (*m_stop)() = nullptr;
    MountSources* m_sources = nullptr;
    const BlockCache* m_root_cache = nullptr;
    bool m_stopped = false;
};

} // namespace fs
