// Messages as the RPC framework sees them: a view over message registers (the UTCB's MR0..MR63
// on the target, any array of words in host tests), layouts of plain words, and the one
// conventional shape of requests and replies that every protocol shares:
//
//   request: label = the operation, u = exactly the words of its request struct, t = 0
//   reply:   label = an ipc::Error; on Error::ok, u = exactly the words of the reply struct,
//            otherwise u = 0
//
// Nothing here makes a system call, so all of it compiles and is tested on the host.
#pragma once

#include <concepts>
#include <stddef.h>
#include <stdint.h>
#include <type_traits>

#include "axolotl/abi.h"
#include "lib/ipc/error.h"

namespace ipc {

// Untyped words a message can carry at most: MR1..MR63.
constexpr uint32_t kMaxWords = AXO_MR_COUNT - 1;

// ---- Layouts -------------------------------------------------------------------------------

// A struct that travels as untyped words: plain bytes (it is copied, never constructed), a
// whole number of words, at most kMaxWords of them. An empty struct is zero words (C++ gives
// it size 1, so it is special-cased). Protocol headers pin each layout with
// static_assert(ipc::wire_words<T> == N), so a changed layout is a compile error.
template <class T>
concept WireLayout = std::is_trivially_copyable_v<T> && std::is_standard_layout_v<T> &&
    (std::is_empty_v<T> || (sizeof(T) % 4 == 0 && alignof(T) <= 4 && sizeof(T) / 4 <= kMaxWords));

template <WireLayout T>
inline constexpr uint32_t wire_words = std::is_empty_v<T> ? 0 : sizeof(T) / 4;

// The payload of a request or reply that has none.
struct Empty {};
static_assert(wire_words<Empty> == 0);

// A request type names its operation and its reply. Labels at and above AXO_LABEL_EXCEPTION
// are the kernel's (exceptions, page faults, interrupts) and never name an operation.
//   struct LookupRequest { static constexpr uint32_t kLabel = ...; using Reply = ...; ... };
// Static members do not change the layout.
template <class T>
concept Request = WireLayout<T> && WireLayout<typename T::Reply> && requires {
    { T::kLabel } -> std::convertible_to<uint32_t>;
} &&(T::kLabel < AXO_LABEL_EXCEPTION);

// A string field of a message: N bytes (a multiple of 4), NUL-terminated, so it holds up to
// N - 1 characters. set() zero-fills the rest, so no stale bytes of the sender's leak into
// the message. A receiver must call valid() before using the bytes as a C string: the
// sender controls every byte.
template <uint32_t N> struct WireString {
    static_assert(N % 4 == 0 && N > 0, "a whole number of words");
    static constexpr uint32_t kCapacity = N - 1;

    char bytes[N];

    // False (and the string left empty) if `text` does not fit.
    bool set(const char* text) {
        uint32_t length = 0;
        while (length <= kCapacity && text[length] != '\0')
            ++length;
        for (uint32_t i = 0; i < N; ++i)
            bytes[i] = '\0';
        if (length > kCapacity) return false;
        for (uint32_t i = 0; i < length; ++i)
            bytes[i] = text[i];
        return true;
    }
    // Terminated inside the field.
    bool terminated() const {
        for (uint32_t i = 0; i < N; ++i)
            if (bytes[i] == '\0') return true;
        return false;
    }
    // Only for a terminated string.
    uint32_t length() const {
        uint32_t n = 0;
        while (n < N && bytes[n] != '\0')
            ++n;
        return n;
    }
    const char* c_str() const { return bytes; }
    bool equals(const char* text) const {
        for (uint32_t i = 0; i < N; ++i) {
            if (bytes[i] != text[i]) return false;
            if (bytes[i] == '\0') return true;
        }
        return false;
    }
};

// ---- The view ------------------------------------------------------------------------------

// Message registers: mr[0] is the tag, mr[1..] the words. The view owns nothing; on the target
// it points into the caller's UTCB, so it is valid only until the next IPC overwrites it —
// copy a request out (get()) before building the reply in the same registers.
class Message {
public:
    explicit Message(uint32_t* registers) : m_mr(registers) {}

    axo_msg_tag_t tag() const { return m_mr[0]; }
    uint32_t label() const { return axo_tag_label(m_mr[0]); }
    uint32_t untyped() const { return axo_tag_untyped(m_mr[0]); }
    uint32_t typed() const { return axo_tag_typed(m_mr[0]); }
    // The kernel's error flag: the IPC that filled these registers failed.
    bool failed() const { return axo_tag_failed(m_mr[0]) != 0; }

    // Word i of the payload (MR i+1), i < kMaxWords. Reading past untyped() reads whatever
    // the registers hold: check untyped() first.
    uint32_t word(uint32_t i) const { return m_mr[1 + i]; }
    void set_word(uint32_t i, uint32_t value) { m_mr[1 + i] = value; }
    uint32_t* words() { return m_mr + 1; }
    const uint32_t* words() const { return m_mr + 1; }

    void set_tag(uint32_t label, uint32_t untyped, uint32_t typed = 0) {
        m_mr[0] = axo_msg_tag(label, untyped, typed);
    }
    uint32_t* registers() { return m_mr; }

private:
    uint32_t* m_mr;
};

// ---- Marshalling ---------------------------------------------------------------------------

// Writes `value` as the message's words and sets the tag: label, exactly its word count, no
// typed items.
template <WireLayout T> void put(Message& message, uint32_t label, const T& value) {
    if constexpr (wire_words < T >> 0) __builtin_memcpy(message.words(), &value, sizeof(T));
    message.set_tag(label, wire_words<T>, 0);
}

// Copies the words into `out` if the message has exactly T's shape: the word count of T and
// no typed items. Anything else is Error::bad_message and `out` is left alone — a sender never
// makes a receiver read words it did not send.
template <WireLayout T> Error get(const Message& message, T& out) {
    if (message.untyped() != wire_words<T> || message.typed() != 0) return Error::bad_message;
    if constexpr (wire_words < T >> 0) __builtin_memcpy(&out, message.words(), sizeof(T));
    return Error::ok;
}

// ---- Replies ---------------------------------------------------------------------------------

template <WireLayout T> void put_reply(Message& message, const T& reply) {
    put(message, static_cast<uint32_t>(Error::ok), reply);
}
// An error reply carries no words: the label is the whole answer.
inline void put_error(Message& message, Error error) {
    message.set_tag(static_cast<uint32_t>(error), 0, 0);
}

// The client's reading of a reply: the server's error, or bad_message if an ok reply does not
// have the reply's shape (a server speaking another protocol, or another version of it).
template <WireLayout T> Error get_reply(const Message& message, T& out) {
    if (message.label() != static_cast<uint32_t>(Error::ok)) {
        if (message.untyped() != 0 || message.typed() != 0) return Error::bad_message;
        // A server must not claim a transport error: that would make a client believe the
        // server is gone (and retry) while it is alive.
        Error error = static_cast<Error>(message.label());
        return is_transport_error(error) ? Error::bad_message : error;
    }
    return get(message, out);
}

// ---- IPC errors ------------------------------------------------------------------------------

// The client's view of a failed IPC, from the UTCB error word ((code << 1) | phase).
constexpr Error transport_error(uint32_t error_word) {
    switch (axo_ipc_error_code(error_word)) {
    case AXO_IPC_TIMEOUT:
        return Error::timed_out;
    case AXO_IPC_NO_PARTNER:
        return Error::server_gone;
    case AXO_IPC_NO_MEMORY:
        return Error::no_memory; // the kernel could not map what the message carried
    default:
        return Error::ipc_failed;
    }
}

} // namespace ipc
