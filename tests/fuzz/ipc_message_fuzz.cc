// lib/ipc's unmarshalling on message registers a client (or a server, for replies) fully
// controls: get / get_reply / get_with_item / get_reply_with_item / get_page_fault accept
// exactly the shapes message.h and map_item.h describe and never write what they refuse;
// WireString never reads past its field.
#include <string.h>

#include "lib/ipc/map_item.h"
#include "lib/ipc/message.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

struct One {
    uint32_t a;
};
struct Five {
    uint32_t w[5];
};
struct Full {
    uint32_t w[ipc::kMaxWords];
};
static_assert(ipc::wire_words<Full> == ipc::kMaxWords);
static_assert(!ipc::ItemCarrier<Full>);
// The largest struct that still carries an item: the item ends in MR63.
struct MostWithItem {
    uint32_t w[ipc::kMaxWords - ipc::kItemWords];
};
static_assert(ipc::ItemCarrier<MostWithItem>);

template <class T> void sentinel(T& value) {
    memset(&value, 0xC3, sizeof value);
}
template <class T> bool is_sentinel(const T& value) {
    T expected;
    sentinel(expected);
    return memcmp(&value, &expected, sizeof value) == 0;
}

template <class T> void check_item(const ipc::Message& message);

template <class T> void check_get(const ipc::Message& message) {
    T out;
    sentinel(out);
    ipc::Error error = ipc::get(message, out);
    bool shape = message.untyped() == ipc::wire_words<T> && message.typed() == 0;
    FUZZ_CHECK((error == ipc::Error::ok) == shape);
    FUZZ_CHECK(error == ipc::Error::ok || error == ipc::Error::bad_message);
    if constexpr (!std::is_empty_v<T>) {
        if (shape)
            FUZZ_CHECK(memcmp(&out, message.words(), sizeof out) == 0);
        else
            FUZZ_CHECK(is_sentinel(out));
    }

    sentinel(out);
    error = ipc::get_reply(message, out);
    FUZZ_CHECK(!ipc::is_transport_error(error)); // a server cannot fake the transport
    if (message.label() == static_cast<uint32_t>(ipc::Error::ok))
        FUZZ_CHECK((error == ipc::Error::ok) == shape);
    else
        FUZZ_CHECK(error != ipc::Error::ok);
    if (error != ipc::Error::ok) {
        if constexpr (!std::is_empty_v<T>) FUZZ_CHECK(is_sentinel(out));
    }

    // A struct too large to leave room for an item cannot be read with one (map_item.h's
    // ItemCarrier: a compile error, since a message with u = 63 and t = 2 made get_with_item
    // read beyond MR63).
    if constexpr (ipc::ItemCarrier<T>) check_item<T>(message);
}

template <class T> void check_item(const ipc::Message& message) {
    T out;
    ipc::MapItem item{0x1234, 0x5678, false};
    sentinel(out);
    ipc::Error error = ipc::get_with_item(message, out, item);
    uint32_t type = message.word(ipc::wire_words<T>) & AXO_ITEM_TYPE_MASK;
    bool item_shape = message.untyped() == ipc::wire_words<T> &&
                      message.typed() == ipc::kItemWords &&
                      (type == AXO_ITEM_MAP || type == AXO_ITEM_GRANT);
    FUZZ_CHECK((error == ipc::Error::ok) == item_shape);
    if (item_shape) {
        FUZZ_CHECK(item.fpage == message.word(ipc::wire_words<T> + 1));
        FUZZ_CHECK((item.send_base & 0x3FFu) == 0);
        FUZZ_CHECK(item.grant == (type == AXO_ITEM_GRANT));
    } else {
        FUZZ_CHECK(item.send_base == 0x1234 && item.fpage == 0x5678 && !item.grant);
        if constexpr (!std::is_empty_v<T>) FUZZ_CHECK(is_sentinel(out));
    }
    error = ipc::get_reply_with_item(message, out, item);
    FUZZ_CHECK(!ipc::is_transport_error(error));
}

template <uint32_t N> void check_string(const uint8_t* bytes) {
    ipc::WireString<N> string;
    memcpy(string.bytes, bytes, N);
    if (string.terminated()) {
        uint32_t length = string.length();
        FUZZ_CHECK(length < N && length == strlen(string.c_str()));
        FUZZ_CHECK(string.equals(string.c_str()));
        ipc::WireString<N> copy;
        FUZZ_CHECK(copy.set(string.c_str()));
        FUZZ_CHECK(copy.terminated() && copy.length() == length);
        for (uint32_t i = length; i < N; ++i)
            FUZZ_CHECK(copy.bytes[i] == '\0'); // nothing stale leaks
    } else {
        FUZZ_CHECK(string.length() == N);
    }
    // set() with a text that may not fit: fits exactly when short enough.
    char text[N + 8];
    memcpy(text, bytes, N);
    memset(text + N, 'z', 7);
    text[N + 7] = '\0';
    size_t length = strlen(text);
    ipc::WireString<N> fresh;
    bool fits = fresh.set(text);
    FUZZ_CHECK(fits == (length <= ipc::WireString<N>::kCapacity));
    FUZZ_CHECK(fresh.terminated());
    if (fits)
        FUZZ_CHECK(fresh.equals(text));
    else
        FUZZ_CHECK(fresh.length() == 0);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    fuzz::Input input(data, size);
    uint32_t registers[AXO_MR_COUNT];
    for (uint32_t& r : registers)
        r = input.u32();
    ipc::Message message(registers);

    check_get<ipc::Empty>(message);
    check_get<One>(message);
    check_get<Five>(message);
    check_get<MostWithItem>(message);
    check_get<Full>(message);

    ipc::PageFault fault{1, 2, 3};
    bool is_fault = ipc::get_page_fault(message, fault);
    FUZZ_CHECK(is_fault == ipc::is_page_fault(message));
    if (is_fault) {
        FUZZ_CHECK(message.untyped() == 2 && message.typed() == 0);
        FUZZ_CHECK(fault.address == message.word(0) && fault.ip == message.word(1));
        FUZZ_CHECK((fault.access & ~AXO_FPAGE_RWX) == 0);
    } else {
        FUZZ_CHECK(fault.address == 1 && fault.ip == 2 && fault.access == 3);
    }

    const auto* bytes = reinterpret_cast<const uint8_t*>(registers);
    check_string<4>(bytes);
    check_string<32>(bytes + 4);
    check_string<64>(bytes + 36);
    return 0;
}
