//! A bound on how many JSON values a request body holds, checked by a linear scan of its bytes
//! before it is parsed.
//!
//! Parsed, a JSON value takes 32 bytes or more however short its text: 33 MB of `[1,1,1,…]`
//! would become more than 500 MB of `serde_json::Value` — per request being validated. No
//! valid request comes near: an event holds at most about 200 values (its lists are bounded by
//! the contract's limits, each field appears once), so a batch of 500 events about 100,000.
//! [`MAX_BODY_VALUES`] is ten times that; a body over it cannot be valid and is refused with
//! `413` before anything is allocated for it.

use liaison_runtime::Problem;

/// Most JSON values (scalars, arrays, objects; object keys not counted) a request body may hold.
pub const MAX_BODY_VALUES: usize = 1_000_000;

/// An upper bound on the number of values in the JSON text `bytes`: one, plus one per `,`,
/// `[` and `{` outside strings. Linear, without recursion; meaningful only for well-formed JSON
/// (the parser reports the rest).
pub fn count_values(bytes: &[u8]) -> usize {
    let mut count = 1usize;
    let mut in_string = false;
    let mut escaped = false;
    for &b in bytes {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b',' | b'[' | b'{' => count += 1,
            _ => {}
        }
    }
    count
}

/// Refuses (`413`) a body of more than [`MAX_BODY_VALUES`] values.
pub fn check(bytes: &[u8]) -> Result<(), Problem> {
    let count = count_values(bytes);
    if count > MAX_BODY_VALUES {
        return Err(Problem::payload_too_large(format!(
            "the request body holds about {count} JSON values, more than the limit of \
             {MAX_BODY_VALUES}; no valid request holds that many (a batch of 500 events holds \
             about 100,000 at most)"
        ))
        .with_extension("limit_values", MAX_BODY_VALUES));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_values_outside_strings() {
        assert_eq!(count_values(b"1"), 1);
        assert_eq!(count_values(b"[]"), 2);
        assert_eq!(count_values(b"[1,2,3]"), 4);
        assert_eq!(count_values(br#"{"a": [1, {"b": 2}], "c": null}"#), 6);
        // Brackets and commas inside strings, and escaped quotes, do not count.
        assert_eq!(count_values(br#"["a,[{", "\",[", "\\"]"#), 4);
    }

    #[test]
    fn a_bound_above_every_value_of_the_parsed_document() {
        let doc = serde_json::json!([{"type": "meeting.held", "data": {"organizations":
            ["meta", "lg-electronics"], "topics": [], "evidence": {"quote": "a, [b] {c}"}}}, 1, null]);
        let text = serde_json::to_vec_pretty(&doc).unwrap();
        fn values(v: &serde_json::Value) -> usize {
            1 + match v {
                serde_json::Value::Array(items) => items.iter().map(values).sum(),
                serde_json::Value::Object(map) => map.values().map(values).sum(),
                _ => 0,
            }
        }
        assert!(count_values(&text) >= values(&doc));
    }

    #[test]
    fn a_body_of_two_million_numbers_is_refused() {
        let mut body = vec![b'['];
        body.extend(std::iter::repeat_n(&b"0,"[..], 2_000_000).flatten());
        body.extend(b"0]");
        let problem = check(&body).unwrap_err();
        assert_eq!(problem.status, 413);
        assert_eq!(problem.extensions["limit_values"], MAX_BODY_VALUES);
        assert!(check(b"[0,0,0]").is_ok());
    }
}
