/* The second C file of alpha._native. */
#include <ctype.h>
#include <stddef.h>

#include "greet.h"

void greet_upper(const char *text, char *out, size_t size) {
    size_t i = 0;
    if (size == 0) {
        return;
    }
    for (; text[i] != '\0' && i + 1 < size; i++) {
        out[i] = (char)toupper((unsigned char)text[i]);
    }
    out[i] = '\0';
}
