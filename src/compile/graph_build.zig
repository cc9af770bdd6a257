// zlig's build.zig for the `zig` backend: the same bytes for every project, so that zig's
// configure step, compiled once per machine, is reused by every checkout (src/compile/zig.rs).
// The project is the build graph's JSON (ARCHITECTURE.md, "The build graph"), which zlig
// writes next to this file, with each extension's version script in exports/ and zlig's
// Cython step in cython/:
//
//   zig build --build-file build.zig -Dgraph=<abs>/graph.json -Djobs=N -Doptimize=fast -Dtarget=<triple> [step...]
//
// Without -Dgraph it declares nothing (zlig runs it so to compile the configure step once).
const std = @import("std");

/// The fields of the graph this file uses; the others are ignored.
const Graph = struct {
    root: []const u8,
    target: struct {
        zig_triple: []const u8,
        include_dir: []const u8,
    },
    strip: bool,
    /// The Cython that runs the extensions' Cython steps, if they have any.
    cython: ?Cython = null,
    extensions: []const Extension,
};

const Cython = struct {
    /// The interpreter that runs zlig's Cython step.
    python: []const u8,
    /// The folder holding the `Cython` package.
    package: []const u8,
};

/// One translation of a Cython source to C or C++ (`src/compile/cython.rs`).
const CythonStep = struct {
    /// Relative to root.
    source: []const u8,
    /// The generated file; its base name names the step's output.
    output: []const u8,
    /// Cython's options.
    args: []const []const u8,
};

const Extension = struct {
    /// The dotted module name, also the name of its step.
    name: []const u8,
    /// The last part of the name: the library's name.
    leaf: []const u8,
    /// Where the module goes, relative to --prefix.
    output: []const u8,
    /// `C`, `Cxx` or `Zig`.
    language: []const u8,
    /// Relative to root; a `.zig` one is the Zig root source, which can `@import("python")`.
    sources: []const []const u8,
    include_dirs: []const []const u8,
    compile_flags: []const []const u8,
    link: []const Link,
    cython: []const CythonStep = &.{},
};

/// One link input: `kind` is `LibraryDir`, `Library`, `RPath`, `File` or `LinkerOption`.
const Link = struct {
    kind: []const u8,
    value: []const u8,
};

/// The prefixes of the compile flags that keep build paths out of a module
/// (src/compile/path_maps.rs), which zlig's own C++ source gets too.
const path_flags = [_][]const u8{ "-fdebug-compilation-dir", "-ffile-prefix-map", "-fsanitize-undefined-strip-path-components", "-fdata-sections" };

