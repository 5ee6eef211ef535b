/* A library member: links through axo-ar and axo-ranlib's archive. */
#include <stdio.h>

int greet(char* out, int size, const char* who) {
    return snprintf(out, (size_t)size, "hello, %s", who);
}
