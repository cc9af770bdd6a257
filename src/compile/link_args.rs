//! Linker flags, as setuptools users write them (`extra-link-args`, `LDFLAGS`), translated
//! into typed link inputs; and the compiler flags of the environment.
//!
//! Backends take typed inputs, not raw linker flags, so that each can express them (the
//! `zig` backend has no raw linker command line). Linker options (`-Wl,…`, `-Xlinker …`)
//! are passed on where zig's linker understands them and every built-in backend can say
//! them (checked with `zig cc`, `zig build-lib` and `std.Build`'s fields); those that ask
//! for what zig's links do anyway are taken as said. The rest is refused with the reason
//! in `extra-link-args`, which the project's author can fix; in `LDFLAGS`, where
//! distributions and conda put flags for their own toolchain, it is left out with a note.

use std::path::Path;

use crate::compile::graph::LinkInput;
use crate::project::text::{ControlCharacter, check_text};

/// Compiler and linker flags from the environment, honoured as setuptools does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvFlags {
    /// `CPPFLAGS` then `CFLAGS`.
    pub compile: Vec<String>,
    /// `LDFLAGS`.
    pub link: Vec<String>,
}

/// A flag variable zlig cannot take.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvFlagsError {
    /// A shell could not split it.
    #[error("{var}={value:?} has unbalanced quotes")]
    UnbalancedQuotes { var: &'static str, value: String },
    /// One of its words holds a control character (`project::text`); a line break between
    /// words only separates them, as in a shell.
    #[error("{var}: {why}")]
    ControlCharacter {
        var: &'static str,
        why: ControlCharacter,
    },
}

impl EnvFlags {
    /// Reads `CPPFLAGS`, `CFLAGS` and `LDFLAGS`, split as a POSIX shell would.
    pub fn from_env() -> Result<Self, EnvFlagsError> {
        Self::read(|var| std::env::var(var).unwrap_or_default())
    }

    /// The flags of the variables `var` gives the values of.
    fn read(var: impl Fn(&'static str) -> String) -> Result<Self, EnvFlagsError> {
        let split = |name: &'static str| {
            let value = var(name);
            let words = shlex::split(&value).ok_or(EnvFlagsError::UnbalancedQuotes {
                var: name,
                value: value.clone(),
            })?;
            for word in &words {
                check_text(word)
                    .map_err(|why| EnvFlagsError::ControlCharacter { var: name, why })?;
            }
            Ok(words)
        };
        let mut compile = split("CPPFLAGS")?;
        compile.extend(split("CFLAGS")?);
        Ok(Self {
            compile,
            link: split("LDFLAGS")?,
        })
    }