pub fn build(b: *std.Build) void {
    const target = b.standardTargetOptions(.{});
    const optimize = b.standardOptimizeOption(.{});
    const jobs = b.option(usize, "jobs", "C objects per extension, one per core") orelse 1;
    const graph_path = b.option([]const u8, "graph", "the build graph zlig wrote (JSON)") orelse return;
    // The configure result is cached on this file's bytes and the -D options: the graph's
    // content must count too.
    b.dependOnFileContents(b.graph.cwdRelativePath(graph_path));
    const bytes = std.Io.Dir.cwd().readFileAlloc(b.graph.io, graph_path, b.allocator, .limited(64 << 20)) catch |err|
        std.debug.panic("reading {s}: {t}", .{ graph_path, err });
    const graph = std.json.parseFromSliceLeaky(Graph, b.allocator, bytes, .{ .allocate = .alloc_always, .ignore_unknown_fields = true }) catch |err|
        std.debug.panic("parsing {s}: {t}", .{ graph_path, err });
    const exports = std.fs.path.dirname(graph_path) orelse ".";

    for (graph.extensions) |ext_as_declared| {
        // Its CPU flags become the CPU of its target, as `zig cc` reads them.
        const cpu = cpuTarget(b, target, graph.target.zig_triple, ext_as_declared.name, ext_as_declared.compile_flags);
        var ext = ext_as_declared;
        ext.compile_flags = cpu.flags;
        var root: ?[]const u8 = null;
        var c_sources: std.ArrayList([]const u8) = .empty;
        for (ext.sources) |source| {
            if (std.mem.endsWith(u8, source, ".zig")) root = source else c_sources.append(b.allocator, source) catch @panic("OOM");
        }
        var generated: std.ArrayList(std.Build.LazyPath) = .empty;
        if (graph.cython) |cython| for (ext.cython) |step| {
            generated.append(b.allocator, translate(b, graph, cython, step, exports)) catch @panic("OOM");
        };
        // One object per core: a single compile step compiles its C files one after another.
        const files = c_sources.items;
        const count = @max(1, @min(jobs, files.len));
        const size = if (files.len == 0) 0 else (files.len + count - 1) / count;
        // zig has no prefix map for Zig code, whose DWARF names the project's and zig's
        // folders: a Zig extension is stripped in Debug too, keeping Zig's safety checks.
        const strip = graph.strip or root != null;
        const chunked = count > 1 or generated.items.len > 0;
        const module = unitModule(b, cpu.target, optimize, graph, ext, strip, root, if (count == 1) files else &.{});
        const lib_root = if (strip) module else keepingDebugInfo(b, cpu.target, optimize, ext, module, chunked);
        if (count > 1) {
            var i: usize = 0;
            while (i * size < files.len) : (i += 1) {
                const chunk = files[i * size .. @min(files.len, (i + 1) * size)];
                const part = unitModule(b, cpu.target, optimize, graph, ext, strip, null, chunk);
                lib_root.addObject(b.addObject(.{ .name = b.fmt("{s}_{d}", .{ ext.leaf, i }), .root_module = part }));
            }
        }
        // Each generated file is an object of its own, compiled while the others are.
        for (generated.items, 0..) |file, i| {
            const part = unitModule(b, cpu.target, optimize, graph, ext, strip, null, &.{});
            part.addCSourceFile(.{ .file = file, .flags = ext.compile_flags });
            lib_root.addObject(b.addObject(.{ .name = b.fmt("{s}_cython_{d}", .{ ext.leaf, i }), .root_module = part }));
        }
        if (std.mem.eql(u8, ext.language, "Cxx")) {
            // zlig's terminate handler (src/compile/cxx_terminate.cpp), which zlig writes
            // beside the graph: with zlig's flags only, not the project's, but with those
            // that keep build paths out of the module (path maps, UBSan's file names).
            var flags: std.ArrayList([]const u8) = .empty;
            // The file is named by its absolute path in the build dir: recorded as `support/…`.
            flags.append(b.allocator, b.fmt("-ffile-prefix-map={s}/=", .{exports})) catch @panic("OOM");
            for (ext.compile_flags) |flag| {
                for (path_flags) |prefix| {
                    if (std.mem.startsWith(u8, flag, prefix)) flags.append(b.allocator, flag) catch @panic("OOM");
                }
            }
            module.addCSourceFile(.{ .file = b.graph.cwdRelativePath(b.pathJoin(&.{ exports, "support", "zlig_terminate.cpp" })), .flags = flags.items });
        }
        const lib = b.addLibrary(.{ .name = ext.leaf, .linkage = .dynamic, .root_module = lib_root });
        // Drops the UBSan data that Debug's trap mode leaves unreferenced (-fdata-sections).
        lib.link_gc_sections = true;
        for (ext.link) |input| link(b, lib, input);
        lib.setVersionScript(b.graph.cwdRelativePath(b.pathJoin(&.{ exports, "exports", b.fmt("{s}.map", .{ext.name}) })));
        lib.linker_allow_shlib_undefined = true;
        const install = b.addInstallArtifact(lib, .{ .dest_dir = .{ .override = .prefix }, .dest_sub_path = ext.output });
        b.getInstallStep().dependOn(&install.step);
        // A step per extension, so that optional ones can be built one at a time.
        b.step(ext.name, b.fmt("Build {s}", .{ext.name})).dependOn(&install.step);
    }
}

/// A step running zlig's Cython step (cython/zlig_cython_step.py beside the graph) on one
/// source: zig runs it again only when the step, the source or a file its depfile lists (a
/// `cimport`ed `.pxd`, an `include`d `.pxi`) changed; its output is the generated C.
fn translate(b: *std.Build, graph: Graph, cython: Cython, step: CythonStep, dir: []const u8) std.Build.LazyPath {
    const run = b.addSystemCommand(&.{ cython.python, "-I", "-S" });
    run.setName(b.fmt("cython {s}", .{step.source}));
    run.addFileArg(b.graph.cwdRelativePath(b.pathJoin(&.{ dir, "cython", "zlig_cython_step.py" })));
    run.addArgs(&.{ cython.package, graph.root, step.source });
    const output = run.addPrefixedOutputFileArg("--output=", std.fs.path.basename(step.output));
    _ = run.addPrefixedDepFileOutputArg("--depfile=", "cython.d");
    // In zig's syntax: names in double quotes, since zig reads `\#` as two characters.
    run.addArg("--depfile-for=zig");
    run.addArgs(step.args);
    run.addFileInput(b.graph.cwdRelativePath(b.pathJoin(&.{ graph.root, step.source })));
    return output;
}

