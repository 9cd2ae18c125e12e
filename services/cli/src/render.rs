//! Human output: aligned tables and the text forms of the projection's views.
//!
//! Every read command prints either these (for people) or the service's JSON (`--json`, for
//! scripts); keeping the text forms here, as pure functions from proto values to strings, lets
//! `demo` reuse them and tests check them without a network.

mod candidates;

pub use candidates::candidates;

use std::collections::HashMap;
use std::fmt::Write as _;

use liaison_proto::events::{Evidence, Quantity};
use liaison_proto::query::{
    EventRef, OrganizationView, PairView, RelationshipList, RelationshipView, Signal, TimelinePage,
};
use liaison_proto::{Alert, EventType, StoredEvent};
use uuid::Uuid;

/// A table with a header row and left-aligned columns padded to their widest cell.
#[derive(Debug, Clone, Default)]
pub struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column headers.
    pub fn new<I: IntoIterator<Item = S>, S: Into<String>>(headers: I) -> Self {
        Self {
            headers: headers.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row.
    pub fn row<I: IntoIterator<Item = S>, S: Into<String>>(&mut self, cells: I) -> &mut Self {
        self.rows.push(cells.into_iter().map(Into::into).collect());
        self
    }

    /// Whether it has no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The table as text, each line indented by `indent` spaces, ending with a newline.
    pub fn render(&self, indent: usize) -> String {
        let columns = self.headers.len();
        let mut widths: Vec<usize> = self.headers.iter().map(|h| width(h)).collect();
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate().take(columns) {
                widths[i] = widths[i].max(width(cell));
            }
        }
        let pad = " ".repeat(indent);
        let mut out = String::new();
        let line = |cells: &[String], out: &mut String| {
            let mut text = pad.clone();
            for (i, cell) in cells.iter().enumerate().take(columns) {
                text.push_str(cell);
                if i + 1 < columns {
                    text.push_str(&" ".repeat(widths[i] - width(cell) + 2));
                }
            }
            out.push_str(text.trim_end());
            out.push('\n');
        };
        line(&self.headers, &mut out);
        let rule: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
        line(&rule, &mut out);
        for row in &self.rows {
            line(row, &mut out);
        }
        out
    }
}

fn width(s: &str) -> usize {
    s.chars().count()
}