    /// `LDFLAGS` as link inputs (relative paths from `root`), and the note naming what was
    /// left out, and why, if anything was.
    pub fn link_inputs(&self, root: &Path) -> (Vec<LinkInput>, Option<String>) {
        let mut inputs = Vec::new();
        let mut left_out: Vec<(String, &'static str)> = Vec::new();
        for (_, read) in read_args(root, self.link.iter().map(String::as_str)) {
            match read {
                Read::Input(input) => inputs.push(input),
                Read::Done => {}
                Read::Refused(flag, why) => left_out.push((flag, why.reason())),
            }
        }
        (inputs, left_out_note(&left_out))
    }
}

/// The note about the `LDFLAGS` flags left out: each reason once, after its flags.
fn left_out_note(left_out: &[(String, &'static str)]) -> Option<String> {
    let mut reasons: Vec<&str> = Vec::new();
    for (_, why) in left_out {
        if !reasons.contains(why) {
            reasons.push(why);
        }
    }
    let groups: Vec<String> = reasons
        .iter()
        .map(|why| {
            let mut flags: Vec<&str> = Vec::new();
            for (flag, reason) in left_out {
                if reason == why && !flags.contains(&flag.as_str()) {
                    flags.push(flag);
                }
            }
            format!("{} ({why})", flags.join(", "))
        })
        .collect();
    (!groups.is_empty()).then(|| {
        format!(
            "LDFLAGS: left out {}; the other flags are passed on",
            groups.join("; ")
        )
    })
}

/// Why a link argument is not passed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotPassed {
    /// A value (`-L`, `-z`, …) is missing after it.
    NeedsValue,
    /// A linker optimization level, which zig's linker ignores.
    OptimizeLevel,
    /// An option LLD accepts and ignores.
    IgnoredByLld,
    /// Binding or hiding symbols: a module's own symbols are local already.
    Symbols,
    /// Refusing undefined symbols: a module leaves CPython's to the interpreter.
    NoUndefined,
    /// A random build id, which would make two builds differ.
    RandomBuildId,
    /// `--hash-style`: zig writes both hash tables.
    HashStyle,
    /// Keeping unreferenced sections, which zlig's links drop.
    KeepSections,
    /// A compiler option, given to a link.
    CompilerOption,
    /// GCC's driver's option.
    GccDriver,
    /// Another linker.
    OtherLinker,
    /// What zlig decides itself: a shared library, its soname, its exports.
    ZligDecides,
    /// A linker option zig's linker does not support, or not in every backend.
    UnknownLinkerOption,
    /// Anything else.
    Unknown,
}

impl NotPassed {
    /// The reason, for a message.
    pub fn reason(self) -> &'static str {
        match self {
            Self::NeedsValue => "a value is missing after it",
            Self::OptimizeLevel => "zig's linker has no optimization levels",
            Self::IgnoredByLld => "ignored by LLD, zig's linker",
            Self::Symbols => {
                "a module's own symbols are local already: zlig links it with a version script"
            }
            Self::NoUndefined => {
                "an extension module leaves CPython's symbols to the interpreter that loads it"
            }
            Self::RandomBuildId => "a random build id would make two builds of one input differ",
            Self::HashStyle => {
                "zig writes both the GNU and the SysV hash table, which every loader reads"
            }
            Self::KeepSections => "zlig's links drop unreferenced sections",
            Self::CompilerOption => "compiler options: CFLAGS reaches every compile",
            Self::GccDriver => "read by GCC's driver, not by zig's",
            Self::OtherLinker => "zig links with its own linker",
            Self::ZligDecides => "zlig links each module as a shared library with its own exports",
            Self::UnknownLinkerOption => {
                "not among the linker options zlig passes on: -z relro/norelro/now/lazy, --gc-sections, --build-id, --enable-new-dtags, --disable-new-dtags"
            }
            Self::Unknown => "not a link argument zlig knows",
        }
    }
}

/// A link argument zlig cannot pass on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{arg}` is not a link argument zlig can pass on ({}); use -lNAME, -LDIR, -Wl,-rpath,DIR, the path of an object, archive or shared library, or a linker option zig understands, such as -Wl,-z,relro",
    .why.reason()
)]
pub struct LinkArgError {
    pub arg: String,
    pub why: NotPassed,
}

/// Translates link arguments (`extra-link-args`) into link inputs; relative paths are taken
/// from `root`. On a bad argument, its index and the reason.
pub fn link_inputs<'a>(
    root: &Path,
    args: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<LinkInput>, (usize, LinkArgError)> {
    let mut inputs = Vec::new();
    for (index, read) in read_args(root, args) {
        match read {
            Read::Input(input) => inputs.push(input),
            Read::Done => {}
            Read::Refused(arg, why) => return Err((index, LinkArgError { arg, why })),
        }
    }
    Ok(inputs)
}

/// What one link argument (or one option of a `-Wl,` group) comes to.
enum Read {
    /// A link input.
    Input(LinkInput),
    /// Nothing to pass: what it asks is what zlig's links do.
    Done,
    /// Not passed on: the flag, as the user wrote it, and why.
    Refused(String, NotPassed),
}

