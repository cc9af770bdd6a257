/* The C half of the extension: argument checks, called from C++. */
#include <stddef.h>

#include "checks.h"

const char *cxx_exception_check(long n) {
    if (n < 0) {
        return "n must not be negative";
    }
    if (n > 20) {
        return "n is too large for a 64-bit factorial";
    }
    return NULL;
}
