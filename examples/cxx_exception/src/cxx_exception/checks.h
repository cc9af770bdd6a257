#ifndef CXX_EXCEPTION_CHECKS_H
#define CXX_EXCEPTION_CHECKS_H

#ifdef __cplusplus
extern "C" {
#endif

/* NULL if `n` is a valid argument of factorial(), else why it is not. */
const char *cxx_exception_check(long n);

#ifdef __cplusplus
}
#endif

#endif
