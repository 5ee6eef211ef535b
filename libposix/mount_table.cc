// <mntent.h>: reading and appending fstab-format mount tables with stdio. Pure text handling
// on a FILE; the table's contents are whatever file the caller names.
#include <mntent.h>
#include <stdio.h>
#include <string.h>

namespace {

bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// The next blank-separated field of `*cursor`, terminated in place; nullptr at the line's end.
char* next_field(char** cursor) {
    char* s = *cursor;
    while (*s != '\0' && is_blank(*s))
        ++s;
    if (*s == '\0') return nullptr;
    char* start = s;
    while (*s != '\0' && !is_blank(*s))
        ++s;
    if (*s != '\0') *s++ = '\0';
    *cursor = s;
    return start;
}

int number_or_zero(const char* field) {
    int value = 0;
    for (; field != nullptr && *field >= '0' && *field <= '9'; ++field)
        value = value * 10 + (*field - '0');
    return value;
}

} // namespace

extern "C" {

FILE* setmntent(const char* path, const char* mode) {
    return fopen(path, mode);
}

int endmntent(FILE* table) {
    if (table != nullptr) fclose(table);
    return 1; // always, as glibc
}

struct mntent* getmntent_r(FILE* table, struct mntent* entry, char* buffer, int size) {
    if (table == nullptr || entry == nullptr || buffer == nullptr || size <= 0) return nullptr;
    while (fgets(buffer, size, table) != nullptr) {
        size_t length = strlen(buffer);
        if (length > 0 && buffer[length - 1] != '\n' && !feof(table)) {
            // A line longer than the buffer: skip the rest of it, as glibc does.
            int c;
            while ((c = fgetc(table)) != EOF && c != '\n') {
            }
        }
        char* cursor = buffer;
        char* device = next_field(&cursor);
        if (device == nullptr || device[0] == '#') continue; // blank line or comment
        char* directory = next_field(&cursor);
        char* type = next_field(&cursor);
        char* options = next_field(&cursor);
        char* frequency = next_field(&cursor);
        char* pass = next_field(&cursor);
        entry->mnt_fsname = device;
        entry->mnt_dir = directory != nullptr ? directory : const_cast<char*>("");
        entry->mnt_type = type != nullptr ? type : const_cast<char*>("");
        entry->mnt_opts = options != nullptr ? options : const_cast<char*>("");
        entry->mnt_freq = number_or_zero(frequency);
        entry->mnt_passno = number_or_zero(pass);
        return entry;
    }
    return nullptr;
}

struct mntent* getmntent(FILE* table) {
    static struct mntent entry;
    static char buffer[1024];
    return getmntent_r(table, &entry, buffer, sizeof buffer);
}

int addmntent(FILE* table, const struct mntent* entry) {
    if (table == nullptr || entry == nullptr) return 1;
    if (fseek(table, 0, SEEK_END) != 0) return 1;
    return fprintf(table, "%s %s %s %s %d %d\n", entry->mnt_fsname, entry->mnt_dir, entry->mnt_type,
                   entry->mnt_opts, entry->mnt_freq, entry->mnt_passno) < 0
               ? 1
               : 0;
}

// The option `name` in the comma-separated options, alone or as `name=value`.
char* hasmntopt(const struct mntent* entry, const char* name) {
    if (entry == nullptr || entry->mnt_opts == nullptr || name == nullptr) return nullptr;
    size_t length = strlen(name);
    for (char* option = entry->mnt_opts; *option != '\0';) {
        if (strncmp(option, name, length) == 0 &&
            (option[length] == '\0' || option[length] == ',' || option[length] == '='))
            return option;
        char* comma = strchr(option, ',');
        if (comma == nullptr) break;
        option = comma + 1;
    }
    return nullptr;
}

} // extern "C"
