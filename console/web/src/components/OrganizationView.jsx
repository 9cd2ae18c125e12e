// One organization as of a date (`#/org/<id>?as_of=&limit=`): its profile, people and roles, its
// relationships by kind, and its timeline — every event naming it, a page at a time, each
// linking to the relationship it is about.
import { api } from '../lib/api.js';
import { namesOf } from '../lib/names.js';
import { href, setParams } from '../lib/route.js';
import { useLoad } from '../lib/use-load.js';
import { ErrorNote } from './ErrorNote.jsx';
import { OrgRelationships } from './OrgRelationships.jsx';
import { OrgTimeline } from './OrgTimeline.jsx';

function Profile({ org, names }) {
  const rows = [
    ['Aliases', org.aliases?.length ? org.aliases.join(', ') : '—'],
    ['Kind', org.kind || '—'],
    ['Parent', org.parent ? <a href={href('org', [org.parent])}>{names[org.parent] || org.parent}</a> : '—'],
    ['Country', org.country || '—'],
  ];
  return (
    <dl class="profile">
      {rows.map(([term, value]) => (
        <>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </>
      ))}
    </dl>
  );
}

/** The organization, and the names of the organizations it relates to. */
async function loadOrganization(id, asOf, signal) {
  const org = await api('projection', `/v1/organizations/${encodeURIComponent(id)}`, { params: { as_of: asOf }, signal });
  const { cooperation, supplier, customer, competitor } = org.relationships;
  const others = [...cooperation, ...supplier, ...customer, ...competitor].map((r) => r.organization);
  const names = await namesOf(org.parent ? [org.parent, ...others] : others, signal);
  return { org, names };
}

export function OrganizationView({ args, params }) {
  const [id] = args;
  const asOf = params.as_of || '';
  const { data, error, loading } = useLoad((signal) => loadOrganization(id || '', asOf, signal), [id, asOf]);
  const org = data?.org;
  if (!id) return <p class="error">Which organization? The address needs one: #/org/&lt;id&gt;.</p>;
  return (
    <article class="organization" data-org={id} data-state={loading || !org ? 'loading' : 'ready'}>
      <p>
        <a href={href('graph', [], { as_of: asOf })}>← Graph</a>
      </p>
      <h1>
        {org?.name || id} <span class="topic">{id}</span>
      </h1>
      <label class="as-of">
        As of{' '}
        <input
          type="date"
          name="as_of"
          value={asOf}
          onChange={(e) => setParams({ as_of: e.currentTarget.value })}
        />{' '}
        {asOf && (
          <button type="button" onClick={() => setParams({ as_of: '' })}>
            Now
          </button>
        )}
      </label>
      <ErrorNote error={error} />
      {org && (
        <>
          <Profile org={org} names={data.names} />
          <h2>People</h2>
          {org.people.length ? (
            <ul class="people">
              {org.people.map((p) => (
                <li data-person={p.id}>
                  {p.name}
                  {p.role ? `, ${p.role}` : ''}
                </li>
              ))}
            </ul>
          ) : (
            <p class="empty">No people registered.</p>
          )}
          <OrgRelationships
            id={id}
            relationships={org.relationships}
            names={data.names}
            asOf={asOf}
            truncated={org.truncated}
          />
        </>
      )}
      <OrgTimeline id={id} asOf={asOf} limit={params.limit} />
    </article>
  );
}
