// The file interface's client (protocol.h) for one thread: its session with fs — the name "fs"
// looked up at proc (names::Binding), the shared buffer attached into `window`, both done
// again after fs restarted or took the buffer back (as lib/names/session.h does for others). Paths
// go into the buffer, data comes and goes through it; every call returns an ipc::Error
// (lib/ipc/errno_map.h makes it an errno).
//
//   alignas(file::kBufferBytes) static uint8_t g_window[file::kBufferBytes];
//   file::Client files(g_window);
//   int32_t fd;
//   files.open(file::kAtCwd, "/tmp/x", AXO_FILE_O_CREAT | AXO_FILE_O_RDWR, 0644, fd);
//
// Requests that only look (stat, access, readlink, getcwd, statfs) are retried after fs
// restarted; the others are not (a handle of a dead fs is gone anyway: README.md "Restarts").
// Not thread-safe: one Client per thread (each thread has its own buffer at fs).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "axolotl/kip.h"
#include "interfaces/file/protocol.h"
#include "interfaces/names/client.h"
#include "lib/ipc/client.h"
#include "lib/ipc/kernel.h"
#include "lib/ipc/kip.h"

namespace file {

class Client {
public:
    // `window`: kBufferBytes of the caller's own memory aligned to kBufferBytes. `timeout`
    // bounds every call (a read of an empty pipe waits in fs until then: Error::timeout).
    explicit Client(uint8_t* window, const char* name = "fs",
                    axo_timeout_t timeout = AXO_TIMEOUT_NEVER)
        : m_window(window), m_timeout(timeout),
          m_binding(m_transport, ipc::kip()->root_task, name) {}

    uint8_t* buffer() { return m_window; }
    names::Binding<ipc::KernelTransport>& binding() { return m_binding; }
    bool attached() const { return m_attached && m_binding.server() != AXO_NIL_THREAD; }

    // Attaches now unless attached to the current server already.
    ipc::Error attach() {
        if (attached()) return ipc::Error::ok;
        m_attached = false;
        axo_fpage_t window = axo_fpage(static_cast<uint32_t>(reinterpret_cast<uintptr_t>(m_window)),
                                       kBufferLog2, AXO_FPAGE_RWX);
        AttachReply reply{};
        ipc::Error error = m_binding.with_server([&](axo_thread_id_t server) {
            return ipc::call_receiving_item(m_transport, server, AttachRequest{}, reply, window,
                                            m_timeout);
        });
        m_attached = error == ipc::Error::ok;
        return error;
    }

    // One request, never retried; a gone server or a lost session is noted, so the next call
    // looks the name up and attaches again. For requests of its own (tests send malformed ones).
    template <ipc::Request Req>
    ipc::Error call_once(const Req& request, typename Req::Reply& reply) {
        if (ipc::Error error = attach(); error != ipc::Error::ok) return error;
        ipc::Error error = m_binding.call_once(request, reply, m_timeout);
        if (error == ipc::Error::server_gone || error == kSessionLost) m_attached = false;
        return error;
    }

    // ---- Open files ----------------------------------------------------------------------
    ipc::Error open(int32_t at, const char* path, uint32_t flags, uint32_t mode, int32_t& handle,
                    OpenReply* description = nullptr) {
        OpenRequest request{at, flags, mode, 0};
        OpenReply reply{};
        ipc::Error error = with_paths(path, nullptr, request.path_length, m_unused,
                                      [&] { return call_once(request, reply); });
        if (error == ipc::Error::ok) {
            handle = reply.handle;
            if (description != nullptr) *description = reply;
        }
        return error;
    }
    ipc::Error close(int32_t handle) {
        ipc::Empty reply;
        return call_once(CloseRequest{{handle}}, reply);
    }
    ipc::Error dup(int32_t handle, int32_t& copy) {
        HandleReply reply{};
        ipc::Error error = call_once(DupRequest{{handle}}, reply);
        if (error == ipc::Error::ok) copy = reply.handle;
        return error;
    }
    ipc::Error get_flags(int32_t handle, uint32_t& flags) {
        FlagsReply reply{};
        ipc::Error error = call_once(GetFlagsRequest{{handle}}, reply);
        if (error == ipc::Error::ok) flags = reply.flags;
        return error;
    }
    ipc::Error set_flags(int32_t handle, uint32_t flags) {
        ipc::Empty reply;
        return call_once(SetFlagsRequest{handle, flags}, reply);
    }

