// zlig's build.zig for the `zig` backend: the same bytes for every project, so that zig's
// configure step, compiled once per machine, is reused by every checkout (src/compile/zig.rs).
// The project comes from a JSON file zlig writes next to this one:
//
//   zig build --build-file build.zig -Dgraph=<abs>/graph.json -Doptimize=fast -Dtarget=<triple> [step...]
//
// Without -Dgraph it declares nothing (zlig runs it so to compile the configure step once).
const std = @import("std");

/// graph.json, as zig.rs writes it.
const Graph = struct {
    project_root: []const u8,
    python_include: []const u8,
    strip: bool,
    /// false keeps zig's UBSan traps (Debug); release modes must not trap (ZIG.md pitfall 6).
    sanitize_c: bool,
    extensions: []const Extension,
};

const Extension = struct {
    /// The dotted module name, also the name of its step.
    name: []const u8,
    /// The last part of the name: the library's name.
    leaf: []const u8,
    /// Where the module goes, relative to --prefix.
    output: []const u8,
    version_script: []const u8,
    /// A Zig root source file, relative to project_root; it can `@import("python")`.
    root: ?[]const u8,
    /// C and C++ sources relative to project_root, in one object per core (ZIG.md §4).
    chunks: []const []const []const u8,
    flags: []const []const u8,
    include_dirs: []const []const u8,
    cxx: bool,
    link: []const Link,
};

/// One link input: `kind` is `LibraryDir`, `Library`, `RPath` or `File`.
const Link = struct {
    kind: []const u8,
    value: []const u8,
};

pub fn build(b: *std.Build) void {
    const target = b.standardTargetOptions(.{});
    const optimize = b.standardOptimizeOption(.{});
    const graph_path = b.option([]const u8, "graph", "the build graph zlig wrote (JSON)") orelse return;
    // The configure result is cached on this file's bytes and the -D options: the graph's
    // content must count too.
    b.dependOnFileContents(b.graph.cwdRelativePath(graph_path));
    const bytes = std.Io.Dir.cwd().readFileAlloc(b.graph.io, graph_path, b.allocator, .limited(64 << 20)) catch |err|
        std.debug.panic("reading {s}: {t}", .{ graph_path, err });
    const graph = std.json.parseFromSliceLeaky(Graph, b.allocator, bytes, .{ .allocate = .alloc_always }) catch |err|
        std.debug.panic("parsing {s}: {t}", .{ graph_path, err });

    const exports = b.addWriteFiles();
    for (graph.extensions) |ext| {
        const module = unitModule(b, target, optimize, graph, ext, ext.root, if (ext.chunks.len == 1) ext.chunks[0] else &.{});
        if (ext.chunks.len > 1) {
            for (ext.chunks, 0..) |chunk, i| {
                const part = unitModule(b, target, optimize, graph, ext, null, chunk);
                module.addObject(b.addObject(.{ .name = b.fmt("{s}_{d}", .{ ext.leaf, i }), .root_module = part }));
            }
        }
        for (ext.link) |input| link(b, module, input);
        const lib = b.addLibrary(.{ .name = ext.leaf, .linkage = .dynamic, .root_module = module });
        lib.setVersionScript(exports.add(b.fmt("{s}.map", .{ext.name}), ext.version_script));
        lib.linker_allow_shlib_undefined = true;
        const install = b.addInstallArtifact(lib, .{ .dest_dir = .{ .override = .prefix }, .dest_sub_path = ext.output });
        b.getInstallStep().dependOn(&install.step);
        // A step per extension, so that optional ones can be built one at a time.
        b.step(ext.name, b.fmt("Build {s}", .{ext.name})).dependOn(&install.step);
    }
}

fn link(b: *std.Build, module: *std.Build.Module, input: Link) void {
    const kind = input.kind;
    if (std.mem.eql(u8, kind, "LibraryDir")) {
        module.addLibraryPath(b.graph.cwdRelativePath(input.value));
    } else if (std.mem.eql(u8, kind, "Library")) {
        module.linkSystemLibrary(input.value, .{});
    } else if (std.mem.eql(u8, kind, "RPath")) {
        module.addRPathSpecial(input.value);
    } else if (std.mem.eql(u8, kind, "File")) {
        module.addObjectFile(b.graph.cwdRelativePath(input.value));
    } else {
        std.debug.panic("unknown link input kind {s}", .{kind});
    }
}

/// A module compiling `files` (relative to project_root) and the Zig `root`, if any, of `ext`.
fn unitModule(
    b: *std.Build,
    target: std.Build.ResolvedTarget,
    optimize: std.builtin.OptimizeMode,
    graph: Graph,
    ext: Extension,
    root: ?[]const u8,
    files: []const []const u8,
) *std.Build.Module {
    const module = b.createModule(.{
        .root_source_file = if (root) |file| b.graph.cwdRelativePath(b.pathJoin(&.{ graph.project_root, file })) else null,
        .target = target,
        .optimize = optimize,
        .link_libc = true,
        .link_libcpp = ext.cxx,
        .strip = graph.strip,
        .sanitize_c = if (graph.sanitize_c) null else .off,
        .pic = true,
    });
    for (ext.include_dirs) |dir| module.addIncludePath(b.graph.cwdRelativePath(dir));
    module.addSystemIncludePath(b.graph.cwdRelativePath(graph.python_include));
    if (files.len > 0) {
        module.addCSourceFiles(.{ .root = b.graph.cwdRelativePath(graph.project_root), .files = files, .flags = ext.flags });
    }
    if (root != null) {
        // @cImport is gone in zig 0.17: Python.h reaches Zig code through translate-c.
        const header = b.addWriteFiles().add("python.h", "#define PY_SSIZE_T_CLEAN\n#include <Python.h>\n");
        const python = b.addTranslateC(.{ .root_source_file = header, .target = target, .optimize = optimize });
        for (ext.include_dirs) |dir| python.addIncludePath(b.graph.cwdRelativePath(dir));
        python.addSystemIncludePath(b.graph.cwdRelativePath(graph.python_include));
        // translate-c takes only preprocessor flags.
        for (ext.flags) |flag| {
            if (std.mem.startsWith(u8, flag, "-D") or std.mem.startsWith(u8, flag, "-U")) python.addCFlags(&.{flag});
        }
        module.addImport("python", python.createModule());
    }
    return module;
}
