// Client stubs for proc's process operations (protocol.h), over any ipc transport — the
// kernel's (ipc::KernelTransport) in programs, a fake in host tests. `proc` is the root task's
// thread id (kip->root_task). Every call but exit takes a timeout for each phase; a wait's
// reply phase lasts until the child ends, so bound it if the caller must not hang.
#pragma once

#include <stdint.h>

#include "interfaces/process/protocol.h"
#include "lib/ipc/client.h"

namespace proc::client {

// `arguments`: space-separated words (nullptr: none); invalid_argument if they do not fit.
template <ipc::Transport T>
ipc::Error spawn(T& transport, axo_thread_id_t proc, const char* image, const char* arguments,
                 SpawnReply& reply, axo_timeout_t timeout = AXO_TIMEOUT_NEVER) {
    SpawnRequest request{};
    if (!request.image.set(image)) return ipc::Error::invalid_argument;
    uint32_t n = 0;
    for (; arguments != nullptr && arguments[n] != '\0'; ++n) {
        if (n + 1 == kArgumentBytes) return ipc::Error::invalid_argument;
        request.arguments[n] = arguments[n];
    }
    request.arguments[n] = '\0';
    return ipc::call(transport, proc, request, reply, timeout);
}

// An argument block (protocol.h, "Arguments and environment as a block") in the caller's
// memory, aligned so that one fpage covers it: arguments first, then environment strings.
// Large (2 * kArgumentWindowBytes of address space): keep it static; only the pages written
// become memory.
class ArgumentBlock {
public:
    void clear() { m_argc = m_envc = m_bytes = m_prefix = 0; }
    // kProcExecFile: the program file's headers before the strings (at most kExecHeaderBytes).
    // Only into an empty block; false otherwise.
    bool set_prefix(const uint8_t* bytes, uint32_t n) {
        if (m_bytes != 0 || m_argc + m_envc != 0 || n > kExecHeaderBytes) return false;
        __builtin_memcpy(m_text, bytes, n);
        m_prefix = n;
        return true;
    }
    uint32_t prefix() const { return m_prefix; }
    // False (and nothing added) if the block would pass kMaxArgumentBytes or
    // kMaxArgumentStrings, or (for an argument) an environment string is in already.
    bool add_argument(const char* text) { return m_envc == 0 && add(text, m_argc); }
    bool add_environment(const char* text) { return add(text, m_envc); }
    // Every space-separated word of `words` as an argument.
    bool add_words(const char* words) {
        char word[kArgumentBytes];
        for (uint32_t i = 0; words != nullptr && words[i] != '\0';) {
            while (words[i] == ' ')
                ++i;
            uint32_t n = 0;
            while (words[i] != '\0' && words[i] != ' ') {
                if (n + 1 == sizeof word) return false;
                word[n++] = words[i++];
            }
            word[n] = '\0';
            if (n != 0 && !add_argument(word)) return false;
        }
        return true;
    }

    uint32_t argc() const { return m_argc; }
    uint32_t envc() const { return m_envc; }
    uint32_t bytes() const { return m_bytes; }
    const char* text() const { return m_text + m_prefix; }
    // The request's map item: the smallest fpage from the block's start that covers it (the
    // prefix too), read only (nil for an empty block).
    ipc::MapItem item() const {
        uint32_t bytes = m_prefix + m_bytes;
        if (bytes == 0) return ipc::MapItem::map(0, AXO_FPAGE_NIL);
        uint32_t log2 = 12;
        while ((1u << log2) < bytes)
            ++log2;
        return ipc::MapItem::map(
            0, axo_fpage(static_cast<uint32_t>(reinterpret_cast<uintptr_t>(m_text)), log2,
                         AXO_FPAGE_R));
    }

private:
    bool add(const char* text, uint32_t& count) {
        uint32_t n = 0;
        while (text[n] != '\0')
            ++n;
        if (m_argc + m_envc + 1 > kMaxArgumentStrings || n + 1 > kMaxArgumentBytes - m_bytes ||
            n + 1 > kArgumentWindowBytes - m_prefix - m_bytes)
            return false;
        __builtin_memcpy(m_text + m_prefix + m_bytes, text, n + 1);
        m_bytes += n + 1;
        ++count;
        return true;
    }