/// `text` cut to `max` characters, with `…` when cut.
pub fn ellipsize(text: &str, max: usize) -> String {
    if width(text) <= max {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

/// Wraps `text` at `columns` characters, each line indented by `indent` spaces.
pub fn wrap(text: &str, columns: usize, indent: usize) -> String {
    let pad = " ".repeat(indent);
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && width(&line) + 1 + width(word) > columns {
            let _ = writeln!(out, "{pad}{line}");
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        let _ = writeln!(out, "{pad}{line}");
    }
    out
}

/// A section heading: the title underlined.
pub fn heading(title: &str) -> String {
    format!("\n{title}\n{}\n", "═".repeat(width(title)))
}

/// The human form of an event type (`meeting.held` → `meeting held`).
pub fn type_label(t: EventType) -> String {
    t.as_str().replace('.', " ")
}

/// What a signal means to a reader: "expected meeting", "rumoured negotiation", …
pub fn signal_label(signal: &Signal) -> String {
    let what = match signal.event.event_type {
        EventType::MeetingScheduled | EventType::MeetingHeld => "meeting".to_owned(),
        t => type_label(t),
    };
    use liaison_proto::Factuality::*;
    match signal.event.factuality {
        Planned if signal.event.event_type == EventType::MeetingScheduled => {
            format!("planned {what}")
        }
        Planned => format!("planned {what}"),
        Possible => format!("possible {what}"),
        Reported if signal.event.event_type == EventType::MeetingScheduled => {
            format!("expected {what} (unnamed source)")
        }
        Reported => format!("rumoured {what}"),
        Negated => format!("denied {what}"),
        Asserted => what,
    }
}

/// The one-line status of a relationship: `meta – lg-electronics · xr: exploring since 2024-02-28`.
pub fn status_line(view: &RelationshipView) -> String {
    let [a, b] = &view.organizations;
    let mut line = format!("{a} – {b} · {}: {}", view.topic, view.status);
    if let Some(since) = view.since {
        let _ = write!(line, " since {since}");
    }
    line
}

/// The full text of a relationship: its status line, the events that shaped it (with their
/// evidence when `evidence` has it, by event id) and its signals.
pub fn relationship(view: &RelationshipView, evidence: &HashMap<Uuid, Evidence>) -> String {
    let mut out = status_line(view);
    out.push('\n');
    if view.events.is_empty() && view.signals.is_empty() {
        out.push_str("  no facts between them on this topic\n");
        return out;
    }
    if !view.events.is_empty() {
        out.push_str("\n  Events\n");
        out.push_str(&events_table(&view.events).render(2));
        for event in &view.events {
            if let Some(e) = evidence.get(&event.id) {
                out.push_str(&evidence_block(event, e));
            }
        }
    }
    if !view.signals.is_empty() {
        out.push_str("\n  Signals (do not move the status)\n");
        let mut table = Table::new(["time", "signal", "would reach", "summary"]);
        for s in &view.signals {
            table.row([
                s.event.time.to_string(),
                signal_label(s),
                s.would_reach.map(|r| r.to_string()).unwrap_or_default(),
                ellipsize(s.event.summary.as_deref().unwrap_or(""), 70),
            ]);
        }
        out.push_str(&table.render(2));
        for s in &view.signals {
            if let Some(e) = evidence.get(&s.event.id) {
                out.push_str(&evidence_block(&s.event, e));
            }
        }
    }
    if view.earlier_cursor.is_some() {
        out.push_str(
            "
  (the latest facts only; earlier ones: GET /v1/relationships with before=<earlier_cursor>)
",
        );
    }
    out
}

fn events_table(events: &[EventRef]) -> Table {
    let mut table = Table::new(["time", "event", "factuality", "seq", "summary"]);
    for e in events {
        table.row([
            e.time.to_string(),
            type_label(e.event_type),
            e.factuality.to_string(),
            e.sequence.to_string(),
            ellipsize(e.summary.as_deref().unwrap_or(""), 70),
        ]);
    }
    table
}

/// The evidence of one event: source, date, confidence and the quote, wrapped.
pub fn evidence_block(event: &EventRef, e: &Evidence) -> String {
    let mut out = format!(
        "\n  Evidence for the {} of {}\n",
        type_label(event.event_type),
        event.time
    );
    let mut source = e
        .publisher
        .clone()
        .unwrap_or_else(|| "unknown source".into());
    if let Some(date) = e.published_at {
        let _ = write!(source, ", {date}");
    }
    if let Some(lang) = &e.language {
        let _ = write!(source, " ({lang})");
    }
    let _ = writeln!(out, "    source      {source}");
    if let Some(title) = &e.title {
        let _ = writeln!(out, "    title       {title}");
    }
    if let Some(url) = &e.url {
        let _ = writeln!(out, "    url         {url}");
    }
    if let Some(c) = e.confidence {
        let _ = writeln!(out, "    confidence  {c:.2}");
    }
    if let Some(quote) = &e.quote {
        out.push_str("    quote\n");
        out.push_str(&wrap(&format!("„{quote}“"), 88, 6));
    }
    out
}

/// Every topic of a pair.
pub fn pair(view: &PairView, evidence: &HashMap<Uuid, Evidence>) -> String {
    let [a, b] = &view.organizations;
    if view.topics.is_empty() {
        return format!("{a} – {b}: no facts between them\n");
    }
    let mut out = String::new();
    for (i, topic) in view.topics.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&relationship(topic, evidence));
    }
    out
}

/// A list of relationships as a table.
pub fn relationship_list(list: &RelationshipList) -> String {
    if list.relationships.is_empty() {
        return "no matching relationships\n".into();
    }
    let mut table = Table::new([
        "organizations",
        "topic",
        "status",
        "since",
        "events",
        "signals",
    ]);
    for r in &list.relationships {
        table.row([
            format!("{} – {}", r.organizations[0], r.organizations[1]),
            r.topic.to_string(),
            r.status.to_string(),
            r.since.map(|s| s.to_string()).unwrap_or_default(),
            r.events.len().to_string(),
            r.signals.len().to_string(),
        ]);
    }
    table.render(0)
}

/// A quantity as a reader writes it (`350,000`).
pub fn quantity(q: &Quantity) -> String {
    match q {
        Quantity::Text(t) => t.clone(),
        Quantity::Number(n) => match n.as_u64() {
            Some(v) => thousands(v),
            None => n.to_string(),
        },
    }
}

