#ifndef ZLIGTESTDEP_H
#define ZLIGTESTDEP_H

/* 3 * n, from libzligtestdep.so. */
long zligtestdep_triple(long n);

#endif
