/* Found through `include-dirs = ["include"]`. */
#ifndef GREET_H
#define GREET_H

#include <stddef.h>

void greet_upper(const char *text, char *out, size_t size);

#endif
