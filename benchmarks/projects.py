"""The benchmark projects: generated once per run, identical for every backend.

- `demo`: a copy of examples/demo, plus the setuptools equivalent of its `[tool.zlig]`.
- `big`: 40 C files of about 500 lines (all include Python.h and a shared common.h) and
  one module file whose `run(seed)` calls into every part.
- `pure`: a pure-Python package of 2,000 small modules in nested subpackages.

Each project is written in one folder per backend; only `[build-system]` and the backend's
own configuration differ. The edit helpers change a value in place (always to a new one, so
that no compiler cache can have seen the result before).
"""

from __future__ import annotations

import re
import shutil
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BIG_PARTS = 40
PURE_LAYOUT = (10, 10, 20)  # subpackages, sub-subpackages, modules in each: 2,000 modules

BUILD_SYSTEMS = {
    "zlig": ('["zlig>=0.1"]', "zlig"),
    "setuptools": ('["setuptools"]', "setuptools.build_meta"),
    "flit_core": ('["flit_core>=3.11"]', "flit_core.buildapi"),
    "hatchling": ('["hatchling"]', "hatchling.build"),
    "uv_build": ('["uv_build"]', "uv_build"),
}


def build_system(backend: str) -> str:
    requires, name = BUILD_SYSTEMS[backend]
    return f'[build-system]\nrequires = {requires}\nbuild-backend = "{name}"\n'


# ------------------------------------------------------------------------------- demo


def demo(dest: Path, backend: str) -> Path:
    """examples/demo for `backend` (zlig: unchanged; setuptools: a setup.py with the same
    extension, and the `[tool.zlig]` table dropped)."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(
        ROOT / "examples" / "demo", dest, ignore=shutil.ignore_patterns("build", "dist", "*.so")
    )
    if backend == "setuptools":
        pyproject = (dest / "pyproject.toml").read_text()
        pyproject = re.sub(r"(?s)\[build-system\].*?(?=\n\[)", build_system(backend).rstrip(), pyproject)
        pyproject = re.sub(r"(?s)\n\[tool\.zlig\].*", "\n", pyproject)
        pyproject += '\n[tool.setuptools.packages.find]\nwhere = ["src"]\n'
        (dest / "pyproject.toml").write_text(pyproject)
        (dest / "setup.py").write_text(
            "from setuptools import Extension, setup\n\n"
            'setup(ext_modules=[Extension("demo.demo", ["src/demo/demo.c"])])\n'
        )
    return dest


def edit_c(path: Path, symbol: str) -> None:
    """Gives the global `long <symbol>` at the end of a C file a new value (adds it the
    first time): a real code change, so the object file changes too."""
    text = path.read_text()
    line = f"long {symbol} = {time.time_ns() % 1_000_000_007};"
    pattern = re.compile(rf"^long {symbol} = \d+;$", re.MULTILINE)
    text = pattern.sub(line, text) if pattern.search(text) else text.rstrip("\n") + "\n" + line + "\n"
    path.write_text(text)


def set_define(path: Path, name: str) -> None:
    """Gives `#define <name> <value>` in `path` a new value."""
    text = path.read_text()
    new, count = re.subn(
        rf"^#define {name} \d+u?$", f"#define {name} {time.time_ns() % 1_000_000_007}u", text, flags=re.MULTILINE
    )
    assert count == 1, f"{path}: no #define {name}"
    path.write_text(new)


# -------------------------------------------------------------------------------- big

COMMON_H = """\
/* Shared by every part of the benchmark extension: types, helpers, declarations. */
#ifndef BIG_COMMON_H
#define BIG_COMMON_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <math.h>

/* Changed by the "edit shared header" benchmark: every part uses it. */
#define COMMON_STAMP 1u

#define BIG_PARTS {parts}
#define VEC_LEN 64
#define MAT_N 8

typedef struct {{
    double x, y, z;
}} vec3;

typedef struct {{
    uint64_t state[4];
    uint32_t counter;
    double acc;
}} big_rng;

typedef struct {{
    uint32_t keys[VEC_LEN];
    double values[VEC_LEN];
    size_t len;
}} big_table;

