//! Search patterns for SQLite's `LIKE … ESCAPE '\'`: what an owner types is matched as
//! text, so `%`, `_` and the escape character itself match only themselves.

/// A `LIKE … ESCAPE '\'` pattern matching text that contains `typed` as typed.
pub fn contains(typed: &str) -> String {
    let mut pattern = String::with_capacity(typed.len() + 2);
    pattern.push('%');
    for c in typed.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_only_themselves() {
        assert_eq!(contains("ada"), "%ada%");
        assert_eq!(contains("50%_off\\"), "%50\\%\\_off\\\\%");
        assert_eq!(contains(""), "%%");
    }
}