    // pipe(): `ends[0]` the read end, `ends[1]` the write end (as pipe(2)); `flags`
    // AXO_FILE_O_NONBLOCK or 0. A read of a pipe blocks until bytes come or the last writer
    // closes (0); see protocol.h for the rest.
    ipc::Error pipe(int32_t ends[2], uint32_t flags = 0) {
        PipeReply reply{};
        ipc::Error error = call_once(PipeRequest{flags}, reply);
        if (error == ipc::Error::ok) {
            ends[0] = reply.read_handle;
            ends[1] = reply.write_handle;
        }
        return error;
    }

    // Reads up to `length` bytes (any length: in buffer-sized steps until a short one).
    // poll: `count` items (at most kPollMaxItems) are copied into the buffer and their revents
    // back; `ready` the items with some.
    ipc::Error poll(PollItem* items, uint32_t count, uint32_t bit, uint32_t flags,
                    uint32_t& ready) {
        if (count == 0 || count > kPollMaxItems) return ipc::Error::invalid_argument;
        auto refill = [&] { __builtin_memcpy(m_window, items, count * sizeof(PollItem)); };
        refill();
        PollReply reply{};
        ipc::Error error = call_idempotent(PollRequest{count, bit, flags}, reply, refill);
        if (error != ipc::Error::ok) return error;
        if (reply.ready > count) return ipc::Error::bad_message;
        __builtin_memcpy(items, m_window, count * sizeof(PollItem));
        ready = reply.ready;
        return ipc::Error::ok;
    }

    ipc::Error read(int32_t handle, void* data, size_t length, size_t& done) {
        return transfer<ReadRequest>(handle, data, length, done, false, 0);
    }
    ipc::Error write(int32_t handle, const void* data, size_t length, size_t& done) {
        return transfer<WriteRequest>(handle, const_cast<void*>(data), length, done, true, 0);
    }
    ipc::Error pread(int32_t handle, void* data, size_t length, uint64_t offset, size_t& done) {
        return transfer<PreadRequest>(handle, data, length, done, false, offset);
    }
    ipc::Error pwrite(int32_t handle, const void* data, size_t length, uint64_t offset,
                      size_t& done) {
        return transfer<PwriteRequest>(handle, const_cast<void*>(data), length, done, true, offset);
    }
    ipc::Error seek(int32_t handle, int64_t offset, uint32_t whence, uint64_t& position) {
        uint64_t bits = static_cast<uint64_t>(offset);
        SeekReply reply{};
        ipc::Error error = call_once(SeekRequest{handle, low(bits), high(bits), whence}, reply);
        if (error == ipc::Error::ok) position = join(reply.offset_low, reply.offset_high);
        return error;
    }
    // Entries as DirectoryRecords in buffer() (reply.bytes of them).
    ipc::Error readdir(int32_t handle, ReaddirReply& reply, uint32_t max_bytes = kBufferBytes) {
        return call_once(ReaddirRequest{handle, max_bytes}, reply);
    }
    ipc::Error fsync(int32_t handle) {
        ipc::Empty reply;
        return call_once(FsyncRequest{{handle}}, reply);
    }
    ipc::Error sync() {
        ipc::Empty reply;
        return call_once(SyncRequest{}, reply);
    }
    ipc::Error shutdown() {
        ipc::Empty reply;
        return call_once(ShutdownRequest{}, reply);
    }

