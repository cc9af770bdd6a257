/* Listed by a `when` entry whose marker never holds on Linux: compiling it would fail. */
#error "windows_only.c must not be compiled on Linux"
this is not C