static inline uint64_t big_rotl(uint64_t x, int k) {{
    return (x << k) | (x >> (64 - k));
}}

static inline uint64_t big_next(big_rng *r) {{
    uint64_t *s = r->state;
    uint64_t result = big_rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = big_rotl(s[3], 45);
    r->counter++;
    return result;
}}

static inline void big_seed(big_rng *r, uint64_t seed) {{
    for (int i = 0; i < 4; i++) {{
        seed += 0x9e3779b97f4a7c15ull;
        uint64_t z = seed;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        r->state[i] = z ^ (z >> 31) ^ COMMON_STAMP;
    }}
    r->counter = 0;
    r->acc = 0.0;
}}

static inline double vec3_dot(vec3 a, vec3 b) {{
    return a.x * b.x + a.y * b.y + a.z * b.z;
}}

static inline vec3 vec3_cross(vec3 a, vec3 b) {{
    vec3 r = {{a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x}};
    return r;
}}

{decls}
#endif
"""


def _function(part: int, index: int) -> str:
    """One function of a part: the kind rotates, the constants depend on (part, index)."""
    k = part * 31 + index * 7 + 3
    name = f"p{part:02d}_f{index:02d}"
    kind = index % 8
    if kind == 0:
        body = f"""
        static uint64_t {name}(uint64_t seed) {{
            /* FNV-1a over a generated buffer, then a xorshift fold. */
            unsigned char buf[256];
            uint64_t x = seed ^ {k}ull ^ PART_SALT;
            for (int i = 0; i < 256; i++) {{
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                buf[i] = (unsigned char)(x >> {k % 56});
            }}
            uint64_t h = 1469598103934665603ull;
            for (int round = 0; round < {2 + k % 5}; round++) {{
                for (int i = 0; i < 256; i++) {{
                    h ^= buf[(i * {1 + 2 * (k % 11)}) & 255];
                    h *= 1099511628211ull;
                }}
                h = big_rotl(h, {1 + k % 63});
            }}
            return h ^ x;
        }}"""
    elif kind == 1:
        body = f"""
        static uint64_t {name}(uint64_t seed) {{
            /* Multiplies two MAT_N x MAT_N matrices filled from the generator. */
            double a[MAT_N][MAT_N], b[MAT_N][MAT_N], c[MAT_N][MAT_N];
            big_rng r;
            big_seed(&r, seed + {k});
            for (int i = 0; i < MAT_N; i++) {{
                for (int j = 0; j < MAT_N; j++) {{
                    a[i][j] = (double)(big_next(&r) % 1000) / {k % 97 + 3}.0;
                    b[i][j] = (double)(big_next(&r) % 1000) / {k % 89 + 5}.0;
                }}
            }}
            for (int i = 0; i < MAT_N; i++) {{
                for (int j = 0; j < MAT_N; j++) {{
                    double s = 0.0;
                    for (int m = 0; m < MAT_N; m++) s += a[i][m] * b[m][j];
                    c[i][j] = s;
                }}
            }}
            double trace = 0.0;
            for (int i = 0; i < MAT_N; i++) trace += c[i][i] * (i + {k % 7 + 1});
            return (uint64_t)fabs(trace) ^ r.counter;
        }}"""
    elif kind == 2:
        coeffs = ", ".join(f"{((k * (j + 3)) % 19) - 9}.{(k + j) % 10}" for j in range(9))
        body = f"""
        static uint64_t {name}(uint64_t seed) {{
            /* Horner evaluation of a polynomial and its derivative at many points. */
            static const double coeffs[9] = {{{coeffs}}};
            double total = 0.0, slope = 0.0;
            for (int p = 0; p < {40 + k % 50}; p++) {{
                double x = (double)((seed >> (p % 48)) & 1023) / 512.0 - 1.0;
                double y = 0.0, dy = 0.0;
                for (int i = 8; i >= 0; i--) {{
                    dy = dy * x + y;
                    y = y * x + coeffs[i];
                }}
                total += y;
                slope += dy;
            }}
            return (uint64_t)(fabs(total) * 1000.0) ^ (uint64_t)(fabs(slope) * {k % 13 + 1}.0);
        }}"""
    elif kind == 3:
        body = f"""
        static uint64_t {name}(uint64_t seed) {{
            /* Insertion sort of a generated table, then a weighted checksum. */
            big_table t;
            big_rng r;
            big_seed(&r, seed ^ {k}u);
            t.len = VEC_LEN - {k % 9};
            for (size_t i = 0; i < t.len; i++) {{
                t.keys[i] = (uint32_t)big_next(&r);
                t.values[i] = (double)(t.keys[i] % {k % 101 + 7}u);
            }}
            for (size_t i = 1; i < t.len; i++) {{
                uint32_t key = t.keys[i];
                double value = t.values[i];
                size_t j = i;
                while (j > 0 && t.keys[j - 1] > key) {{
                    t.keys[j] = t.keys[j - 1];
                    t.values[j] = t.values[j - 1];
                    j--;
                }}
                t.keys[j] = key;
                t.values[j] = value;
            }}
            uint64_t sum = 0;
            for (size_t i = 0; i < t.len; i++) sum += (uint64_t)t.keys[i] * (i + 1) + (uint64_t)t.values[i];
            return sum;
        }}"""
    elif kind == 4:
        body = f"""
        static uint64_t {name}(uint64_t seed) {{
            /* Collatz step counts for a range of starting values. */
            uint64_t steps = 0, peak = 0;
            uint64_t start = (seed % 10000u) + {k};
            for (uint64_t n0 = start; n0 < start + {16 + k % 32}; n0++) {{
                uint64_t n = n0;
                while (n != 1 && steps < 1000000u) {{
                    n = (n & 1) ? 3 * n + 1 : n / 2;
                    if (n > peak) peak = n;
                    steps++;
                }}
            }}
            return steps * {k % 17 + 1}u + peak;
        }}"""
    elif kind == 5:
        body = f"""
        static uint64_t {name}(uint64_t seed) {{
            /* Vector geometry: accumulates dot and cross products of generated vectors. */
            big_rng r;
            big_seed(&r, seed * {k % 29 + 3}u);
            vec3 acc = {{0.0, 0.0, 0.0}};
            double dots = 0.0;
            for (int i = 0; i < {24 + k % 40}; i++) {{
                vec3 a = {{(double)(big_next(&r) % 200) - 100.0, (double)(big_next(&r) % 200) - 100.0, {k % 5}.5}};
                vec3 b = {{(double)(big_next(&r) % 300) - 150.0, {k % 3}.25, (double)(big_next(&r) % 300) - 150.0}};
                vec3 c = vec3_cross(a, b);
                acc.x += c.x;
                acc.y += c.y;
                acc.z += c.z;
                dots += vec3_dot(a, b) / (1.0 + sqrt(vec3_dot(c, c)));
            }}
            return (uint64_t)fabs(acc.x + acc.y * 3.0 + acc.z * 7.0) ^ (uint64_t)fabs(dots * 100.0);
        }}"""
    elif kind == 6:
        body = f"""
        static uint64_t {name}(uint64_t seed) {{
            /* Builds a string, reverses words in place and hashes it. */
            char text[192];
            size_t len = 0;
            uint64_t x = seed + {k};
            while (len + 8 < sizeof text) {{
                size_t word = 2 + (x % 6);
                for (size_t i = 0; i < word; i++) text[len++] = (char)('a' + (x >> (i * 3)) % 26);
                text[len++] = ' ';
                x = x * 6364136223846793005ull + {k * 2 + 1}ull;
            }}
            text[len] = 0;
            size_t start = 0;
            for (size_t i = 0; i <= len; i++) {{
                if (text[i] == ' ' || text[i] == 0) {{
                    for (size_t a = start, b = i - 1; a < b && b < len; a++, b--) {{
                        char tmp = text[a];
                        text[a] = text[b];
                        text[b] = tmp;
                    }}
                    start = i + 1;
                }}
            }}
            uint64_t h = 5381;
            for (size_t i = 0; i < len; i++) h = h * 33 + (unsigned char)text[i];
            return h ^ (uint64_t)strlen(text);
        }}"""
    else:
        body = f"""
        static uint64_t {name}(uint64_t seed) {{
            /* Sieve of Eratosthenes up to a seed-dependent bound; sums the primes found. */
            unsigned char composite[2048];
            size_t limit = 1024 + (seed % 1000) + {k % 20};
            memset(composite, 0, sizeof composite);
            uint64_t sum = 0, count = 0;
            for (size_t i = 2; i < limit; i++) {{
                if (composite[i]) continue;
                sum += i * {k % 5 + 1};
                count++;
                for (size_t j = i * i; j < limit; j += i) composite[j] = 1;
            }}
            return sum * 31 + count;
        }}"""
    return textwrap.dedent(body)


def _part(part: int, functions: int) -> str:
    calls = "\n".join(
        f"    h = big_rotl(h ^ p{part:02d}_f{i:02d}(h + {i}u), {1 + (i * 5 + part) % 61});"
        for i in range(functions)
    )
    body = "\n".join(_function(part, i) for i in range(functions))
    return (
        f"/* Part {part} of the benchmark extension (generated). */\n"
        '#include "common.h"\n\n'
        f"/* Changed by the \"edit one .c file\" benchmark. */\n#define PART_SALT {part + 1}u\n"
        f"{body}\n\n"
        f"uint64_t big_part{part:02d}(uint64_t seed) {{\n"
        f"    uint64_t h = seed ^ COMMON_STAMP ^ PART_SALT;\n{calls}\n    return h;\n}}\n\n"
        f"PyObject *big_part{part:02d}_py(PyObject *self, PyObject *arg) {{\n"
        "    unsigned long long seed = PyLong_AsUnsignedLongLong(arg);\n"
        "    if (seed == (unsigned long long)-1 && PyErr_Occurred()) return NULL;\n"
        f"    return PyLong_FromUnsignedLongLong(big_part{part:02d}(seed));\n}}\n"
    )


MODULE_C = """\
/* The module of the benchmark extension: run(seed) calls into every part. */
#include "common.h"

