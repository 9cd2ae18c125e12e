//! The fields of an event besides its organizations: a procurement's quantity and item, a
//! product's name, an agreement's kind — read from the words around the trigger.

use crate::tokens::Token;

/// The quantity of a procurement: the first number of the sentence that is not a year, a price
/// or a percentage (`350.000` and `350,000` are 350000; "1,5 Millionen" and "2 million" are
/// multiplied out), with the index of its token.
pub(crate) fn quantity(text: &str, tokens: &[Token]) -> Option<(u64, usize)> {
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        if !t.lower.starts_with(|c: char| c.is_ascii_digit()) {
            i += 1;
            continue;
        }
        // The number as written: digits with '.' and ',' between them.
        let mut end = t.end;
        let mut j = i;
        while j + 1 < tokens.len()
            && tokens[j + 1].start == end + 1
            && matches!(&text[end..end + 1], "." | ",")
            && tokens[j + 1].lower.chars().all(|c| c.is_ascii_digit())
        {
            j += 1;
            end = tokens[j].end;
        }
        let written = &text[t.start..end];
        let before = text[..t.start].trim_end().chars().next_back();
        let next = tokens.get(j + 1).map(|t| t.lower.as_str()).unwrap_or("");
        let money = matches!(before, Some('$' | '€' | '£'))
            || matches!(
                next,
                "dollar" | "euro" | "usd" | "eur" | "prozent" | "percent" | "won" | "yen" | "%"
            )
            || text[end..].trim_start().starts_with('%');
        let groups: Vec<&str> = written.split(['.', ',']).collect();
        let thousands = groups.len() > 1 && groups[1..].iter().all(|g| g.len() == 3);
        let value: Option<f64> = if thousands {
            groups.concat().parse().ok()
        } else if groups.len() == 2 {
            format!("{}.{}", groups[0], groups[1]).parse().ok()
        } else {
            written.parse().ok()
        };
        let year = groups.len() == 1
            && written.len() == 4
            && (1900..2200).contains(&(value.unwrap_or(0.0) as i64));
        let multiplier = match next {
            "millionen" | "million" | "mio" | "millions" => 1e6,
            "milliarden" | "billion" | "mrd" | "billions" => 1e9,
            "tausend" | "thousand" => 1e3,
            _ => 1.0,
        };
        if let Some(v) = value
            && !money
            && !year
            && v > 0.0
        {
            return Some(((v * multiplier).round() as u64, j));
        }
        i = j + 1;
    }
    None
}

/// Words that end an item's or a product's name.
const STOP: &[&str] = &[
    "des", "der", "von", "vom", "bei", "from", "of", "for", "für", "to", "zu", "zum", "bis", "by",
    "and", "und", "im", "in", "an", "on", "auf", "mit", "with", "um", "the", "die", "das", "den",
    "dem", "a", "an", "ein", "eine", "einen", "its", "seine", "seinen", "seiner", "ihre",
];

/// The item of a procurement: the words after the quantity (at most four, up to a preposition or
/// article), else the words after the trigger.
pub(crate) fn item(
    text: &str,
    tokens: &[Token],
    after: usize,
    not: &dyn Fn(usize) -> bool,
) -> Option<String> {
    let from = after + 1;
    let mut to = from;
    while to < tokens.len()
        && to - from < 4
        && !STOP.contains(&tokens[to].lower.as_str())
        && !not(to)
        && tokens[to].clause == tokens[from.min(tokens.len() - 1)].clause
    {
        to += 1;
    }
    (to > from).then(|| text[tokens[from].start..tokens[to - 1].end].to_owned())
}