    alignas(kArgumentWindowBytes) char m_text[kArgumentWindowBytes];
    uint32_t m_argc = 0, m_envc = 0, m_bytes = 0, m_prefix = 0;
};

// spawn (kProcSpawnBlock) with the arguments and environment of `block`.
template <ipc::Transport T>
ipc::Error spawn(T& transport, axo_thread_id_t proc, const char* image, const ArgumentBlock& block,
                 SpawnReply& reply, axo_timeout_t timeout = AXO_TIMEOUT_NEVER) {
    SpawnBlockRequest request{};
    if (!request.image.set(image)) return ipc::Error::invalid_argument;
    request.argc = block.argc();
    request.envc = block.envc();
    request.bytes = block.bytes();
    return ipc::call_with_item(transport, proc, request, block.item(), reply, timeout);
}

// exec (kProcExecBlock): returns only if proc refused or could not be reached.
template <ipc::Transport T>
ipc::Error exec(T& transport, axo_thread_id_t proc, const char* image, const ArgumentBlock& block,
                axo_timeout_t timeout = AXO_TIMEOUT_NEVER) {
    ExecBlockRequest request{};
    if (!request.image.set(image)) return ipc::Error::invalid_argument;
    request.argc = block.argc();
    request.envc = block.envc();
    request.bytes = block.bytes();
    ipc::Empty reply;
    return ipc::call_with_item(transport, proc, request, block.item(), reply, timeout);
}

// exec of a program file (kProcExecFile): `object` and `file_size` from fs (interfaces/file
// kFileExecObject), the file's headers in `block`'s prefix. Returns only if proc refused or
// could not be reached.
template <ipc::Transport T>
ipc::Error exec_file(T& transport, axo_thread_id_t proc, uint32_t object, uint32_t file_size,
                     const ArgumentBlock& block, axo_timeout_t timeout = AXO_TIMEOUT_NEVER) {
    ExecFileRequest request{object,       file_size,    block.prefix(),
                            block.argc(), block.envc(), block.bytes()};
    ipc::Empty reply;
    return ipc::call_with_item(transport, proc, request, block.item(), reply, timeout);
}

template <ipc::Transport T>
ipc::Error wait(T& transport, axo_thread_id_t proc, ProcessId pid, uint32_t options,
                WaitReply& reply, axo_timeout_t timeout = AXO_TIMEOUT_NEVER) {
    return ipc::call(transport, proc, WaitRequest{pid, options}, reply, timeout);
}

// `pid` as POSIX kill(): > 0 a process, 0 the caller's group, -1 everybody, < -1 a group.
template <ipc::Transport T>
ipc::Error kill(T& transport, axo_thread_id_t proc, int32_t pid, uint32_t signal,
                axo_timeout_t timeout = AXO_TIMEOUT_NEVER) {
    ipc::Empty reply;
    return ipc::call(transport, proc, KillRequest{pid, signal}, reply, timeout);
}

// `thread` nil: the caller's own process.
template <ipc::Transport T>
ipc::Error identify(T& transport, axo_thread_id_t proc, axo_thread_id_t thread,
                    IdentifyReply& reply, axo_timeout_t timeout = AXO_TIMEOUT_NEVER) {
    return ipc::call(transport, proc, IdentifyRequest{thread}, reply, timeout);
}

template <ipc::Transport T>
ipc::Error set_process_group(T& transport, axo_thread_id_t proc, int32_t pid, int32_t pgid,
                             axo_timeout_t timeout = AXO_TIMEOUT_NEVER) {
    ipc::Empty reply;
    return ipc::call(transport, proc, SetProcessGroupRequest{pid, pgid}, reply, timeout);
}

template <ipc::Transport T>
ipc::Error set_session(T& transport, axo_thread_id_t proc, SetSessionReply& reply,
                       axo_timeout_t timeout = AXO_TIMEOUT_NEVER) {
    return ipc::call(transport, proc, SetSessionRequest{}, reply, timeout);
}

template <ipc::Transport T>
ipc::Error set_credentials(T& transport, axo_thread_id_t proc, CredentialOperation operation,
                           uint32_t id, axo_timeout_t timeout = AXO_TIMEOUT_NEVER) {
    ipc::Empty reply;
    return ipc::call(transport, proc, SetCredentialsRequest{operation, id}, reply, timeout);
}

template <ipc::Transport T>
ipc::Error subscribe(T& transport, axo_thread_id_t proc,
                     axo_timeout_t timeout = AXO_TIMEOUT_NEVER) {
    ipc::Empty reply;
    return ipc::call(transport, proc, EventSubscribeRequest{}, reply, timeout);
}

// As subscribe; proc notifies the calling thread with `bits` whenever an event is queued for it.
template <ipc::Transport T>
ipc::Error subscribe_notify(T& transport, axo_thread_id_t proc, uint32_t bits,
                            axo_timeout_t timeout = AXO_TIMEOUT_NEVER) {
    ipc::Empty reply;
    return ipc::call(transport, proc, EventSubscribeNotifyRequest{bits}, reply, timeout);
}

// Blocks until there are events, unless `options` has kEventNoHang (bound it with `timeout`).
template <ipc::Transport T>
ipc::Error next_events(T& transport, axo_thread_id_t proc, uint32_t options, EventNextReply& reply,
                       axo_timeout_t timeout = AXO_TIMEOUT_NEVER) {
    return ipc::call(transport, proc, EventNextRequest{options}, reply, timeout);
}

template <ipc::Transport T>
ipc::Error list(T& transport, axo_thread_id_t proc, ProcessId from, ListReply& reply,
                axo_timeout_t timeout = AXO_TIMEOUT_NEVER) {
    return ipc::call(transport, proc, ListRequest{from}, reply, timeout);
}

template <ipc::Transport T>
ipc::Error signal_state(T& transport, axo_thread_id_t proc, uint32_t ignored, uint32_t caught,
                        SignalStateReply& reply, axo_timeout_t timeout = AXO_TIMEOUT_NEVER) {
    return ipc::call(transport, proc, SignalStateRequest{ignored, caught}, reply, timeout);
}

// Returns only if proc refused (the caller is no process) or could not be reached.
template <ipc::Transport T> ipc::Error exit(T& transport, axo_thread_id_t proc, int32_t status) {
    ipc::Empty reply;
    return ipc::call(transport, proc, ExitRequest{status}, reply);
}

template <ipc::Transport T>
ipc::Error statistics(T& transport, axo_thread_id_t proc, StatisticsReply& reply,
                      axo_timeout_t timeout = AXO_TIMEOUT_NEVER) {
    return ipc::call(transport, proc, StatisticsRequest{}, reply, timeout);
}

} // namespace proc::client