typedef uint64_t (*part_fn)(uint64_t);

static const part_fn parts[BIG_PARTS] = {{
{table}
}};

static PyObject *big_run(PyObject *self, PyObject *arg) {{
    unsigned long long seed = PyLong_AsUnsignedLongLong(arg);
    if (seed == (unsigned long long)-1 && PyErr_Occurred()) return NULL;
    uint64_t h = seed;
    for (int i = 0; i < BIG_PARTS; i++) h = big_rotl(h, 9) ^ parts[i](h + (uint64_t)i);
    return PyLong_FromUnsignedLongLong(h);
}}

static PyMethodDef big_methods[] = {{
    {{"run", big_run, METH_O, "Runs every part, chained, from a seed."}},
{methods}
    {{NULL, NULL, 0, NULL}},
}};

static struct PyModuleDef big_module = {{
    PyModuleDef_HEAD_INIT, "_big", "The benchmark extension (generated).", -1, big_methods,
}};

PyMODINIT_FUNC PyInit__big(void) {{
    return PyModule_Create(&big_module);
}}
"""


def big(dest: Path, backend: str, parts: int = BIG_PARTS, functions: int = 22) -> Path:
    """The 40-file C project for `backend` (`zlig` or `setuptools`)."""
    if dest.exists():
        shutil.rmtree(dest)
    src = dest / "src" / "bigext"
    src.mkdir(parents=True)
    decls = "\n".join(
        f"uint64_t big_part{p:02d}(uint64_t seed);\nPyObject *big_part{p:02d}_py(PyObject *self, PyObject *arg);"
        for p in range(parts)
    )
    (src / "common.h").write_text(COMMON_H.format(parts=parts, decls=decls))
    for p in range(parts):
        (src / f"part{p:02d}.c").write_text(_part(p, functions))
    (src / "module.c").write_text(
        MODULE_C.format(
            table="\n".join(f"    big_part{p:02d}," for p in range(parts)),
            methods="\n".join(
                f'    {{"part{p:02d}", big_part{p:02d}_py, METH_O, "Runs part {p}."}},' for p in range(parts)
            ),
        )
    )
    (src / "__init__.py").write_text('"""The benchmark extension package."""\n\nfrom bigext._big import run\n')
    sources = ["src/bigext/module.c"] + [f"src/bigext/part{p:02d}.c" for p in range(parts)]
    project = '[project]\nname = "bigext"\nversion = "0.1.0"\ndescription = "40 C files"\nrequires-python = ">=3.9"\n'
    if backend == "zlig":
        (dest / "pyproject.toml").write_text(
            build_system(backend)
            + "\n"
            + project
            + '\n[tool.zlig]\nextensions = [{name = "bigext._big", sources = ["src/bigext/*.c"]}]\n'
        )
    else:
        (dest / "pyproject.toml").write_text(
            build_system(backend) + "\n" + project + '\n[tool.setuptools.packages.find]\nwhere = ["src"]\n'
        )
        # `depends` so that editing the header rebuilds the extension at all (setuptools
        # does not scan #includes); any change rebuilds every source, which is what it does.
        (dest / "setup.py").write_text(
            "from setuptools import Extension, setup\n\n"
            "setup(ext_modules=[Extension(\n"
            '    "bigext._big",\n'
            f"    {sources!r},\n"
            '    depends=["src/bigext/common.h"],\n'
            ")])\n"
        )
    return dest


# ------------------------------------------------------------------------------- pure

MODULE_PY = '''\
"""Module {name} of the generated pure-Python benchmark package."""

from __future__ import annotations

import math
from dataclasses import dataclass

SCALE = {scale}


@dataclass
class Record{index}:
    """A small record type."""

    key: str
    value: float = 0.0

    def scaled(self, factor: float = SCALE) -> float:
        return self.value * factor


def compute(values: list[float]) -> float:
    """Root mean square of `values`, scaled."""
    if not values:
        return 0.0
    return math.sqrt(sum(v * v for v in values) / len(values)) * SCALE
'''


def pure(dest: Path, backend: str) -> Path:
    """The 2,000-module package for `backend`: src/purebench/sNN/tNN/mNN.py."""
    if dest.exists():
        shutil.rmtree(dest)
    top = dest / "src" / "purebench"
    top.mkdir(parents=True)
    (top / "__init__.py").write_text('"""Generated pure-Python benchmark package."""\n')
    outer, inner, modules = PURE_LAYOUT
    n = 0
    for s in range(outer):
        for t in range(inner):
            pkg = top / f"s{s:02d}" / f"t{t:02d}"
            pkg.mkdir(parents=True)
            if t == 0:
                (pkg.parent / "__init__.py").write_text(f'"""Subpackage s{s:02d}."""\n')
            (pkg / "__init__.py").write_text(f'"""Subpackage s{s:02d}.t{t:02d}."""\n')
            for m in range(modules):
                name = f"purebench.s{s:02d}.t{t:02d}.m{m:02d}"
                (pkg / f"m{m:02d}.py").write_text(MODULE_PY.format(name=name, scale=n % 97 + 1, index=n))
                n += 1
    (dest / "README.md").write_text("# purebench\n\nA generated package of 2,000 modules.\n")
    (dest / "pyproject.toml").write_text(
        build_system(backend)
        + '\n[project]\nname = "purebench"\nversion = "0.1.0"\n'
        'description = "2,000 generated modules"\nreadme = "README.md"\nrequires-python = ">=3.9"\n'
    )
    return dest


# ----------------------------------------------------------------------------- cython

CYTHON_MODULES = 20

MODULE_PYX = '''\
# cython: language_level=3
"""Module {index:02d} of the generated Cython benchmark package."""

from libc.stdlib cimport free, malloc

# Changed by the "edit one .pyx" benchmark.
DEF_SALT = 1

cdef long SALT = DEF_SALT + {index}


cdef inline long mix(long a, long b) noexcept nogil:
    return (a * 31 + b + 40503) % 1000000007


cdef class Accumulator{index:02d}:
    """Sums values, scaled by the module's salt."""

    cdef public long total
    cdef list items

    def __init__(self):
        self.total = 0
        self.items = []

    cpdef add(self, long value):
        self.total = mix(self.total, value * SALT)
        self.items.append(value)

    def mean(self):
        if not self.items:
            return 0.0
        return sum(self.items) / len(self.items)

    def __repr__(self):
        return f"Accumulator{index:02d}(total={{self.total}}, n={{len(self.items)}})"


