#include "servers/proc/boot_config.h"

#include "interfaces/pci/resources.h"
#include "lib/text/number.h"

namespace proc {
namespace {

constexpr uint32_t kPageSize = 4096;
constexpr uint32_t kLastPort = 0xFFFF;
constexpr uint32_t kTimerIrq = 0;   // the kernel's (abi.h)
constexpr uint32_t kCascadeIrq = 2; // the second PIC

// Messages are built without a formatter: this file compiles for the host and for the
// freestanding target alike.
class Text {
public:
    Text(char* buffer, uint32_t size) : m_buffer(buffer), m_size(size) { m_buffer[0] = '\0'; }
    Text& add(const char* s) {
        for (; *s != '\0'; ++s)
            put(*s);
        return *this;
    }
    // At most `n` bytes of s: words of a command line are not NUL-terminated.
    Text& add(const char* s, uint32_t n) {
        for (uint32_t i = 0; i < n && s[i] != '\0'; ++i)
            put(s[i]);
        return *this;
    }
    Text& hex(uint32_t value) {
        add("0x");
        char digits[8];
        int n = 0;
        do {
            digits[n++] = "0123456789abcdef"[value & 0xF];
            value >>= 4;
        } while (value != 0);
        while (n > 0)
            put(digits[--n]);
        return *this;
    }
    Text& dec(uint32_t value) {
        char digits[10];
        int n = 0;
        do {
            digits[n++] = static_cast<char>('0' + value % 10);
            value /= 10;
        } while (value != 0);
        while (n > 0)
            put(digits[--n]);
        return *this;
    }

private:
    void put(char c) {
        if (m_used + 1 >= m_size) return; // truncate, always terminated
        m_buffer[m_used++] = c;
        m_buffer[m_used] = '\0';
    }
    char* m_buffer;
    uint32_t m_size;
    uint32_t m_used = 0;
};

Text message(ConfigError& error) {
    return Text(error.message, sizeof error.message);
}

uint32_t length_of(const char* s) {
    uint32_t n = 0;
    while (s[n] != '\0')
        ++n;
    return n;
}

bool same(const char* a, const char* b) {
    for (; *a == *b; ++a, ++b)
        if (*a == '\0') return true;
    return false;
}

// A word of the command line: [begin, begin + length).
struct Word {
    const char* begin;
    uint32_t length;

