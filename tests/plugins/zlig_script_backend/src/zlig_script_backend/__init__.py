"""A third-party zlig backend for the tests: writes ``build.sh`` that calls ``zig cc``.

It is usable only where ``ZLIG_ZIG`` names a zig, and it builds each extension with one
compiler command, which is enough to show that zlig hands a plugin everything it needs.
"""

from __future__ import annotations

import os
import shlex
import subprocess

from zlig.backends import BuildEnv, BuildGraph, Environment


class ScriptBackend:
    name = "script"
    priority = 1
    build_file = "build.sh"

    def version(self, env: Environment) -> str | None:
        return "1.0" if os.environ.get("ZLIG_ZIG") else None

    def write(self, env: BuildEnv, build_inputs: BuildGraph) -> None:
        lines = ["#!/bin/sh", "set -e"]
        graph = build_inputs
        for ext in graph.extensions:
            out = env.out_dir / ext.output
            command = [
                "$ZLIG_ZIG", "cc", "-target", graph.target.zig_triple, "-shared", "-fPIC", "-O2",
                *ext.compile_flags,
                *(f"-I{d}" for d in ext.include_dirs),
                "-isystem", str(graph.target.include_dir),
                *(str(graph.root / s) for s in ext.sources),
                "-o", str(out),
            ]
            lines.append(f"# {ext.name}")
            lines.append(f"mkdir -p {shlex.quote(str(out.parent))}")
            lines.append(" ".join(c if c == "$ZLIG_ZIG" else shlex.quote(c) for c in command))
        (env.work_dir / self.build_file).write_text("\n".join(lines) + "\n")

    def build(self, env: BuildEnv, build_inputs: BuildGraph, only: list[str] | None) -> None:
        script = env.work_dir / self.build_file
        result = subprocess.run(["sh", str(script)], capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"{script} failed:\n{result.stderr}")
