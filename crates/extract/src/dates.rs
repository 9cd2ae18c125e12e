//! Dates of the text resolved against the publication day: weekdays ("am Mittwoch" — the last
//! Wednesday at or before publication for a past fact, the next one for a future fact), months
//! ("im Juni" — the 1st of the latest June not after publication for a past fact, of the next
//! one for a future fact), dates with a day ("am 12. März", "March 12, 2024"), relative days
//! ("gestern", "last week") and the end of the year of a procurement ("bis Ende des Jahres").

use chrono::{Datelike, Days, NaiveDate};

use crate::data::LanguageData;
use crate::tokens::Token;

/// The date a sentence gives its facts, with the words that gave it.
pub(crate) fn resolve(
    text: &str,
    tokens: &[Token],
    lang: &LanguageData,
    published: NaiveDate,
    future: bool,
) -> Option<(NaiveDate, String)> {
    let words = |a: usize, b: usize| text[tokens[a].start..tokens[b].end].to_owned();
    let relative = lang.relative.find_all(tokens);
    for (i, t) in tokens.iter().enumerate() {
        if let Some(h) = relative.iter().find(|h| h.first() == i) {
            let date = shift(published, h.label)?;
            return Some((date, words(i, *h.tokens.last()?)));
        }
        if !t.capitalized {
            continue;
        }
        if let Some(wd) = lang.weekdays.iter().position(|w| *w == t.lower) {
            let before = i.checked_sub(1).map(|p| tokens[p].lower.as_str());
            let fut = match before {
                Some("nächsten" | "kommenden" | "next" | "this" | "coming") => true,
                Some("vergangenen" | "letzten" | "last" | "vorigen") => false,
                _ => future,
            };
            return Some((weekday(published, wd as u32, fut), words(i, i)));
        }
        if let Some(m) = lang.months.iter().position(|w| *w == t.lower) {
            let month = m as u32 + 1;
            let number = |j: usize| tokens.get(j).and_then(|t| t.lower.parse::<u32>().ok());
            let year = number(i + 1)
                .filter(|y| (1900..2200).contains(y))
                .or_else(|| number(i + 2).filter(|y| (1900..2200).contains(y)));
            let day = i
                .checked_sub(1)
                .and_then(number)
                .or_else(|| number(i + 1))
                .filter(|d| (1..=31).contains(d));
            let first = if day.is_some() && i > 0 && number(i - 1).is_some() {
                i - 1
            } else {
                i
            };
            let last = if year.is_some() { i + 1 } else { i };
            let date = month_date(
                published,
                month,
                day.unwrap_or(1),
                year.map(|y| y as i32),
                future,
            )?;
            return Some((date, words(first, last.min(tokens.len() - 1))));
        }
    }
    None
}

fn shift(date: NaiveDate, days: i64) -> Option<NaiveDate> {
    if days >= 0 {
        date.checked_add_days(Days::new(days as u64))
    } else {
        date.checked_sub_days(Days::new(days.unsigned_abs()))
    }
}

/// The weekday `wd` (0 = Monday) at or before `published`, or after it for the future.
fn weekday(published: NaiveDate, wd: u32, future: bool) -> NaiveDate {
    let today = published.weekday().num_days_from_monday();
    if future {
        let ahead = (wd + 7 - today) % 7;
        let ahead = if ahead == 0 { 7 } else { ahead };
        shift(published, i64::from(ahead)).unwrap_or(published)
    } else {
        let back = (today + 7 - wd) % 7;
        shift(published, -i64::from(back)).unwrap_or(published)
    }
}