/// Reads link arguments as a compiler driver takes them; each result with the index of the
/// argument it comes from.
fn read_args<'a>(root: &Path, args: impl IntoIterator<Item = &'a str>) -> Vec<(usize, Read)> {
    let mut read = Vec::new();
    let mut args = args.into_iter().enumerate().peekable();
    while let Some((index, arg)) = args.next() {
        let at = |reads: Vec<Read>| reads.into_iter().map(move |r| (index, r));
        if let Some(group) = arg.strip_prefix("-Wl,") {
            read.extend(at(linker_options(group.split(',').collect())));
            continue;
        }
        let takes_value = matches!(arg, "-l" | "-L" | "-Xlinker");
        let value = args.next_if(|_| takes_value).map(|(_, value)| value);
        let one = match (arg, value) {
            ("-l", Some(name)) => Read::Input(LinkInput::Library(name.to_string())),
            ("-L", Some(dir)) => Read::Input(LinkInput::LibraryDir(root.join(dir))),
            ("-Xlinker", Some(first)) => {
                // `-Xlinker -z -Xlinker now`: one option, in consecutive pairs.
                let mut words = vec![first];
                while args.next_if(|(_, a)| *a == "-Xlinker").is_some() {
                    words.extend(args.next().map(|(_, word)| word));
                }
                read.extend(at(linker_options(words)));
                continue;
            }
            ("-l" | "-L" | "-Xlinker", None) => {
                Read::Refused(arg.to_string(), NotPassed::NeedsValue)
            }
            _ => driver_arg(root, arg),
        };
        read.push((index, one));
    }
    read
}

/// One argument of the compiler driver that stands alone.
fn driver_arg(root: &Path, arg: &str) -> Read {
    let refused = |why| Read::Refused(arg.to_string(), why);
    match arg {
        "-pthread" => Read::Input(LinkInput::Library("pthread".into())),
        "-s" | "-static-libgcc" | "-static-libstdc++" => Read::Done,
        _ if arg.starts_with("-l") => Read::Input(LinkInput::Library(arg[2..].to_string())),
        _ if arg.starts_with("-L") => Read::Input(LinkInput::LibraryDir(root.join(&arg[2..]))),
        _ if !arg.starts_with('-')
            && [".a", ".o", ".so"]
                .iter()
                .any(|s| arg.ends_with(s) || arg.contains(".so.")) =>
        {
            Read::Input(LinkInput::File(root.join(arg)))
        }
        _ if arg.starts_with("-specs=") || arg.starts_with("--specs=") => {
            refused(NotPassed::GccDriver)
        }
        _ if arg.starts_with("-fuse-ld=") => refused(NotPassed::OtherLinker),
        "-shared" | "-static" | "-pie" | "-no-pie" | "-rdynamic" | "-nostdlib"
        | "-nostartfiles" => refused(NotPassed::ZligDecides),
        _ if ["-f", "-O", "-g", "-m", "-D", "-U", "-I", "-std=", "-W"]
            .iter()
            .any(|prefix| arg.starts_with(prefix)) =>
        {
            refused(NotPassed::CompilerOption)
        }
        _ => refused(NotPassed::Unknown),
    }
}

/// The linker options of one `-Wl,` group (its comma-separated `words`) or of
/// consecutive `-Xlinker`s; each refused one is named in the `-Wl,` spelling.
fn linker_options(words: Vec<&str>) -> Vec<Read> {
    let mut read = Vec::new();
    let mut words = words.into_iter();
    while let Some(word) = words.next() {
        let takes_value = matches!(
            word,
            "-rpath"
                | "--rpath"
                | "-z"
                | "-rpath-link"
                | "--exclude-libs"
                | "-soname"
                | "--version-script"
                | "-T"
                | "-dT"
                | "-O"
        );
        let value = takes_value.then(|| words.next()).flatten();
        let spelled = match value {
            Some(value) => format!("-Wl,{word},{value}"),
            None => format!("-Wl,{word}"),
        };
        let outcome = match (word, value) {
            (_, None) if takes_value => Err(NotPassed::NeedsValue),
            ("-rpath" | "--rpath", Some(dir)) => Ok(Some(LinkInput::RPath(dir.to_string()))),
            ("-z", Some(keyword)) => z_option(keyword),
            (_, Some(_)) => Err(word_reason(word)),
            _ if word.len() > 2 && word.starts_with("-z") => z_option(&word[2..]),
            _ => option(word),
        };
        read.push(match outcome {
            Ok(Some(input)) => Read::Input(input),
            Ok(None) => Read::Done,
            Err(why) => Read::Refused(spelled, why),
        });
    }
    read
}

/// A `-z` keyword: the input to pass on, or none when zig's links do that anyway.
fn z_option(keyword: &str) -> Result<Option<LinkInput>, NotPassed> {
    match keyword {
        "relro" | "norelro" | "now" | "lazy" => {
            Ok(Some(LinkInput::LinkerOption(format!("-z,{keyword}"))))
        }
        // zig's links never make the stack executable.
        "noexecstack" => Ok(None),
        "defs" => Err(NotPassed::NoUndefined),
        _ => Err(NotPassed::UnknownLinkerOption),
    }
}

