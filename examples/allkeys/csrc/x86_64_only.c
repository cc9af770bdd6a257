/* Compiled only where the target is x86_64 (a `when` entry). */
const char *allkeys_when_source(void) {
    return "x86_64_only.c";
}