fn thousands(v: u64) -> String {
    let digits = v.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// An organization's profile: identity, people, and relationships by kind.
pub fn organization(view: &OrganizationView) -> String {
    let mut out = format!("{} ({})\n", view.name, view.id);
    let mut facts = Vec::new();
    if let Some(kind) = &view.kind {
        facts.push(
            serde_json::to_value(kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
        );
    }
    if let Some(country) = &view.country {
        facts.push(country.clone());
    }
    if let Some(parent) = &view.parent {
        facts.push(format!("part of {parent}"));
    }
    if !facts.is_empty() {
        let _ = writeln!(out, "  {}", facts.join(" · "));
    }
    if !view.aliases.is_empty() {
        let _ = writeln!(out, "  also known as {}", view.aliases.join(", "));
    }
    if !view.people.is_empty() {
        out.push_str("\n  People\n");
        let mut table = Table::new(["person", "role", "id"]);
        for p in &view.people {
            table.row([
                p.name.clone(),
                p.role.clone().unwrap_or_default(),
                p.id.to_string(),
            ]);
        }
        out.push_str(&table.render(2));
    }
    let r = &view.relationships;
    if !r.cooperation.is_empty() {
        out.push_str("\n  Cooperation\n");
        let mut table = Table::new(["with", "topic", "status", "since"]);
        for c in &r.cooperation {
            table.row([
                c.organization.to_string(),
                c.topic.to_string(),
                c.status.to_string(),
                c.since.map(|s| s.to_string()).unwrap_or_default(),
            ]);
        }
        out.push_str(&table.render(2));
    }
    for (title, list) in [("Suppliers", &r.supplier), ("Customers", &r.customer)] {
        if list.is_empty() {
            continue;
        }
        let _ = write!(out, "\n  {title}\n");
        let mut table = Table::new(["organization", "item", "quantity", "reported"]);
        for t in list {
            table.row([
                t.organization.to_string(),
                t.item.clone(),
                t.quantity.as_ref().map(quantity).unwrap_or_default(),
                t.time.to_string(),
            ]);
        }
        out.push_str(&table.render(2));
    }
    if !r.competitor.is_empty() {
        out.push_str("\n  Competitors\n");
        let mut table = Table::new(["organization", "topics"]);
        for c in &r.competitor {
            let topics: Vec<String> = c.topics.iter().map(ToString::to_string).collect();
            table.row([c.organization.to_string(), topics.join(", ")]);
        }
        out.push_str(&table.render(2));
    }
    if r.cooperation.is_empty()
        && r.supplier.is_empty()
        && r.customer.is_empty()
        && r.competitor.is_empty()
    {
        out.push_str("\n  no relationships yet\n");
    }
    out
}

/// One line per event of a timeline, and how to get the next page.
pub fn timeline(org: &str, page: &TimelinePage) -> String {
    if page.items.is_empty() {
        return format!("no events name {org}\n");
    }
    let mut table = Table::new([
        "time",
        "event",
        "organizations",
        "factuality",
        "seq",
        "summary",
    ]);
    for item in &page.items {
        table.row(stored_event_cells(item));
    }
    let mut out = table.render(0);
    if let Some(cursor) = &page.next_cursor {
        let _ = writeln!(out, "\nmore: liaison timeline {org} --cursor {cursor}");
    }
    out
}

fn stored_event_cells(item: &StoredEvent) -> [String; 6] {
    let data = &item.event.event;
    let orgs: Vec<String> = data
        .organizations()
        .iter()
        .map(ToString::to_string)
        .collect();
    [
        item.event.time.to_string(),
        type_label(data.event_type()),
        orgs.join(", "),
        data.factuality().to_string(),
        item.sequence.to_string(),
        ellipsize(data.summary().unwrap_or(""), 60),
    ]
}

/// One alert as a line: `2024-03-15  new-partnership  lg-electronics – meta · xr: exploring → active`.
pub fn alert_line(alert: &Alert) -> String {
    format!(
        "{}  {}  {} – {} · {}: {} → {}  (event {}, seq {})",
        alert.time,
        alert.rule,
        alert.organizations[0],
        alert.organizations[1],
        alert.topic,
        alert.previous_status,
        alert.status,
        alert.event_id,
        alert.sequence
    )
}

/// The quarantines of the services asked: one table of every entry, and per service the total
/// and how to page on.
pub fn quarantine(lists: &[liaison_proto::admin::QuarantineList]) -> String {
    let mut table = Table::new([
        "SERVICE", "SEQUENCE", "SUBJECT", "BYTES", "STORED", "REASON",
    ]);
    for list in lists {
        for entry in &list.entries {
            let more = entry.reasons.len().saturating_sub(1) as u64 + entry.more_reasons;
            let mut reason = entry.reasons.first().cloned().unwrap_or_default();
            if more > 0 {
                let _ = write!(reason, " (+{more} more)");
            }
            table.row([
                list.service.clone(),
                entry.sequence.to_string(),
                entry.subject.clone(),
                entry.bytes.to_string(),
                entry.published.format("%Y-%m-%d %H:%M:%S").to_string(),
                reason,
            ]);
        }
    }
    let mut out = if table.is_empty() {
        String::new()
    } else {
        table.render(0)
    };
    for list in lists {
        let _ = write!(out, "{}: {} quarantined in all", list.service, list.total);
        if let Some(after) = list.next_after {
            let _ = write!(out, "; more after sequence {after} (--after {after})");
        }
        out.push('\n');
    }
    out
}