    // ---- Mounts and statistics ---------------------------------------------------------------
    // `type` AXO_FILE_MOUNT_TMPFS or AXO_FILE_MOUNT_EXT2; `source` the block device of an ext2
    // (nullptr: none, for tmpfs).
    ipc::Error mount(const char* source, const char* target, uint32_t type, uint32_t flags) {
        MountRequest request{0, 0, type, flags};
        return changing(target, source != nullptr ? source : "", request.target_length,
                        request.source_length, request);
    }
    ipc::Error umount(const char* target, uint32_t flags = 0) {
        UmountRequest request{0, flags};
        return changing(target, nullptr, request.path_length, m_unused, request);
    }
    ipc::Error statistics(StatisticsReply& out) { return call_once(StatisticsRequest{}, out); }

    // ---- Locks -------------------------------------------------------------------------------
    ipc::Error lock(const LockRequest& request, LockReply& reply) {
        return call_once(request, reply);
    }
    ipc::Error flock(int32_t handle, uint32_t operation) {
        ipc::Empty reply;
        return call_once(FlockRequest{handle, operation}, reply);
    }

    // ---- Attributes ------------------------------------------------------------------------
    ipc::Error stat(int32_t at, const char* path, Stat& out, bool follow = true) {
        StatRequest request{at, 0, follow ? 0u : AXO_FILE_NOFOLLOW};
        return looking(path, request.path_length, request, out);
    }
    ipc::Error fstat(int32_t handle, Stat& out) { return call_once(FstatRequest{{handle}}, out); }
    ipc::Error access(int32_t at, const char* path, uint32_t mode, uint32_t flags = 0) {
        AccessRequest request{at, 0, mode, flags};
        ipc::Empty reply;
        return looking(path, request.path_length, request, reply);
    }
    ipc::Error truncate(int32_t at, const char* path, uint64_t size) {
        TruncateRequest request{at, 0, low(size), high(size)};
        return changing(path, nullptr, request.path_length, m_unused, request);
    }
    ipc::Error ftruncate(int32_t handle, uint64_t size) {
        ipc::Empty reply;
        return call_once(FtruncateRequest{handle, low(size), high(size)}, reply);
    }
    ipc::Error chmod(int32_t at, const char* path, uint32_t mode, uint32_t flags = 0) {
        ChmodRequest request{at, 0, mode, flags};
        return changing(path, nullptr, request.path_length, m_unused, request);
    }
    ipc::Error fchmod(int32_t handle, uint32_t mode) {
        ipc::Empty reply;
        return call_once(FchmodRequest{handle, mode}, reply);
    }
    ipc::Error chown(int32_t at, const char* path, uint32_t uid, uint32_t gid, uint32_t flags = 0) {
        ChownRequest request{at, 0, uid, gid, flags};
        return changing(path, nullptr, request.path_length, m_unused, request);
    }
    ipc::Error fchown(int32_t handle, uint32_t uid, uint32_t gid) {
        ipc::Empty reply;
        return call_once(FchownRequest{handle, uid, gid}, reply);
    }
    // `times` nullptr: now.
    ipc::Error utimes(int32_t at, const char* path, const Times* times, uint32_t flags = 0) {
        UtimesRequest request{at, 0, flags | (times == nullptr ? AXO_FILE_TIMES_NOW : 0u),
                              times != nullptr ? *times : Times{}};
        return changing(path, nullptr, request.path_length, m_unused, request);
    }
    ipc::Error futimes(int32_t handle, const Times* times) {
        ipc::Empty reply;
        FutimesRequest request{handle, times == nullptr ? AXO_FILE_TIMES_NOW : 0u,
                               times != nullptr ? *times : Times{}};
        return call_once(request, reply);
    }
    ipc::Error statfs(int32_t at, const char* path, StatfsReply& out) {
        StatfsRequest request{{at, 0}};
        return looking(path, request.path_length, request, out);
    }
    ipc::Error fstatfs(int32_t handle, StatfsReply& out) {
        return call_once(FstatfsRequest{{handle}}, out);
    }
    // exec: the file's mm object and size (protocol.h, kFileExecObject).
    ipc::Error exec_object(int32_t handle, ExecObjectReply& out) {
        return call_once(ExecObjectRequest{handle, AXO_NIL_THREAD}, out);
    }
    // mmap of a file: its shared mm object (protocol.h, kFileMapObject), write-back, release.
    ipc::Error map_object(int32_t handle, bool writable, MapObjectReply& out) {
        return call_once(MapObjectRequest{handle, writable ? 1u : 0u}, out);
    }
    ipc::Error map_sync(uint32_t object) {
        ipc::Empty none;
        return call_once(MapSyncRequest{object}, none);
    }
    ipc::Error map_release(uint32_t object) {
        ipc::Empty none;
        return call_once(MapReleaseRequest{object}, none);
    }