    bool starts_with(const char* prefix) const {
        uint32_t i = 0;
        for (; prefix[i] != '\0'; ++i)
            if (i >= length || begin[i] != prefix[i]) return false;
        return true;
    }
    Word after(uint32_t n) const { return {begin + n, length - n}; }
};

// Decimal or 0x-hexadecimal, the whole word, no overflow beyond 32 bits (lib/text).
bool parse_number(Word word, uint32_t& out) {
    return text::parse_u32(word.begin, word.length, out);
}

// FIRST-LAST, or a single number (FIRST = LAST).
bool parse_range(Word word, uint32_t& first, uint32_t& last) {
    for (uint32_t i = 0; i < word.length; ++i) {
        if (word.begin[i] != '-') continue;
        return parse_number({word.begin, i}, first) && parse_number(word.after(i + 1), last);
    }
    if (!parse_number(word, first)) return false;
    last = first;
    return true;
}

bool valid_name(Word word) {
    if (word.length == 0 || word.length >= kModuleNameBytes) return false;
    for (uint32_t i = 0; i < word.length; ++i)
        if (word.begin[i] <= ' ' || word.begin[i] > '~') return false;
    return true;
}

void set_name(ModuleConfig& out, Word word) {
    for (uint32_t i = 0; i < word.length; ++i)
        out.name[i] = word.begin[i];
    out.name[word.length] = '\0';
}

bool reject(ConfigError& error, Word word, const char* why) {
    message(error).add("\"").add(word.begin, word.length).add("\": ").add(why);
    return false;
}

bool parse_grant_or_argument(Word word, ModuleConfig& out, bool& named, ConfigError& error) {
    if (word.starts_with("name=")) {
        Word value = word.after(5);
        if (!valid_name(value)) return reject(error, word, "a name is 1..31 printable characters");
        if (named) return reject(error, word, "a second name");
        set_name(out, value);
        named = true;
        return true;
    }
    if (word.starts_with("port=")) {
        uint32_t first, last;
        if (!parse_range(word.after(5), first, last))
            return reject(error, word, "not a port range");
        if (first > last || last > kLastPort)
            return reject(error, word, "ports are 0..0xffff, first <= last");
        if (out.port_count == kMaxPortRanges) return reject(error, word, "too many port ranges");
        out.ports[out.port_count++] = {first, last};
        return true;
    }
    if (word.starts_with("irq=")) {
        uint32_t line;
        if (!parse_number(word.after(4), line)) return reject(error, word, "not a number");
        if (line >= AXO_IRQ_LINES || line == kTimerIrq || line == kCascadeIrq)
            return reject(error, word, "IRQ lines are 1..15 except 2");
        for (uint32_t i = 0; i < out.irq_count; ++i)
            if (out.irqs[i] == line) return reject(error, word, "the same IRQ line twice");
        if (out.irq_count == kMaxIrqs) return reject(error, word, "too many IRQ lines");
        out.irqs[out.irq_count++] = static_cast<uint8_t>(line);
        return true;
    }
    if (word.starts_with("mem=")) {
        uint32_t first, last;
        if (!parse_range(word.after(4), first, last))
            return reject(error, word, "not a memory range");
        if (first > last || first % kPageSize != 0 || (last + 1) % kPageSize != 0)
            return reject(error, word, "memory is whole pages: first and last+1 page-aligned");
        if (out.memory_count == kMaxMemoryRanges)
            return reject(error, word, "too many memory ranges");
        out.memory[out.memory_count++] = {first, last};
        return true;
    }
    if (word.starts_with("pci=")) {
        Word value = word.after(4);
        char text[16] = {};
        pci::Match match{};
        if (value.length >= sizeof text) value.length = 0; // too long: malformed below
        for (uint32_t i = 0; i < value.length; ++i)
            text[i] = value.begin[i];
        if (value.length == 0 || !pci::parse_match(text, match))
            return reject(error, word,
                          "pci= is VVVV:DDDD[.N] (hexadecimal ids, decimal N), e.g. 8086:100e");
        for (uint32_t i = 0; i < out.pci_count; ++i)
            if (out.pci[i].vendor == match.vendor && out.pci[i].device == match.device &&
                out.pci[i].index == match.index)
                return reject(error, word, "the same PCI device twice");
        if (out.pci_count == kMaxPciDevices) return reject(error, word, "too many PCI devices");
        out.pci[out.pci_count++] = {static_cast<uint16_t>(match.vendor),
                                    static_cast<uint16_t>(match.device),
                                    static_cast<uint16_t>(match.index)};
        return true;
    }
    if (word.starts_with("client=")) {
        Word value = word.after(7);
        if (!valid_name(value))
            return reject(error, word, "a client is a module's name, 1..31 printable characters");
        if (out.client_count == kMaxClients) return reject(error, word, "too many clients");
        char* name = out.clients[out.client_count++];
        for (uint32_t i = 0; i < value.length; ++i)
            name[i] = value.begin[i];
        name[value.length] = '\0';
        return true;
    }
    if (word.starts_with("start=")) {
        Word value = word.after(6);
        if (value.length == 4 && value.starts_with("boot"))
            out.startup = StartPolicy::boot;
        else if (value.length == 5 && value.starts_with("spawn"))
            out.startup = StartPolicy::spawn;
        else
            return reject(error, word, "start is boot or spawn");
        return true;
    }
    if (word.starts_with("role=")) {
        Word value = word.after(5);
        if (value.length != 4 || !value.starts_with("init"))
            return reject(error, word, "role is init");
        out.init = true;
        return true;
    }
    if (word.starts_with("space=")) {
        Word value = word.after(6);
        if (value.length == 5 && value.starts_with("small"))
            out.space = SpacePolicy::small;
        else if (value.length == 5 && value.starts_with("large"))
            out.space = SpacePolicy::large;
        else
            return reject(error, word, "space is small or large");
        return true;
    }
    if (word.starts_with("on-exit=")) {
        Word value = word.after(8);
        if (value.length == 8 && value.starts_with("shutdown"))
            out.on_exit = ExitPolicy::shutdown;
        else if (value.length == 7 && value.starts_with("nothing"))
            out.on_exit = ExitPolicy::nothing;
        else if (value.length == 7 && value.starts_with("restart"))
            out.on_exit = ExitPolicy::restart;
        else
            return reject(error, word, "on-exit is shutdown, nothing or restart");
        return true;
    }
    // An argument; the arguments never outgrow the field: they are a part of the line.
    uint32_t at = 0;
    for (uint32_t i = 0; i < out.argument_count; ++i)
        at += length_of(out.arguments + at) + 1;
    for (uint32_t i = 0; i < word.length; ++i)
        out.arguments[at + i] = word.begin[i];
    out.arguments[at + word.length] = '\0';
    ++out.argument_count;
    return true;
}

bool overlap(uint32_t first_a, uint32_t last_a, uint32_t first_b, uint32_t last_b) {
    return first_a <= last_b && first_b <= last_a;
}

} // namespace

bool wants_small_space(const ModuleConfig& module) {
    auto named = [&](const char* name) { return same(module.name, name); };
    if (named("mm")) return false;
    switch (module.space) {
    case SpacePolicy::small:
        return true;
    case SpacePolicy::large:
        return false;
    case SpacePolicy::automatic:
        break;
    }
    bool driver = module.port_count != 0 || module.irq_count != 0 || module.memory_count != 0 ||
                  module.pci_count != 0;
    return driver || module.on_exit == ExitPolicy::restart || named("fs");
}

bool ModuleConfig::has_argument(const char* word) const {
    for (uint32_t i = 0; i < argument_count; ++i)
        if (same(argument(i), word)) return true;
    return false;
}

const char* ModuleConfig::argument(uint32_t i) const {
    const char* at = arguments;
    for (; i > 0; --i)
        at += length_of(at) + 1;
    return at;
}

bool parse_module(const char* cmdline, ModuleConfig& out, ConfigError& error) {
    out = {};
    error.message[0] = '\0';
    uint32_t length = 0;
    while (length < kCmdlineBytes && cmdline[length] != '\0')
        ++length;
    if (length >= kCmdlineBytes - 1) {
        // The kernel copies at most kCmdlineBytes - 1 bytes: a full field may have lost its
        // end, and a cut-off grant would be a wrong grant.
        message(error)
            .add("the command line fills all ")
            .dec(kCmdlineBytes - 1)
            .add(" bytes of the KIP's field: it may have been cut off");
        return false;
    }

    bool named = false;
    bool first = true;
    for (uint32_t i = 0; i < length;) {
        while (i < length && cmdline[i] == ' ')
            ++i;
        uint32_t begin = i;
        while (i < length && cmdline[i] != ' ')
            ++i;
        if (i == begin) break;
        Word word{cmdline + begin, i - begin};
        if (first) {
            // The image's path: its last component names the module unless name= does.
            first = false;
            uint32_t base = 0;
            for (uint32_t k = 0; k < word.length; ++k)
                if (word.begin[k] == '/') base = k + 1;
            Word basename = word.after(base);
            if (valid_name(basename)) set_name(out, basename);
            continue;
        }
        if (!parse_grant_or_argument(word, out, named, error)) return false;
    }
    if (first) {
        message(error).add("an empty command line");
        return false;
    }
    if (out.name[0] == '\0') {
        message(error).add("the image's file name is no valid module name: give name=");
        return false;
    }
    return true;
}

bool conflicts(const ModuleConfig& a, const ModuleConfig& b, ConfigError& error) {
    if (same(a.name, b.name)) {
        message(error).add("name ").add(a.name).add(" is taken by module ").dec(b.index);
        return true;
    }
    for (uint32_t i = 0; i < a.port_count; ++i)
        for (uint32_t j = 0; j < b.port_count; ++j)
            if (overlap(a.ports[i].first, a.ports[i].last, b.ports[j].first, b.ports[j].last)) {
                message(error)
                    .add("ports ")
                    .hex(a.ports[i].first)
                    .add("-")
                    .hex(a.ports[i].last)
                    .add(" overlap those of module ")
                    .dec(b.index)
                    .add(" (")
                    .add(b.name)
                    .add(")");
                return true;
            }
    for (uint32_t i = 0; i < a.irq_count; ++i)
        for (uint32_t j = 0; j < b.irq_count; ++j)
            if (a.irqs[i] == b.irqs[j]) {
                message(error)
                    .add("IRQ ")
                    .dec(a.irqs[i])
                    .add(" is granted to module ")
                    .dec(b.index)
                    .add(" (")
                    .add(b.name)
                    .add(")");
                return true;
            }
    for (uint32_t i = 0; i < a.pci_count; ++i)
        for (uint32_t j = 0; j < b.pci_count; ++j)
            if (a.pci[i].vendor == b.pci[j].vendor && a.pci[i].device == b.pci[j].device &&
                a.pci[i].index == b.pci[j].index) {
                Text text = message(error);
                text.add("PCI device ").hex(a.pci[i].vendor).add(":").hex(a.pci[i].device);
                if (a.pci[i].index != 0) text.add(".").dec(a.pci[i].index);
                text.add(" is granted to module ").dec(b.index).add(" (").add(b.name).add(")");
                return true;
            }
    for (uint32_t i = 0; i < a.memory_count; ++i)
        for (uint32_t j = 0; j < b.memory_count; ++j)
            if (overlap(a.memory[i].first, a.memory[i].last, b.memory[j].first, b.memory[j].last)) {
                message(error)
                    .add("memory ")
                    .hex(a.memory[i].first)
                    .add("-")
                    .hex(a.memory[i].last)
                    .add(" overlaps that of module ")
                    .dec(b.index)
                    .add(" (")
                    .add(b.name)
                    .add(")");
                return true;
            }
    return false;
}

const ModuleConfig* BootConfig::find(const char* name) const {
    for (uint32_t i = 0; i < module_count; ++i)
        if (same(modules[i].name, name)) return &modules[i];
    return nullptr;
}

void parse_boot_config(const axo_kip_module_t* modules, uint32_t count, BootConfig& out,
                       RejectReport report, void* report_context) {
    out = {};
    if (count > AXO_KIP_MAX_MODULES) count = AXO_KIP_MAX_MODULES;
    ConfigError error;
    // The KIP's field need not be terminated if the kernel misbehaved: work on a copy that is.
    char cmdline[kCmdlineBytes + 1];
    auto copy = [&](uint32_t index) {
        for (uint32_t i = 0; i < kCmdlineBytes; ++i)
            cmdline[i] = modules[index].cmdline[i];
        cmdline[kCmdlineBytes] = '\0';
    };

    if (count > 1) {
        copy(1);
        out.self_valid = parse_module(cmdline, out.self, error);
        if (out.self_valid) {
            out.self.index = 1;
            out.self.start = modules[1].start;
            out.self.size = modules[1].size;
        } else if (report != nullptr) {
            report(report_context, 1, cmdline, error.message);
        }
    }
    for (uint32_t index = 2; index < count; ++index) {
        copy(index);
        ModuleConfig& candidate = out.modules[out.module_count];
        bool ok = parse_module(cmdline, candidate, error);
        candidate.index = index;
        candidate.start = modules[index].start;
        candidate.size = modules[index].size;
        for (uint32_t j = 0; ok && j < out.module_count; ++j)
            if (conflicts(candidate, out.modules[j], error)) ok = false;
        if (ok) {
            ++out.module_count;
            continue;
        }
        ++out.rejected_count;
        if (report != nullptr) report(report_context, index, cmdline, error.message);
        candidate = {};
    }
}

} // namespace proc