def sieve(int n):
    """The primes below n."""
    cdef char *marks = <char *>malloc(n + 1)
    cdef int i, j
    cdef list primes = []
    if marks == NULL:
        raise MemoryError()
    try:
        for i in range(n + 1):
            marks[i] = 1
        for i in range(2, n + 1):
            if marks[i]:
                primes.append(i)
                j = i * i
                while j <= n:
                    marks[j] = 0
                    j += i
    finally:
        free(marks)
    return primes


def checksum(bytes data):
    """A rolling checksum of data."""
    cdef unsigned long h = 5381
    cdef unsigned char c
    for c in data:
        h = (h * 33 + c) % 4294967291
    return h


def words(str text):
    """Word counts, longest first."""
    counts = {{}}
    for word in text.split():
        word = word.strip(".,;:!?").lower()
        if word:
            counts[word] = counts.get(word, 0) + 1
    return sorted(counts.items(), key=lambda kv: (-len(kv[0]), kv[0]))


cdef double integrate(double a, double b, int steps) noexcept nogil:
    cdef double h = (b - a) / steps
    cdef double total = 0
    cdef int i
    cdef double x
    for i in range(steps):
        x = a + (i + 0.5) * h
        total += x * x * h
    return total


def run(long seed):
    """Exercises every part of the module; returns a number that depends on all of them."""
    acc = Accumulator{index:02d}()
    for value in sieve(200 + seed % 50):
        acc.add(value)
    total = acc.total + checksum(bytes(range(seed % 200)))
    total += len(words("the quick brown fox jumps over the lazy dog " * (1 + seed % 3)))
    total += <long>(integrate(0, 1 + seed % 5, 1000) * 1000)
    return mix(total, SALT)