/// An extension's target and the compile flags left for the compiler. `zig build-obj` passes
/// the target CPU's features after the user's flags (`-Xclang -target-feature -Xclang
/// -crc32` for the baseline x86_64), which would undo `-mcrc32`; so `-march=`/`-mcpu=`
/// (a CPU model, with `+feature`s) and each `-m<feature>`/`-mno-<feature>` that names a
/// feature of the target's arch (`sse4.2` is zig's `sse4_2`) make the extension's CPU
/// instead, as they do for `zig cc`.
fn cpuTarget(
    b: *std.Build,
    target: std.Build.ResolvedTarget,
    zig_triple: []const u8,
    name: []const u8,
    flags: []const []const u8,
) struct { target: std.Build.ResolvedTarget, flags: []const []const u8 } {
    var model: []const u8 = "baseline";
    var changes: std.ArrayList(u8) = .empty;
    var rest: std.ArrayList([]const u8) = .empty;
    const features = target.result.cpu.arch.allFeaturesList();
    for (flags) |flag| {
        if (std.mem.startsWith(u8, flag, "-mcpu=") or std.mem.startsWith(u8, flag, "-march=")) {
            const value = flag[std.mem.indexOfScalar(u8, flag, '=').? + 1 ..];
            const end = std.mem.indexOfScalar(u8, value, '+') orelse value.len;
            model = b.fmt("{s}{s}", .{ zigName(b, value[0..end]), zigName(b, value[end..]) });
            continue;
        }
        if (std.mem.startsWith(u8, flag, "-m")) {
            const removed = std.mem.startsWith(u8, flag, "-mno-");
            const feature = zigName(b, flag[if (removed) 5 else 2 ..]);
            const known = for (features) |f| {
                if (std.mem.eql(u8, f.name, feature)) break true;
            } else false;
            if (known) {
                changes.appendSlice(b.allocator, b.fmt("{s}{s}", .{ if (removed) "-" else "+", feature })) catch @panic("OOM");
                continue;
            }
        }
        rest.append(b.allocator, flag) catch @panic("OOM");
    }
    if (std.mem.eql(u8, model, "baseline") and changes.items.len == 0) return .{ .target = target, .flags = flags };
    const cpu = b.fmt("{s}{s}", .{ model, changes.items });
    const query = std.Target.Query.parse(.{ .arch_os_abi = zig_triple, .cpu_features = cpu }) catch |err|
        std.debug.panic("{s}: the CPU flags give `{s}`, which zig cannot use for {s}: {t}", .{ name, cpu, zig_triple, err });
    return .{ .target = b.resolveTargetQuery(query), .flags = rest.items };
}

/// A CPU or feature name as zig spells it: LLVM's `x86-64-v3` and `sse4.2` are zig's
/// `x86_64_v3` and `sse4_2`.
fn zigName(b: *std.Build, name: []const u8) []const u8 {
    const copy = b.allocator.dupe(u8, name) catch @panic("OOM");
    for (copy) |*c| {
        if (c.* == '-' or c.* == '.') c.* = '_';
    }
    return copy;
}

fn link(b: *std.Build, lib: *std.Build.Step.Compile, input: Link) void {
    const kind = input.kind;
    const module = lib.root_module;
    if (std.mem.eql(u8, kind, "LibraryDir")) {
        module.addLibraryPath(b.graph.cwdRelativePath(input.value));
    } else if (std.mem.eql(u8, kind, "Library")) {
        module.linkSystemLibrary(input.value, .{});
    } else if (std.mem.eql(u8, kind, "RPath")) {
        module.addRPathSpecial(input.value);
    } else if (std.mem.eql(u8, kind, "File")) {
        module.addObjectFile(b.graph.cwdRelativePath(input.value));
    } else if (std.mem.eql(u8, kind, "LinkerOption")) {
        linkerOption(lib, input.value);
    } else {
        std.debug.panic("unknown link input kind {s}", .{kind});
    }
}