/// One linker option without a separate value: the input to pass on, or none when zig's
/// links do that anyway.
fn option(word: &str) -> Result<Option<LinkInput>, NotPassed> {
    let passed = || Ok(Some(LinkInput::LinkerOption(word.to_string())));
    match word {
        "--gc-sections" | "--enable-new-dtags" | "--disable-new-dtags" | "--build-id" => passed(),
        _ if word.starts_with("-rpath=") => {
            Ok(Some(LinkInput::RPath(word["-rpath=".len()..].into())))
        }
        _ if word.starts_with("--build-id=") => match &word["--build-id=".len()..] {
            "fast" | "sha1" | "tree" | "md5" | "none" => passed(),
            hex if hex.starts_with("0x") && hex[2..].chars().all(|c| c.is_ascii_hexdigit()) => {
                passed()
            }
            "uuid" => Err(NotPassed::RandomBuildId),
            _ => Err(NotPassed::UnknownLinkerOption),
        },
        // What every module's link is: libraries only where needed, CPython's symbols
        // left undefined, stripped outside Debug.
        "--as-needed" | "--allow-shlib-undefined" | "-s" | "--strip-all" => Ok(None),
        _ => Err(word_reason(word)),
    }
}

/// Why the linker option `word` is not passed on.
fn word_reason(word: &str) -> NotPassed {
    let name = word.split('=').next().unwrap_or(word);
    match name {
        _ if name.starts_with("-O") => NotPassed::OptimizeLevel,
        "--sort-common" | "-rpath-link" | "--rpath-link" | "--no-copy-dt-needed-entries" => {
            NotPassed::IgnoredByLld
        }
        "-Bsymbolic" | "-Bsymbolic-functions" | "--exclude-libs" => NotPassed::Symbols,
        "--no-undefined" | "-no-undefined" => NotPassed::NoUndefined,
        "--hash-style" => NotPassed::HashStyle,
        "--no-gc-sections" => NotPassed::KeepSections,
        "-soname" | "--version-script" | "--dynamic-list" | "-shared" | "-pie" | "-T" | "-dT" => {
            NotPassed::ZligDecides
        }
        _ => NotPassed::UnknownLinkerOption,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A word of `CPPFLAGS`, `CFLAGS` or `LDFLAGS` holding a control character (quoted, so
    /// that splitting keeps it) is refused with the variable's name; between words, a line
    /// break only separates them, as in a shell.
    #[test]
    fn flag_variables_with_a_control_character_in_a_word_are_refused_by_name() {
        let read = |name: &'static str, value: &'static str| {
            EnvFlags::read(|var| match var == name {
                true => value.to_string(),
                false => String::new(),
            })
        };
        assert_eq!(read("CFLAGS", "-O2\n  -g").unwrap().compile, ["-O2", "-g"]);
        for (var, value, shown) in [
            (
                "CFLAGS",
                "-O2 '-DX=1\nrule evil'",
                "`-DX=1\\nrule evil` holds a line break (`\\n`)",
            ),
            (
                "CPPFLAGS",
                "\"-Iinc\rx\"",
                "`-Iinc\\rx` holds a line break (`\\r`)",
            ),
            (
                "LDFLAGS",
                "'-lm\tx'",
                "`-lm\\tx` holds a control character (`\\t`)",
            ),
        ] {
            assert_eq!(
                read(var, value).unwrap_err().to_string(),
                format!(
                    "{var}: {shown}, which no flag, macro, library name or path may hold (each is written on one line of a generated build file)"
                )
            );
        }
    }

    #[test]
    fn flags_become_typed_inputs_and_the_rest_is_refused_by_index() {
        let root = Path::new("/p");
        let inputs = link_inputs(
            root,
            [
                "-l",
                "z",
                "-Lout",
                "-Wl,-rpath=$ORIGIN",
                "-s",
                "a.so.1",
                "-Wl,-z,relro,--as-needed",
            ],
        );
        assert_eq!(
            inputs.unwrap(),
            [
                LinkInput::Library("z".into()),
                LinkInput::LibraryDir("/p/out".into()),
                LinkInput::RPath("$ORIGIN".into()),
                LinkInput::File("/p/a.so.1".into()),
                LinkInput::LinkerOption("-z,relro".into()),
            ]
        );
        let refused = link_inputs(root, ["-lm", "-Wl,-Bsymbolic-functions"]).unwrap_err();
        assert_eq!(refused.0, 1);
        let in_a_group = link_inputs(root, ["-lm", "-Wl,-z,now,-O1", "-lz"]).unwrap_err();
        assert_eq!((in_a_group.0, in_a_group.1.arg.as_str()), (1, "-Wl,-O1"));
        insta::assert_snapshot!(
            refused.1.to_string(),
            @"`-Wl,-Bsymbolic-functions` is not a link argument zlig can pass on (a module's own symbols are local already: zlig links it with a version script); use -lNAME, -LDIR, -Wl,-rpath,DIR, the path of an object, archive or shared library, or a linker option zig understands, such as -Wl,-z,relro"
        );
        assert_eq!(
            link_inputs(root, ["-L"]).unwrap_err(),
            (
                0,
                LinkArgError {
                    arg: "-L".into(),
                    why: NotPassed::NeedsValue
                }
            )
        );
    }

    /// What distributions and conda put in `LDFLAGS` (Debian, Fedora, Ubuntu, Arch,
    /// Alpine, conda-forge): never refused; what zig's linker understands is passed on.
    #[test]
    fn distribution_ldflags_are_passed_on_or_left_out_with_one_note() {
        let flags = EnvFlags {
            compile: Vec::new(),
            link: [
                "-Wl,-z,relro",
                "-Wl,-z,now",
                "-Wl,-O1",
                "-Wl,--as-needed",
                "-Wl,--sort-common",
                "-Wl,--hash-style=gnu",
                "-Wl,-Bsymbolic-functions",
                "-fstack-protector-strong",
                "-specs=/usr/lib/rpm/redhat/redhat-hardened-ld",
                "-Wl,--build-id=sha1",
                "-Wl,-O2,--sort-common,--as-needed,-z,pack-relative-relocs",
                "-Wl,--disable-new-dtags",
                "-Wl,--gc-sections",
                "-Wl,--allow-shlib-undefined",
                "-Wl,-rpath,/opt/conda/lib",
                "-Wl,-rpath-link,/opt/conda/lib",
                "-L/opt/conda/lib",
                "-flto=auto",
                "-Xlinker",
                "-znow",
            ]
            .map(String::from)
            .to_vec(),
        };
        let (inputs, note) = flags.link_inputs(Path::new("/p"));
        assert_eq!(
            inputs,
            [
                LinkInput::LinkerOption("-z,relro".into()),
                LinkInput::LinkerOption("-z,now".into()),
                LinkInput::LinkerOption("--build-id=sha1".into()),
                LinkInput::LinkerOption("--disable-new-dtags".into()),
                LinkInput::LinkerOption("--gc-sections".into()),
                LinkInput::RPath("/opt/conda/lib".into()),
                LinkInput::LibraryDir("/opt/conda/lib".into()),
                LinkInput::LinkerOption("-z,now".into()),
            ]
        );
        insta::assert_snapshot!(note.unwrap(), @"LDFLAGS: left out -Wl,-O1, -Wl,-O2 (zig's linker has no optimization levels); -Wl,--sort-common, -Wl,-rpath-link,/opt/conda/lib (ignored by LLD, zig's linker); -Wl,--hash-style=gnu (zig writes both the GNU and the SysV hash table, which every loader reads); -Wl,-Bsymbolic-functions (a module's own symbols are local already: zlig links it with a version script); -fstack-protector-strong, -flto=auto (compiler options: CFLAGS reaches every compile); -specs=/usr/lib/rpm/redhat/redhat-hardened-ld (read by GCC's driver, not by zig's); -Wl,-z,pack-relative-relocs (not among the linker options zlig passes on: -z relro/norelro/now/lazy, --gc-sections, --build-id, --enable-new-dtags, --disable-new-dtags); the other flags are passed on");
        assert_eq!(
            EnvFlags::default().link_inputs(Path::new("/p")),
            (vec![], None)
        );
    }
}
