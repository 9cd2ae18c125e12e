//! Organization profiles (name, aliases, kind, parent, country) and the people affiliated with
//! each, with their roles.

use liaison_proto::Slug;
use liaison_proto::events::{OrganizationRegistered, PersonRegistered};
use liaison_proto::query::{OrganizationEntry, PersonRole};

use crate::read_models::{Bounds, Listed, page_of};

use crate::store::{Profile, RoleRecord, Store, StoreError, Writes, encode, keys};

fn profile_key(org: &str) -> Vec<u8> {
    keys::key(keys::PROFILE, &[org.as_bytes()])
}

fn role_key(org: &str, person: &str) -> Vec<u8> {
    keys::key(keys::ROLE, &[org.as_bytes(), person.as_bytes()])
}

/// Records a registration; returns the organization whose profile it wrote.
pub fn register_organization(
    w: &mut Writes<'_>,
    event_id: uuid::Uuid,
    data: &OrganizationRegistered,
) -> String {
    let profile = Profile {
        event_id,
        data: data.clone(),
    };
    w.insert(profile_key(data.id.as_str()), encode(&profile));
    data.id.as_str().to_owned()
}

/// Records a person's affiliations; returns the `(organization, person)` roles it wrote.
pub fn register_person(
    w: &mut Writes<'_>,
    event_id: uuid::Uuid,
    data: &PersonRegistered,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for a in &data.affiliations {
        let record = RoleRecord {
            event_id,
            person: PersonRole {
                id: data.id.clone(),
                name: data.name.clone(),
                role: a.role.clone(),
            },
        };
        let (org, person) = (a.organization.as_str(), data.id.as_str());
        w.insert(role_key(org, person), encode(&record));
        out.push((org.to_owned(), person.to_owned()));
    }
    out
}

/// Undoes a registration by `event_id` of `org`'s profile (if it is still that event's).
pub fn unregister_organization(
    w: &mut Writes<'_>,
    event_id: uuid::Uuid,
    org: &str,
) -> Result<(), StoreError> {
    let k = profile_key(org);
    if let Some(v) = w.get(&k)?
        && crate::store::decode::<Profile>(&k, &v)?.event_id == event_id
    {
        w.remove(k);
    }
    Ok(())
}

/// Undoes the roles that `event_id` registered.
pub fn unregister_roles(
    w: &mut Writes<'_>,
    event_id: uuid::Uuid,
    roles: &[(String, String)],
) -> Result<(), StoreError> {
    for (org, person) in roles {
        let k = role_key(org, person);
        if let Some(v) = w.get(&k)?
            && crate::store::decode::<RoleRecord>(&k, &v)?.event_id == event_id
        {
            w.remove(k);
        }
    }
    Ok(())
}

/// The profile of `org`, if registered.
pub fn profile(store: &Store, org: &Slug) -> Result<Option<Profile>, StoreError> {
    store.get(&profile_key(org.as_str()))
}

/// Whether `org` is registered.
pub fn is_known(store: &Store, org: &Slug) -> Result<bool, StoreError> {
    store.contains(&profile_key(org.as_str()))
}

/// The people affiliated with `org`, by person id: at most `max`, and whether there are more.
pub fn people(
    store: &Store,
    org: &Slug,
    max: usize,
) -> Result<(Vec<PersonRole>, bool), StoreError> {
    let prefix = keys::prefix(keys::ROLE, org.as_str().as_bytes());
    let mut out = Vec::new();
    for item in store.tree().scan_prefix(&prefix) {
        let (k, v) = item?;
        if out.len() == max {
            return Ok((out, true));
        }
        out.push(crate::store::decode::<RoleRecord>(&k, &v)?.person);
    }
    Ok((out, false))
}

/// Registered organizations after `after` whose id, name or an alias contains `q` (lower case;
/// empty matches all), in id order, within `bounds`; and the last id examined when more may follow.
pub fn search(
    store: &Store,
    q: &str,
    after: Option<&Slug>,
    bounds: Bounds,
) -> Result<Listed<OrganizationEntry>, StoreError> {
    let mut start = vec![keys::PROFILE];
    if let Some(id) = after {
        start.extend_from_slice(id.as_str().as_bytes());
        start.push(0); // strictly after
    }
    let entries = store
        .tree()
        .range(start..)
        .take_while(|item| {
            item.as_ref()
                .map_or(true, |(k, _)| k.first() == Some(&keys::PROFILE))
        })
        .map(|item| item.map_err(StoreError::from));
    page_of(
        entries,
        bounds,
        |(k, _)| String::from_utf8_lossy(&k[1..]).into_owned(),
        |(k, v)| {
            let data = crate::store::decode::<Profile>(&k, &v)?.data;
            let hit = |text: &str| text.to_lowercase().contains(q);
            let matches = q.is_empty()
                || hit(data.id.as_str())
                || hit(&data.name)
                || data.aliases.iter().any(|a| hit(a));
            Ok(matches.then_some(OrganizationEntry {
                id: data.id,
                name: data.name,
                aliases: data.aliases,
                kind: data.kind,
                country: data.country,
            }))
        },
    )
}