/// A linker option as `-Wl,` takes it (src/compile/link_args.rs passes on only these),
/// as the library's link settings.
fn linkerOption(lib: *std.Build.Step.Compile, option: []const u8) void {
    const eql = std.mem.eql;
    if (eql(u8, option, "-z,relro")) {
        lib.link_z_relro = true;
    } else if (eql(u8, option, "-z,norelro")) {
        lib.link_z_relro = false;
    } else if (eql(u8, option, "-z,now")) {
        lib.link_z_lazy = false;
    } else if (eql(u8, option, "-z,lazy")) {
        lib.link_z_lazy = true;
    } else if (eql(u8, option, "--gc-sections")) {
        lib.link_gc_sections = true;
    } else if (eql(u8, option, "--enable-new-dtags")) {
        lib.linker_enable_new_dtags = true;
    } else if (eql(u8, option, "--disable-new-dtags")) {
        lib.linker_enable_new_dtags = false;
    } else if (eql(u8, option, "--build-id")) {
        lib.build_id = .fast;
    } else if (std.mem.startsWith(u8, option, "--build-id=")) {
        lib.build_id = std.zig.BuildId.parse(option["--build-id=".len..]) catch
            std.debug.panic("unknown build id style in {s}", .{option});
    } else {
        std.debug.panic("unknown linker option {s}", .{option});
    }
}

/// The library's root module for a Debug build of the C/C++ module `sources`, with its
/// chunks in `chunked`. It is stripped, so zig builds the runtime libraries it links
/// (compiler_rt, libc++, libunwind) without their DWARF, which names zig's cache and the
/// folder of the build that made them; it imports `sources`, unstripped, so that the link
/// keeps the project's DWARF. A module reaches zig's command line only with a source,
/// hence the empty C files.
fn keepingDebugInfo(
    b: *std.Build,
    target: std.Build.ResolvedTarget,
    optimize: std.builtin.OptimizeMode,
    ext: Extension,
    sources: *std.Build.Module,
    chunked: bool,
) *std.Build.Module {
    const empty = b.addWriteFiles().add("zlig_empty.c", "typedef int zlig_empty_unit;\n");
    if (chunked) sources.addCSourceFile(.{ .file = empty });
    const root = b.createModule(.{
        .target = target,
        .optimize = optimize,
        .link_libc = true,
        .link_libcpp = std.mem.eql(u8, ext.language, "Cxx"),
        .strip = true,
        .sanitize_c = .trap,
        .pic = true,
        .imports = &.{.{ .name = "sources", .module = sources }},
    });
    root.addCSourceFile(.{ .file = empty });
    return root;
}

/// A module compiling `files` (relative to the graph's root) and the Zig `root`, if any, of `ext`.
fn unitModule(
    b: *std.Build,
    target: std.Build.ResolvedTarget,
    optimize: std.builtin.OptimizeMode,
    graph: Graph,
    ext: Extension,
    strip: bool,
    root: ?[]const u8,
    files: []const []const u8,
) *std.Build.Module {
    const module = b.createModule(.{
        .root_source_file = if (root) |file| b.graph.cwdRelativePath(b.pathJoin(&.{ graph.root, file })) else null,
        .target = target,
        .optimize = optimize,
        .link_libc = true,
        .link_libcpp = std.mem.eql(u8, ext.language, "Cxx"),
        .strip = strip,
        // Debug traps (SIGILL) instead of calling UBSan's runtime, whose reports need the
        // source paths that the maps take out; release modes must not trap (ARCHITECTURE.md, "Zig facts", 2).
        .sanitize_c = if (optimize == .debug) .trap else .off,
        .pic = true,
    });
    for (ext.include_dirs) |dir| module.addIncludePath(b.graph.cwdRelativePath(dir));
    module.addSystemIncludePath(b.graph.cwdRelativePath(graph.target.include_dir));
    if (files.len > 0) {
        module.addCSourceFiles(.{ .root = b.graph.cwdRelativePath(graph.root), .files = files, .flags = ext.compile_flags });
    }
    if (root != null) {
        // @cImport is gone in zig 0.17: Python.h reaches Zig code through translate-c.
        const header = b.addWriteFiles().add("python.h", "#define PY_SSIZE_T_CLEAN\n#include <Python.h>\n");
        const python = b.addTranslateC(.{ .root_source_file = header, .target = target, .optimize = optimize });
        for (ext.include_dirs) |dir| python.addIncludePath(b.graph.cwdRelativePath(dir));
        python.addSystemIncludePath(b.graph.cwdRelativePath(graph.target.include_dir));
        // translate-c takes only preprocessor flags.
        for (ext.compile_flags) |flag| {
            if (std.mem.startsWith(u8, flag, "-D") or std.mem.startsWith(u8, flag, "-U")) python.addCFlags(&.{flag});
        }
        module.addImport("python", python.createModule());
    }
    return module;
}