'''


def set_salt(path: Path) -> None:
    """Gives `DEF_SALT = <value>` in a generated .pyx a new value."""
    text = path.read_text()
    new, count = re.subn(r"^DEF_SALT = \d+$", f"DEF_SALT = {time.time_ns() % 1_000_003}", text, flags=re.MULTILINE)
    assert count == 1, f"{path}: no DEF_SALT"
    path.write_text(new)


def cython(dest: Path, backend: str, modules: int = CYTHON_MODULES) -> Path:
    """The 20-module Cython package for `backend` (`zlig`, or `setuptools` with
    `cythonize(nthreads=<cores>)` in setup.py)."""
    if dest.exists():
        shutil.rmtree(dest)
    pkg = dest / "src" / "cybench"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text('"""The Cython benchmark package."""\n')
    for m in range(modules):
        (pkg / f"m{m:02d}.pyx").write_text(MODULE_PYX.format(index=m))
    project = (
        '[project]\nname = "cybench"\nversion = "0.1.0"\ndescription = "20 Cython modules"\n'
        'requires-python = ">=3.9"\n'
    )
    if backend == "zlig":
        tables = "".join(
            f'\n[[tool.zlig.extensions]]\nname = "cybench.m{m:02d}"\nsources = ["src/cybench/m{m:02d}.pyx"]\n'
            for m in range(modules)
        )
        (dest / "pyproject.toml").write_text(build_system(backend) + "\n" + project + tables)
    else:
        (dest / "pyproject.toml").write_text(
            '[build-system]\nrequires = ["setuptools", "cython"]\nbuild-backend = "setuptools.build_meta"\n\n'
            + project
            + '\n[tool.setuptools.packages.find]\nwhere = ["src"]\n'
        )
        (dest / "setup.py").write_text(
            "import os\n\n"
            "from Cython.Build import cythonize\n"
            "from setuptools import Extension, setup\n\n"
            "extensions = [\n"
            f'    Extension(f"cybench.m{{m:02d}}", [f"src/cybench/m{{m:02d}}.pyx"]) for m in range({modules})\n'
            "]\n"
            "setup(ext_modules=cythonize(extensions, nthreads=os.cpu_count(), language_level=3))\n"
        )
    return dest


def cython_clean(project: Path) -> None:
    """Removes the C that cythonize wrote beside the sources (setuptools' cold build)."""
    for generated in project.glob("src/cybench/*.c"):
        generated.unlink()
