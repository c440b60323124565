//! One `[[trigger.http]]` route as a pattern, with the matching and ranking rules of
//! Spin's router (Spin 4.0.2, which uses the `routefinder` crate), so a request reaches
//! the same component with the same captures under this host as under `spin up`.
//!
//! A pattern is read without its leading and trailing slashes and cut at every `/` and
//! `.` into pieces: literal text, a named parameter (`:name`, one path segment, or up to
//! the next `.` when the pattern has one there), and a trailing wildcard (`*`, which the
//! router writes for Spin's `/...`). A path is matched the same way, without its leading
//! and trailing slashes (so `/exact/` matches `/exact`).
//!
//! Ranking, as Spin's router orders its table: the patterns are compared piece by piece,
//! and at the first difference literal text outranks a parameter, which outranks a
//! wildcard, which outranks a separator; then the pattern with more `.` separators
//! wins; then the one with fewer pieces. Two patterns that still tie keep the order they
//! were declared in.

use std::cmp::Ordering;

/// A piece of a route pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    /// A `/` between two pieces.
    Slash,
    /// A `.` after a parameter.
    Dot,
    /// Text that must appear as written.
    Literal(String),
    /// `:name`: captures up to the next `/` (or `.`, when a `.` follows in the pattern).
    Param(String),
    /// `*`: captures the rest of the path, possibly nothing; always last.
    Wildcard,
}

/// A parsed route pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    pieces: Vec<Piece>,
}

/// What a path gave a pattern's parameters and wildcard.
#[derive(Debug, Default, PartialEq)]
pub struct Captures<'p> {
    /// Each parameter's name (borrowed from the pattern) and value, in the pattern's order.
    pub params: Vec<(&'p str, &'p str)>,
    /// What the wildcard took (without the path's trailing slashes), if the pattern has one.
    pub wildcard: Option<&'p str>,
}

impl Pattern {
    /// Reads a pattern such as `/base/:id/*` or `/files/:name.json`; an unnamed parameter,
    /// a named wildcard or a wildcard that is not last is an error.
    pub fn parse(route: &str) -> Result<Pattern, String> {
        let trimmed = route.trim_start_matches('/').trim_end_matches('/');
        let mut pieces: Vec<Piece> = Vec::new();
        let mut separator: Option<char> = None;
        let mut rest = trimmed;
        loop {
            let end = rest.find(['/', '.']).unwrap_or(rest.len());
            let section = &rest[..end];
            let piece = match section {
                "" => None,
                "*" => Some(Piece::Wildcard),
                ":" => return Err("a route parameter needs a name (`:name`)".into()),
                s if s.starts_with('*') => {
                    return Err(format!(
                        "a route has one wildcard and it has no name: write `*` for `{s}`"
                    ));
                }
                s => Some(match s.strip_prefix(':') {
                    Some(name) => Piece::Param(name.into()),
                    None => Piece::Literal(s.into()),
                }),
            };
            if separator == Some('.') {
                match pieces.last_mut() {
                    Some(Piece::Literal(text)) => text.push('.'),
                    _ => pieces.push(Piece::Dot),
                }
            }
            if let Some(piece) = piece {
                if separator == Some('/') {
                    pieces.push(Piece::Slash);
                }
                pieces.push(piece);
            }
            if end == rest.len() {
                break;
            }
            separator = rest[end..].chars().next();
            rest = &rest[end + 1..];
        }
        if let Some(i) = pieces.iter().position(|p| *p == Piece::Wildcard)
            && i + 1 != pieces.len()
        {
            return Err("a route's wildcard must be its last part".into());
        }
        Ok(Pattern { pieces })
    }

    /// The captures if `path` (a request path, without the query) matches.
    pub fn matches<'p>(&'p self, path: &'p str) -> Option<Captures<'p>> {
        let mut rest = path.trim_start_matches('/').trim_end_matches('/');
        let mut captures = Captures::default();
        for (i, piece) in self.pieces.iter().enumerate() {
            let next = self.pieces.get(i + 1);
            match piece {
                Piece::Literal(text) => rest = rest.strip_prefix(text.as_str())?,
                Piece::Param(name) => {
                    if rest.is_empty() {
                        return None;
                    }
                    let end = if next == Some(&Piece::Dot) {
                        let at = rest.find(['.', '/'])?;
                        if !rest[at..].starts_with('.') {
                            return None;
                        }
                        at
                    } else {
                        rest.find('/').unwrap_or(rest.len())
                    };
                    captures.params.push((name.as_str(), &rest[..end]));
                    rest = &rest[end..];
                }
                Piece::Wildcard => {
                    captures.wildcard = Some(rest);
                    rest = "";
                }
                Piece::Slash => match (rest.starts_with('/'), next) {
                    (true, Some(_)) => rest = &rest[1..],
                    (false, None | Some(Piece::Wildcard)) if rest.is_empty() => {}
                    _ => return None,
                },
                Piece::Dot => rest = rest.strip_prefix('.')?,
            }
        }
        (rest.is_empty() || rest == "/").then_some(captures)
    }

