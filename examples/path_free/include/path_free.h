/* A header from `include-dirs`: its __FILE__ is the path the compiler was given for it. */
#ifndef PATH_FREE_H
#define PATH_FREE_H

static inline const char *path_free_header_file(void) {
    return __FILE__;
}

#endif
