// zlig adds this file to every C++ extension module it builds.
//
// An exception that nothing catches (thrown in a thread, or out of a noexcept function)
// ends the process through std::terminate. zig builds libc++abi with its silent terminate
// handler, which prints only "libc++abi: terminating"; g++'s runtime prints the
// exception's type and what(). This handler prints them the way g++'s does, then aborts.
//
// Each module links its own libc++abi, with its symbols hidden, so the handler installed
// here (by a static initializer, when the module is loaded) is this module's alone: it
// changes nothing for the interpreter or for other modules. A module that installs its own
// handler later replaces it.
#include <cstdio>
#include <cstdlib>
#include <cxxabi.h>
#include <exception>
#include <typeinfo>

namespace {

[[noreturn]] void zlig_report_and_abort() noexcept {
    static bool terminating = false;
    if (terminating) {
        std::fputs("terminate called recursively\n", stderr);
        std::abort();
    }
    terminating = true;
    if (std::type_info *type = abi::__cxa_current_exception_type()) {
        const char *name = type->name();
        int status = -1;
        char *readable = abi::__cxa_demangle(name, nullptr, nullptr, &status);
        std::fprintf(stderr, "terminate called after throwing an instance of '%s'\n",
                     status == 0 && readable ? readable : name);
        std::free(readable);
        try {
            throw;
        } catch (const std::exception &error) {
            std::fprintf(stderr, "  what():  %s\n", error.what());
        } catch (...) {
        }
    } else {
        std::fputs("terminate called without an active exception\n", stderr);
    }
    std::fflush(stderr);
    std::abort();
}

const std::terminate_handler zlig_previous_handler = std::set_terminate(zlig_report_and_abort);

}  // namespace