/// Day `day` of `month`, in `year` or the latest one not after publication (the next one from
/// publication for the future).
fn month_date(
    published: NaiveDate,
    month: u32,
    day: u32,
    year: Option<i32>,
    future: bool,
) -> Option<NaiveDate> {
    if let Some(y) = year {
        return NaiveDate::from_ymd_opt(y, month, day);
    }
    let this = NaiveDate::from_ymd_opt(published.year(), month, day)?;
    let this_month = NaiveDate::from_ymd_opt(published.year(), month, 1)?;
    let start_of_publication_month =
        NaiveDate::from_ymd_opt(published.year(), published.month(), 1)?;
    if future {
        if this_month >= start_of_publication_month {
            Some(this)
        } else {
            NaiveDate::from_ymd_opt(published.year() + 1, month, day)
        }
    } else if this <= published {
        Some(this)
    } else {
        NaiveDate::from_ymd_opt(published.year() - 1, month, day)
    }
}

/// The `by` of a procurement: the end of the year ("bis Ende des Jahres", "by the end of 2025").
pub(crate) fn by(tokens: &[Token], lang: &LanguageData, published: NaiveDate) -> Option<NaiveDate> {
    if !lang.year_end.find_all(tokens).is_empty() {
        return NaiveDate::from_ymd_opt(published.year(), 12, 31);
    }
    tokens.windows(3).find_map(|w| {
        let end = matches!(w[0].lower.as_str(), "ende" | "end" | "bis" | "by");
        let filler = matches!(w[1].lower.as_str(), "of" | "ende" | "end");
        let year = w[2]
            .lower
            .parse::<i32>()
            .ok()
            .filter(|y| (1900..2200).contains(y))?;
        (end && filler).then(|| NaiveDate::from_ymd_opt(year, 12, 31))?
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Language;
    use crate::data::data;
    use crate::tokens::tokenize;

    fn date(lang: Language, text: &str, published: &str, future: bool) -> Option<String> {
        let tokens = tokenize(text, 0, text.len());
        let p = published.parse().unwrap();
        resolve(text, &tokens, data().lang(lang), p, future).map(|(d, _)| d.to_string())
    }

    #[test]
    fn weekdays_months_and_relative_days() {
        let de = Language::De;
        // 2024-02-28 was a Wednesday.
        assert_eq!(
            date(de, "am Mittwoch getroffen", "2024-02-28", false).as_deref(),
            Some("2024-02-28")
        );
        assert_eq!(
            date(de, "am Montag getroffen", "2024-02-28", false).as_deref(),
            Some("2024-02-26")
        );
        assert_eq!(
            date(de, "am Montag treffen", "2024-02-28", true).as_deref(),
            Some("2024-03-04")
        );
        assert_eq!(
            date(de, "im Juni gebracht", "2024-02-28", false).as_deref(),
            Some("2023-06-01")
        );
        assert_eq!(
            date(de, "im Juni treffen", "2024-02-28", true).as_deref(),
            Some("2024-06-01")
        );
        assert_eq!(
            date(de, "am 12. März 2023", "2024-02-28", false).as_deref(),
            Some("2023-03-12")
        );
        let en = Language::En;
        assert_eq!(
            date(en, "met last week", "2024-02-28", false).as_deref(),
            Some("2024-02-21")
        );
        assert_eq!(
            date(en, "on March 3, 2024", "2024-03-28", false).as_deref(),
            Some("2024-03-03")
        );
        assert_eq!(date(en, "nothing here", "2024-03-28", false), None);
    }

    #[test]
    fn the_end_of_the_year() {
        let p: NaiveDate = "2024-02-28".parse().unwrap();
        let by_of = |lang: Language, text: &str| {
            let tokens = tokenize(text, 0, text.len());
            by(&tokens, data().lang(lang), p).map(|d| d.to_string())
        };
        assert_eq!(
            by_of(Language::De, "bis Ende des Jahres zu beschaffen").as_deref(),
            Some("2024-12-31")
        );
        assert_eq!(
            by_of(Language::En, "by the end of 2025").as_deref(),
            Some("2025-12-31")
        );
        assert_eq!(by_of(Language::En, "soon"), None);
    }
}