    // ---- Names -------------------------------------------------------------------------------
    ipc::Error mkdir(int32_t at, const char* path, uint32_t mode) {
        MkdirRequest request{at, 0, mode};
        return changing(path, nullptr, request.path_length, m_unused, request);
    }
    ipc::Error rmdir(int32_t at, const char* path) {
        RmdirRequest request{{at, 0}};
        return changing(path, nullptr, request.path_length, m_unused, request);
    }
    ipc::Error unlink(int32_t at, const char* path) {
        UnlinkRequest request{{at, 0}};
        return changing(path, nullptr, request.path_length, m_unused, request);
    }
    ipc::Error rename(int32_t from_at, const char* from, int32_t to_at, const char* to) {
        RenameRequest request{{from_at, 0, to_at, 0}};
        return changing(from, to, request.from_length, request.to_length, request);
    }
    ipc::Error link(int32_t from_at, const char* from, int32_t to_at, const char* to,
                    uint32_t flags = 0) {
        LinkRequest request{from_at, 0, to_at, 0, flags};
        return changing(from, to, request.from_length, request.to_length, request);
    }
    ipc::Error symlink(const char* target, int32_t at, const char* path) {
        SymlinkRequest request{0, at, 0};
        return changing(target, path, request.target_length, request.path_length, request);
    }
    // The target into `target` (NUL-terminated, truncated to `size`); `length` its length.
    ipc::Error readlink(int32_t at, const char* path, char* target, size_t size, uint32_t& length) {
        ReadlinkRequest request{{at, 0}};
        CountReply reply{};
        ipc::Error error = looking(path, request.path_length, request, reply);
        if (error != ipc::Error::ok) return error;
        length = reply.count;
        if (size == 0) return error;
        size_t copy = reply.count < size - 1 ? reply.count : size - 1;
        if (copy > kBufferBytes) copy = kBufferBytes;
        __builtin_memcpy(target, m_window, copy);
        target[copy] = '\0';
        return error;
    }
    ipc::Error mknod(int32_t at, const char* path, uint32_t mode, uint32_t device) {
        MknodRequest request{at, 0, mode, device};
        return changing(path, nullptr, request.path_length, m_unused, request);
    }

