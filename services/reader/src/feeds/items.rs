//! A feed document to the articles it holds: RSS and Atom parsed with `feed-rs`, each item
//! turned into an article request (its content or summary, its link as the url, its date or
//! now, its title, the feed's title as the publisher). Pure.

use chrono::{DateTime, Utc};
use liaison_proto::BusinessTime;
use liaison_proto::limits::MAX_STRING_BYTES;
use liaison_proto::reader::{ArticleRequest, MAX_URL_BYTES};

use crate::text::truncate;

/// The most items read of one feed document.
pub const MAX_ITEMS_PER_POLL: usize = 200;

/// One item of a feed.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// What identifies it within the feed (its id or guid, else its link).
    pub key: String,
    /// The article to read, when the item has something to read.
    pub request: Option<ArticleRequest>,
}

/// The items of a feed document, newest as the feed orders them, at most
/// [`MAX_ITEMS_PER_POLL`]; `now` dates an item that has no date.
pub fn items(document: &[u8], now: DateTime<Utc>) -> Result<Vec<Item>, String> {
    let feed =
        feed_rs::parser::parse(document).map_err(|e| format!("not an RSS or Atom feed: {e}"))?;
    let publisher = feed
        .title
        .as_ref()
        .map(|t| truncate(t.content.trim(), MAX_STRING_BYTES).to_owned())
        .filter(|t| !t.is_empty());
    Ok(feed
        .entries
        .into_iter()
        .take(MAX_ITEMS_PER_POLL)
        .map(|entry| {
            let link = entry
                .links
                .iter()
                .map(|l| l.href.trim())
                .find(|href| {
                    (href.starts_with("https://") || href.starts_with("http://"))
                        && href.len() <= MAX_URL_BYTES
                })
                .map(str::to_owned);
            let key = if entry.id.is_empty() {
                link.clone().unwrap_or_default()
            } else {
                entry.id.clone()
            };
            let body = entry
                .content
                .as_ref()
                .and_then(|c| c.body.clone())
                .or_else(|| entry.summary.as_ref().map(|s| s.content.clone()))
                .filter(|b| !b.trim().is_empty());
            let request = body.map(|body| {
                let (text, html) = if body.contains('<') {
                    (None, Some(body))
                } else {
                    (Some(body), None)
                };
                let date = entry.published.or(entry.updated).unwrap_or(now);
                ArticleRequest {
                    text,
                    html,
                    published_at: BusinessTime::Instant(date),
                    url: link,
                    title: entry
                        .title
                        .as_ref()
                        .map(|t| truncate(t.content.trim(), MAX_STRING_BYTES).to_owned())
                        .filter(|t| !t.is_empty()),
                    publisher: publisher.clone(),
                    language: None,
                }
            });
            Item { key, request }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_rss_item_becomes_an_article() {
        let rss = br#"<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>
            <item><guid>a-1</guid><title>Deal</title><link>https://example.com/a-1</link>
            <pubDate>Mon, 04 Mar 2024 10:00:00 GMT</pubDate>
            <description>&lt;p&gt;Microsoft and OpenAI signed an agreement on AI on Monday, the companies said.&lt;/p&gt;</description>
            </item><item><guid>a-2</guid><title>Empty</title></item></channel></rss>"#;
        let items = items(rss, Utc::now()).unwrap();
        assert_eq!(items.len(), 2);
        let request = items[0].request.as_ref().unwrap();
        assert_eq!(items[0].key, "a-1");
        assert_eq!(request.url.as_deref(), Some("https://example.com/a-1"));
        assert_eq!(request.publisher.as_deref(), Some("Wire"));
        assert!(
            request
                .html
                .as_deref()
                .unwrap()
                .contains("signed an agreement")
        );
        assert_eq!(
            request.published_at.to_string().get(..10),
            Some("2024-03-04")
        );
        assert!(items[1].request.is_none());
        assert!(super::items(b"not a feed", Utc::now()).is_err());
    }
}
