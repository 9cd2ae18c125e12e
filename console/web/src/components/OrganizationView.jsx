// One organization as of a date (`#/org/<id>?as_of=&limit=`): its profile, people and roles, its
// relationships by kind, and its timeline — every event naming it, a page at a time, each
// linking to the relationship it is about.
import { api } from '../lib/api.js';
import { href } from '../lib/route.js';
import { useLoad } from '../lib/use-load.js';
import { ErrorNote } from './ErrorNote.jsx';
import { OrgRelationships } from './OrgRelationships.jsx';
import { OrgTimeline } from './OrgTimeline.jsx';

function Profile({ org }) {
  const rows = [
    ['Aliases', org.aliases?.length ? org.aliases.join(', ') : '—'],
    ['Kind', org.kind || '—'],
    ['Parent', org.parent ? <a href={href('org', [org.parent])}>{org.parent}</a> : '—'],
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

export function OrganizationView({ args, params }) {
  const [id] = args;
  const asOf = params.as_of || '';
  const { data: org, error, loading } = useLoad(
    (signal) => api('projection', `/v1/organizations/${encodeURIComponent(id || '')}`, { params: { as_of: asOf }, signal }),
    [id, asOf],
  );
  if (!id) return <p class="error">Which organization? The address needs one: #/org/&lt;id&gt;.</p>;
  return (
    <article class="organization" data-org={id} data-state={loading || !org ? 'loading' : 'ready'}>
      <p>
        <a href={href('graph', [], { as_of: asOf })}>← Graph</a>
      </p>
      <h1>
        {org?.name || id} <span class="topic">{id}</span>
        {asOf ? <span class="topic"> as of {asOf}</span> : null}
      </h1>
      <ErrorNote error={error} />
      {org && (
        <>
          <Profile org={org} />
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
          <OrgRelationships id={id} relationships={org.relationships} asOf={asOf} truncated={org.truncated} />
        </>
      )}
      <OrgTimeline id={id} asOf={asOf} limit={params.limit} />
    </article>
  );
}
