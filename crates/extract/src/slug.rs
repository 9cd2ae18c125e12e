//! The slug of a new organization's name, by the gold guidelines' rule: the name without its
//! legal suffix, letters with diacritics made plain (`Škoda` → `skoda`), lowercase ASCII, runs of
//! other characters turned into `-` (`SK Hynix` → `sk-hynix`).

/// The plain ASCII letters of a letter with diacritics, if it has some.
fn plain(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'ç' | 'ć' | 'č' | 'ĉ' => "c",
        'ď' | 'đ' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'ğ' | 'ģ' => "g",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => "i",
        'ķ' => "k",
        'ł' | 'ľ' | 'ĺ' | 'ļ' => "l",
        'ñ' | 'ń' | 'ň' | 'ņ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'ř' | 'ŕ' => "r",
        'ś' | 'š' | 'ş' | 'ș' => "s",
        'ť' | 'ţ' | 'ț' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        'ß' => "ss",
        'æ' => "ae",
        'œ' => "oe",
        _ => return None,
    })
}

/// The slug of `name` (already without its legal suffix); `None` when nothing is left or it would
/// be longer than a slug may be.
pub(crate) fn slug(name: &str) -> Option<String> {
    let mut out = String::new();
    let mut dash = false;
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
            dash = false;
        } else if let Some(p) = plain(c) {
            out.push_str(p);
            dash = false;
        } else if !dash && !out.is_empty() {
            out.push('-');
            dash = true;
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    (!out.is_empty() && out.len() <= 64).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_guidelines_examples() {
        assert_eq!(slug("SK Hynix").as_deref(), Some("sk-hynix"));
        assert_eq!(slug("Škoda Auto").as_deref(), Some("skoda-auto"));
        assert_eq!(slug("Aleph Alpha").as_deref(), Some("aleph-alpha"));
        assert_eq!(slug("Müller & Söhne").as_deref(), Some("muller-sohne"));
        assert_eq!(slug("  ").as_deref(), None);
    }
}
