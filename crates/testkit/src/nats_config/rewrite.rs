//! Editing a shipped nats-server configuration line by line, knowing the block each line is in.
//!
//! The generated configurations are the shipped files with a few values replaced (addresses,
//! paths) and, for an open server, the `tls` and `authorization` blocks taken out. Walking the
//! lines keeps every other setting and comment exactly as shipped, which the tests check.
//! Blocks open with a line ending in `{` or `[` and close with a line that is `}` or `]`, as the
//! shipped files are written.

/// A setting line of the configuration.
pub(crate) struct Line<'a> {
    /// The keys of the blocks it is in, outermost first (`["cluster", "tls"]`).
    pub(crate) path: &'a [String],
    /// Its key (`listen`, `tls`, `include`).
    pub(crate) key: &'a str,
    /// Its indentation.
    pub(crate) indent: &'a str,
}

impl Line<'_> {
    /// Whether the line is `key` at block path `path`.
    pub(crate) fn is(&self, path: &[&str], key: &str) -> bool {
        self.key == key
            && self
                .path
                .iter()
                .map(String::as_str)
                .eq(path.iter().copied())
    }
}

/// What to do with a setting line.
pub(crate) enum Edit {
    /// Keep it as shipped.
    Keep,
    /// Replace the line (or, if it opens a block, the whole block) with this text (lines without
    /// the last newline).
    Replace(String),
    /// Leave the line (or the whole block it opens) and the comment right above it out.
    Drop,
}

/// `conf` with `edit` applied to every setting line.
pub(crate) fn rewrite(conf: &str, mut edit: impl FnMut(&Line) -> Edit) -> String {
    let mut out = String::new();
    let mut path: Vec<String> = Vec::new();
    // Comments and blank lines wait for the setting after them, which may take its comment away.
    let mut waiting: Vec<&str> = Vec::new();
    // While a replaced or dropped block is skipped: the depth it ends at.
    let mut skip_until: Option<usize> = None;
    for line in conf.lines() {
        let trimmed = line.trim();
        let opens = trimmed.ends_with('{') || trimmed.ends_with('[');
        let closes = trimmed == "}" || trimmed == "]";
        if let Some(depth) = skip_until {
            if opens {
                path.push(String::new());
            } else if closes {
                path.pop();
                if path.len() == depth {
                    skip_until = None;
                }
            }
            continue;
        }
        if trimmed.is_empty() || trimmed.starts_with('#') {
            waiting.push(line);
            continue;
        }
        if closes {
            flush(&mut out, &mut waiting, true);
            push(&mut out, line);
            path.pop();
            continue;
        }
        let key = key_of(trimmed);
        let indent = &line[..line.len() - line.trim_start().len()];
        let what = edit(&Line {
            path: &path,
            key,
            indent,
        });
        let kept = matches!(what, Edit::Keep);
        match what {
            Edit::Keep => {
                flush(&mut out, &mut waiting, true);
                push(&mut out, line);
            }
            Edit::Replace(text) => {
                flush(&mut out, &mut waiting, true);
                push(&mut out, &text);
            }
            Edit::Drop => flush(&mut out, &mut waiting, false),
        }
        if opens {
            path.push(key.to_owned());
            if !kept {
                skip_until = Some(path.len() - 1);
            }
        }
    }
    flush(&mut out, &mut waiting, true);
    out
}

/// The key of a setting line: up to `:`, `=`, whitespace or `{`.
fn key_of(trimmed: &str) -> &str {
    let end = trimmed
        .find(|c: char| c == ':' || c == '=' || c == '{' || c.is_whitespace())
        .unwrap_or(trimmed.len());
    &trimmed[..end]
}

/// Writes the waiting comments and blank lines; without `attached`, the comment lines right
/// above the setting (after the last blank line) are left out with it.
fn flush(out: &mut String, waiting: &mut Vec<&str>, attached: bool) {
    let keep = if attached {
        waiting.len()
    } else {
        waiting
            .iter()
            .rposition(|l| l.trim().is_empty())
            .map_or(0, |i| i + 1)
    };
    for line in &waiting[..keep] {
        push(out, line);
    }
    waiting.clear();
}

fn push(out: &mut String, line: &str) {
    out.push_str(line);
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONF: &str = "\
# head
a: 1

# about b
b {
  c: 2
  d [
    x
  ]
}
e: 3
";

    #[test]
    fn lines_know_their_block_and_blocks_can_be_replaced_or_dropped() {
        let mut seen = Vec::new();
        let same = rewrite(CONF, |l| {
            seen.push(format!("{}/{}", l.path.join("."), l.key));
            Edit::Keep
        });
        assert_eq!(same, CONF);
        assert_eq!(seen, ["/a", "/b", "b/c", "b/d", "b.d/x", "/e"]);

        let dropped = rewrite(CONF, |l| match l.key {
            "b" => Edit::Drop,
            _ => Edit::Keep,
        });
        assert_eq!(dropped, "# head\na: 1\n\ne: 3\n");

        let replaced = rewrite(CONF, |l| {
            if l.is(&["b"], "d") {
                Edit::Replace(format!("{}d [ y ]", l.indent))
            } else if l.is(&[], "a") {
                Edit::Replace("a: 9".into())
            } else {
                Edit::Keep
            }
        });
        assert_eq!(
            replaced,
            "# head\na: 9\n\n# about b\nb {\n  c: 2\n  d [ y ]\n}\ne: 3\n"
        );
    }
}