    // ---- Working directory -----------------------------------------------------------------
    ipc::Error chdir(int32_t at, const char* path) {
        ChdirRequest request{{at, 0}};
        return changing(path, nullptr, request.path_length, m_unused, request);
    }
    ipc::Error fchdir(int32_t handle) {
        ipc::Empty reply;
        return call_once(FchdirRequest{{handle}}, reply);
    }
    // The working directory into `path` (NUL-terminated); invalid_argument if it is too small.
    ipc::Error getcwd(char* path, size_t size) {
        CountReply reply{};
        ipc::Error error = call_idempotent(GetcwdRequest{}, reply, [] {});
        if (error != ipc::Error::ok) return error;
        if (reply.count + 1 > size || reply.count >= kBufferBytes)
            return ipc::Error::invalid_argument;
        __builtin_memcpy(path, m_window, reply.count);
        path[reply.count] = '\0';
        return error;
    }

private:
    static size_t length_of(const char* s) {
        size_t n = 0;
        while (s[n] != '\0')
            ++n;
        return n;
    }
    // Puts `first` (and `second` after its NUL) into the buffer and their lengths into the
    // request; false if they do not fit.
    bool put_paths(const char* first, const char* second, uint32_t& first_length,
                   uint32_t& second_length) {
        size_t a = length_of(first);
        size_t b = second != nullptr ? length_of(second) : 0;
        if (a >= AXO_FILE_PATH_MAX || b >= AXO_FILE_PATH_MAX || a + b + 2 > kBufferBytes)
            return false;
        __builtin_memcpy(m_window, first, a + 1);
        if (second != nullptr) __builtin_memcpy(m_window + a + 1, second, b + 1);
        first_length = static_cast<uint32_t>(a);
        second_length = static_cast<uint32_t>(b);
        return true;
    }
    template <class Call>
    ipc::Error with_paths(const char* first, const char* second, uint32_t& first_length,
                          uint32_t& second_length, Call call) {
        if (ipc::Error error = attach(); error != ipc::Error::ok) return error;
        if (!put_paths(first, second, first_length, second_length))
            return ipc::Error::name_too_long;
        return call();
    }
    template <class Req>
    ipc::Error changing(const char* first, const char* second, uint32_t& first_length,
                        uint32_t& second_length, Req& request) {
        ipc::Empty reply;
        return with_paths(first, second, first_length, second_length,
                          [&] { return call_once(request, reply); });
    }
    // A request that only looks: retried (paths put again) after fs restarted.
    template <class Req>
    ipc::Error looking(const char* path, uint32_t& path_length, Req& request,
                       typename Req::Reply& reply) {
        bool fits = true;
        auto refill = [&] { fits = put_paths(path, nullptr, path_length, m_unused); };
        if (ipc::Error error = attach(); error != ipc::Error::ok) return error;
        refill();
        if (!fits) return ipc::Error::name_too_long;
        return call_idempotent(request, reply, refill);
    }
    template <class Req>
    ipc::Error transfer(int32_t handle, void* data, size_t length, size_t& done, bool writing,
                        uint64_t offset) {
        done = 0;
        if (ipc::Error error = attach(); error != ipc::Error::ok) return error;
        uint8_t* bytes = static_cast<uint8_t*>(data);
        do {
            uint32_t chunk =
                length - done < kBufferBytes ? static_cast<uint32_t>(length - done) : kBufferBytes;
            if (writing) __builtin_memcpy(m_window, bytes + done, chunk);
            Req request{};
            request.handle = handle;
            request.count = chunk;
            if constexpr (requires { request.offset_low; }) {
                request.offset_low = low(offset + done);
                request.offset_high = high(offset + done);
            }
            CountReply reply{};
            ipc::Error error = call_once(request, reply);
            if (error != ipc::Error::ok) return done != 0 ? ipc::Error::ok : error;
            if (reply.count > chunk) return ipc::Error::bad_message;
            if (!writing) __builtin_memcpy(bytes + done, m_window, reply.count);
            done += reply.count;
            if (reply.count < chunk) break;
        } while (done < length);
        return ipc::Error::ok;
    }

    // A request that may run twice: after fs restarted (server_gone) or took the buffer back,
    // the client attaches again, `refill()` puts the request's paths into the new buffer, and
    // the request goes again, up to Binding's kAttempts calls in all.
    template <ipc::Request Req, class Refill>
    ipc::Error call_idempotent(const Req& request, typename Req::Reply& reply, Refill refill) {
        ipc::Error error = ipc::Error::server_gone;
        for (uint32_t attempt = 0; attempt < names::Binding<ipc::KernelTransport>::kAttempts;
             ++attempt) {
            bool fresh = !attached();
            if (error = attach(); error != ipc::Error::ok) {
                if (error == ipc::Error::server_gone) continue;
                return error;
            }
            if (fresh) refill();
            error = call_once(request, reply);
            if (error != ipc::Error::server_gone && error != kSessionLost) return error;
        }
        return error;
    }

    // fs's answer to a thread it holds no buffer for (protocol.h): attach again.
    static constexpr ipc::Error kSessionLost = ipc::Error::bad_message;

    uint8_t* m_window;
    axo_timeout_t m_timeout;
    ipc::KernelTransport m_transport; // no state: each call uses the calling thread's registers
    names::Binding<ipc::KernelTransport> m_binding;
    bool m_attached = false;
    uint32_t m_unused = 0;
};

} // namespace file
