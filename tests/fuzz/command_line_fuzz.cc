// kernel/command_line.cc on arbitrary text: a parsed line answers consistently for every key
// it holds, its copy is self-contained, and the numeric and boolean readers never misbehave.
#include <string.h>

#include <string>

#include "kernel/command_line.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size); // NUL-terminated by c_str()
    auto parsed = axo::CommandLine::parse(text.c_str());
    if (!parsed) return 0;
    const axo::CommandLine line = parsed.value();
    axo::CommandLine copy = line;
    text.assign(text.size(), 'X'); // the source goes away
    FUZZ_CHECK(line.count() <= axo::CommandLine::kMaxOptions);
    FUZZ_CHECK(copy.count() == line.count());
    for (size_t i = 0; i < line.count(); ++i) {
        const char* key = line.key_at(i);
        FUZZ_CHECK(key[0] != '\0');
        FUZZ_CHECK(strchr(key, ' ') == nullptr && strchr(key, '\t') == nullptr);
        FUZZ_CHECK(strchr(key, '=') == nullptr);
        const char* value = line.get(key);
        FUZZ_CHECK(value == line.value_at(i)); // keys are distinct
        FUZZ_CHECK(strcmp(copy.get(key), value) == 0 && copy.get(key) != value);
        for (size_t j = 0; j < i; ++j)
            FUZZ_CHECK(strcmp(line.key_at(j), key) != 0);
        uint32_t a = line.get_uint(key, 7), b = line.get_uint(key, 8);
        FUZZ_CHECK(a == b || (a == 7 && b == 8)); // the value or the fallback
        bool t = line.get_bool(key, true), f = line.get_bool(key, false);
        if (value[0] == '\0') FUZZ_CHECK(t && f);
    }
    return 0;
}
