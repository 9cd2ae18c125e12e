// An organization's relationships by kind: cooperation grouped by status (each linking to the
// relationship), the organizations that supply it and those it supplies, its competitors.
import { href } from '../lib/route.js';
import { STATUSES } from '../lib/statuses.js';

function Org({ id, names, asOf }) {
  return <a href={href('org', [id], { as_of: asOf })}>{names[id] || id}</a>;
}

function Trade({ title, kind, items, names, asOf }) {
  return (
    <>
      <h3>{title}</h3>
      {items.length ? (
        <ul class={`trade ${kind}`}>
          {items.map((t) => (
            <li data-kind={kind} data-other={t.organization}>
              <Org id={t.organization} names={names} asOf={asOf} />: {t.item}
              {t.quantity ? ` × ${t.quantity}` : ''}{' '}
              <span class="note">
                ({t.factuality || 'asserted'}, {t.time}
                {t.by ? `, by ${t.by}` : ''})
              </span>
            </li>
          ))}
        </ul>
      ) : (
        <p class="empty">None.</p>
      )}
    </>
  );
}

export function OrgRelationships({ id, relationships, names, asOf, truncated }) {
  const { cooperation, supplier, customer, competitor } = relationships;
  const byStatus = STATUSES.map((status) => [status, cooperation.filter((c) => c.status === status)]).filter(
    ([, items]) => items.length,
  );
  return (
    <section class="org-relationships" aria-label="Relationships">
      <h2>Relationships</h2>
      {truncated && <p class="note">Some lists were cut at the projection's bound.</p>}
      <h3>Cooperation</h3>
      {byStatus.length ? (
        byStatus.map(([status, items]) => (
          <p class="by-status">
            <span class={`badge status-${status}`}>{status}</span>{' '}
            {items.map((c, i) => (
              <>
                {i ? ', ' : ''}
                <a
                  href={href('relationship', [id, c.organization], { topic: c.topic, as_of: asOf })}
                  data-kind="cooperation"
                  data-other={c.organization}
                  data-status={c.status}
                >
                  {names[c.organization] || c.organization} on {c.topic}
                </a>
                {c.since ? <span class="note"> since {c.since}</span> : null}
              </>
            ))}
          </p>
        ))
      ) : (
        <p class="empty">None.</p>
      )}
      <Trade title="Suppliers" kind="supplier" items={supplier} names={names} asOf={asOf} />
      <Trade title="Customers" kind="customer" items={customer} names={names} asOf={asOf} />
      <h3>Competitors</h3>
      {competitor.length ? (
        <ul>
          {competitor.map((c) => (
            <li data-kind="competitor" data-other={c.organization}>
              <Org id={c.organization} names={names} asOf={asOf} /> <span class="note">on {c.topics.join(', ')}</span>
            </li>
          ))}
        </ul>
      ) : (
        <p class="empty">None.</p>
      )}
    </section>
  );
}
