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