/// The name of a launched product: in the trigger's clause, then in the clauses beside it, a
/// quoted name or capitalised words holding a digit or an inner capital ("Quest 3", "iPhone 16",
/// "H100"); else, when names are capitalised only as names (English), the capitalised words after
/// a determiner following the trigger in its clause ("entered the market with its Vision Pro").
pub(crate) fn product(
    text: &str,
    tokens: &[Token],
    at: usize,
    not: &dyn Fn(usize) -> bool,
    capitalised_names: bool,
) -> Option<String> {
    let clause = tokens[at].clause;
    let own: Vec<usize> = (0..tokens.len())
        .filter(|&i| tokens[i].clause == clause)
        .collect();
    let beside: Vec<usize> = (0..tokens.len())
        .filter(|&i| tokens[i].clause + 1 == clause || tokens[i].clause == clause + 1)
        .collect();
    let span = |a: usize, b: usize| text[tokens[a].start..tokens[b].end].to_owned();
    // A run of name-like words around a word with a digit or an inner capital.
    let word = |i: usize| &text[tokens[i].start..tokens[i].end];
    let marked = |i: usize| {
        let w = word(i);
        w.chars().any(|c| c.is_ascii_digit())
            || w.chars().skip(1).any(char::is_uppercase) && !w.chars().all(char::is_uppercase)
    };
    let joined = |a: usize, b: usize| {
        text[tokens[a].end..tokens[b].start]
            .chars()
            .all(|c| c == ' ' || c == '-')
    };
    let run = |i: usize, back: bool| {
        let mut a = i;
        while back
            && a > 1
            && i - a < 2
            && tokens[a - 1].capitalized
            && !not(a - 1)
            && joined(a - 1, a)
        {
            a -= 1;
        }
        let mut b = i;
        while b + 1 < tokens.len()
            && b - i < 2
            && (tokens[b + 1].capitalized || marked(b + 1))
            && !not(b + 1)
            && joined(b, b + 1)
        {
            b += 1;
        }
        span(a, b)
    };
    let marked_in = |scope: &[usize]| {
        scope.iter().copied().find(|&i| {
            let year = tokens[i].lower.len() == 4 && tokens[i].lower.parse::<u32>().is_ok();
            !not(i) && marked(i) && !year
        })
    };
    if let Some(i) = marked_in(&own) {
        return Some(run(i, true));
    }
    if capitalised_names {
        const DETERMINERS: &[&str] = &["its", "the", "a", "an", "their", "his", "her", "new"];
        for &i in own.iter().filter(|&&i| i > at + 1) {
            if tokens[i].capitalized
                && !not(i)
                && DETERMINERS.contains(&tokens[i - 1].lower.as_str())
            {
                return Some(run(i, false));
            }
        }
    }
    if let Some(i) = marked_in(&beside) {
        return Some(run(i, true));
    }
    None
}

/// The kind of an agreement from the words of its trigger.
pub(crate) fn agreement_kind(trigger: &str) -> Option<&'static str> {
    let t = trigger.to_lowercase();
    if t.contains("memorandum") || t.contains("mou") || t.contains("absichtserklärung") {
        Some("mou")
    } else if t.contains("letter of intent") {
        Some("loi")
    } else if t.contains("joint venture") || t.contains("gemeinschaftsunternehmen") {
        Some("joint-venture")
    } else if t.contains("vertrag") || t.contains("contract") {
        Some("contract")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokens::tokenize;

    #[test]
    fn quantities_skip_years_prices_and_percentages() {
        let q = |text: &str| quantity(text, &tokenize(text, 0, text.len())).map(|(v, _)| v);
        assert_eq!(
            q("bis 2024 etwa 350.000 H100-Grafikprozessoren"),
            Some(350_000)
        );
        assert_eq!(q("for $5 billion, 350,000 GPUs"), Some(350_000));
        assert_eq!(q("1,5 Millionen Zellen"), Some(1_500_000));
        assert_eq!(q("um 20 Prozent"), None);
    }

    #[test]
    fn items_products_and_kinds() {
        let text = "etwa 350.000 H100-Grafikprozessoren des Herstellers Nvidia zu beschaffen";
        let tokens = tokenize(text, 0, text.len());
        let (_, at) = quantity(text, &tokens).unwrap();
        assert_eq!(
            item(text, &tokens, at, &|_| false).as_deref(),
            Some("H100-Grafikprozessoren")
        );
        let text = "Meta hat sein neuestes Headset, Quest 3, im Juni auf den Markt gebracht";
        let tokens = tokenize(text, 0, text.len());
        let at = tokens.iter().position(|t| t.lower == "gebracht").unwrap();
        assert_eq!(
            product(text, &tokens, at, &|i| i == 0, false).as_deref(),
            Some("Quest 3")
        );
        let text = "Meta launched its Quest 3 in June, before Apple entered the market with its Vision Pro";
        let tokens = tokenize(text, 0, text.len());
        let at = tokens.iter().position(|t| t.lower == "entered").unwrap();
        let apple = tokens.iter().position(|t| t.lower == "apple").unwrap();
        assert_eq!(
            product(text, &tokens, at, &|i| i == apple, true).as_deref(),
            Some("Vision Pro")
        );
        assert_eq!(agreement_kind("Absichtserklärung"), Some("mou"));
        assert_eq!(agreement_kind("deal"), None);
    }
}