    /// True if `self` comes before `other` in Spin's table: the better match when both
    /// match a path.
    pub fn outranks(&self, other: &Pattern) -> bool {
        let first_difference = self
            .pieces
            .iter()
            .zip(&other.pieces)
            .map(|(mine, theirs)| weigh(mine, theirs))
            .find(|o| o.is_ne());
        let decided = first_difference
            .or_else(|| Some(self.dots().cmp(&other.dots())).filter(|o| o.is_ne()))
            .unwrap_or_else(|| other.pieces.len().cmp(&self.pieces.len()));
        decided == Ordering::Greater
    }

    fn dots(&self) -> usize {
        self.pieces.iter().filter(|p| **p == Piece::Dot).count()
    }
}

/// How one piece ranks against another at the same place: literal text over a
/// parameter over a wildcard over a separator (a `.` counts as more than any of them).
fn weigh(mine: &Piece, theirs: &Piece) -> Ordering {
    use Piece::*;
    let rank = |p: &Piece| match p {
        Slash | Dot => 0,
        Wildcard => 1,
        Param(_) => 2,
        Literal(_) => 3,
    };
    match (mine, theirs) {
        (Dot, Slash) | (Slash, Dot) | (Dot, Dot) => Ordering::Equal,
        (Dot, _) | (Literal(_), Dot) => Ordering::Greater,
        _ => rank(mine).cmp(&rank(theirs)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(route: &str) -> &'static Pattern {
        Box::leak(Box::new(Pattern::parse(route).unwrap()))
    }

    #[test]
    fn parameters_take_one_segment_and_the_wildcard_the_rest() {
        let c = p("/base/:path_segment/:path_end/*")
            .matches("/base/path/end/rest/more")
            .unwrap();
        assert_eq!(c.params, [("path_segment", "path"), ("path_end", "end")]);
        assert_eq!(c.wildcard, Some("rest/more"));
        let c = p("/base/:a/:b/*").matches("/base/x/y").unwrap();
        assert_eq!(c.wildcard, Some(""));
        assert!(p("/base/:a/:b/*").matches("/base/x").is_none());
        assert!(p("/base/:a").matches("/base/x/y").is_none());
        assert!(p("/base/:a").matches("/base").is_none());
    }

    #[test]
    fn slashes_at_either_end_of_the_path_do_not_count() {
        assert!(p("/exact").matches("/exact/").is_some());
        assert!(p("/exact").matches("//exact").is_some());
        assert!(p("/exact").matches("/exactly").is_none());
        assert!(p("/a/b").matches("/a//b").is_none());
        assert_eq!(p("/*").matches("/").unwrap().wildcard, Some(""));
        assert_eq!(p("/a/*").matches("/a").unwrap().wildcard, Some(""));
        assert!(p("/a/*").matches("/ab").is_none());
        // An empty segment is an empty parameter.
        let c = p("/a/:p/*").matches("//a//x").unwrap();
        assert_eq!((c.params[0].1, c.wildcard), ("", Some("x")));
    }

    #[test]
    fn a_parameter_before_a_dot_stops_at_the_dot() {
        let c = p("/file/:name.json").matches("/file/x.json").unwrap();
        assert_eq!(c.params, [("name", "x")]);
        assert!(p("/file/:name.json").matches("/file/x.y.json").is_none());
        assert!(p("/file/:name.json").matches("/file/x").is_none());
        assert!(p("/a.b/c").matches("/a.b/c").is_some());
    }

    #[test]
    fn bad_patterns_are_refused() {
        assert!(Pattern::parse("/a/:/b").is_err());
        assert!(Pattern::parse("/a/*rest").is_err());
        assert!(Pattern::parse("/a/*/b").is_err());
    }

    #[test]
    fn literal_beats_parameter_beats_wildcard_and_fewer_pieces_win_a_tie() {
        assert!(p("/prec/exact").outranks(p("/prec/:p")));
        assert!(p("/prec/:p").outranks(p("/prec/*")));
        assert!(p("/prec/:p").outranks(p("/prec/:p/*")));
        assert!(p("/prec/:p/*").outranks(p("/prec/*")));
        assert!(p("/a/b/*").outranks(p("/a/*")));
        assert!(p("/a").outranks(p("/a/*")));
        assert!(p("/:a.json").outranks(p("/:a")));
        // A tie: neither outranks the other, so declaration order decides.
        assert!(!p("/t/:x/end").outranks(p("/t/:y/end")));
        assert!(!p("/t/:y/end").outranks(p("/t/:x/end")));
    }
}
