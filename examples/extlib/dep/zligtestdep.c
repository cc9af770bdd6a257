/* The shared library that extlib._uses_dep links: outside every manylinux policy. */
#include "zligtestdep.h"

long zligtestdep_triple(long n) {
    return 3 * n;
}
