//! The registry the extractor resolves names against: the organizations and people registered in
//! the log, with their aliases and affiliations.

/// A registered organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgEntry {
    /// Its slug id (`lg-electronics`).
    pub id: String,
    /// Its name (`LG Electronics`).
    pub name: String,
    /// Other names it goes by (`LG Electronics Inc.`).
    pub aliases: Vec<String>,
    /// `company`, `government` or `other`, when registered.
    pub kind: Option<String>,
    /// The parent organization's id, when registered.
    pub parent: Option<String>,
    /// The country code, when registered.
    pub country: Option<String>,
}

/// A registered person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonEntry {
    /// Its slug id (`william-cho`).
    pub id: String,
    /// Its name (`William Cho`).
    pub name: String,
    /// Other names (`Cho`).
    pub aliases: Vec<String>,
    /// The organizations the person belongs to, with the role (`(lg-electronics, CEO)`).
    pub affiliations: Vec<(String, String)>,
}

/// Every organization and person the extractor can name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Registry {
    /// The organizations.
    pub organizations: Vec<OrgEntry>,
    /// The people.
    pub people: Vec<PersonEntry>,
}

impl Registry {
    /// The registry of `events` in the shape `POST /v1/events` takes (`{"type", "data", …}`):
    /// every `organization.registered` and `person.registered` among them, in order (a later
    /// registration of the same id replaces the earlier one); other events are skipped, and so
    /// are registrations without an `id` or `name`.
    pub fn from_events(events: &[serde_json::Value]) -> Self {
        let mut registry = Self::default();
        for event in events {
            let Some(data) = event.get("data") else {
                continue;
            };
            let text = |key: &str| data.get(key).and_then(|v| v.as_str()).map(str::to_owned);
            let (Some(id), Some(name)) = (text("id"), text("name")) else {
                continue;
            };
            let aliases: Vec<String> = data
                .get("aliases")
                .and_then(|v| v.as_array())
                .into_iter()
                .flatten()
                .filter_map(|a| a.as_str().map(str::to_owned))
                .collect();
            match event.get("type").and_then(|t| t.as_str()) {
                Some("organization.registered") => {
                    let entry = OrgEntry {
                        id,
                        name,
                        aliases,
                        kind: text("kind"),
                        parent: text("parent"),
                        country: text("country"),
                    };
                    registry.organizations.retain(|o| o.id != entry.id);
                    registry.organizations.push(entry);
                }
                Some("person.registered") => {
                    let affiliations = data
                        .get("affiliations")
                        .and_then(|v| v.as_array())
                        .into_iter()
                        .flatten()
                        .filter_map(|a| {
                            let org = a.get("organization")?.as_str()?.to_owned();
                            let role = a
                                .get("role")
                                .and_then(|r| r.as_str())
                                .unwrap_or_default()
                                .to_owned();
                            Some((org, role))
                        })
                        .collect();
                    let entry = PersonEntry {
                        id,
                        name,
                        aliases,
                        affiliations,
                    };
                    registry.people.retain(|p| p.id != entry.id);
                    registry.people.push(entry);
                }
                _ => {}
            }
        }
        registry
    }

    /// The organization `id`.
    pub fn organization(&self, id: &str) -> Option<&OrgEntry> {
        self.organizations.iter().find(|o| o.id == id)
    }

    /// The person `id`.
    pub fn person(&self, id: &str) -> Option<&PersonEntry> {
        self.people.iter().find(|p| p.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn registrations_are_read_from_events_and_others_skipped() {
        let events = [
            json!({"type": "organization.registered", "data": {"id": "lg-electronics",
                "name": "LG Electronics", "aliases": ["LG Electronics Inc."], "parent": "lg-corp",
                "country": "KR", "kind": "company"}}),
            json!({"type": "person.registered", "data": {"id": "william-cho", "name": "William Cho",
                "affiliations": [{"organization": "lg-electronics", "role": "CEO"}]}}),
            json!({"type": "meeting.held", "data": {"organizations": ["a", "b"]}}),
            json!({"type": "organization.registered", "data": {"name": "no id"}}),
        ];
        let r = Registry::from_events(&events);
        assert_eq!(r.organizations.len(), 1);
        let lg = r.organization("lg-electronics").unwrap();
        assert_eq!(lg.parent.as_deref(), Some("lg-corp"));
        assert_eq!(lg.aliases, ["LG Electronics Inc."]);
        let cho = r.person("william-cho").unwrap();
        assert_eq!(
            cho.affiliations,
            [("lg-electronics".to_owned(), "CEO".to_owned())]
        );
    }
}
