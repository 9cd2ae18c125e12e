// Every event naming an organization, in business-time order, a page at a time; each links to
// the relationship it is about (the other organization it names, on its first topic).
import { useState } from 'preact/hooks';
import { api } from '../lib/api.js';
import { href } from '../lib/route.js';
import { useLoad } from '../lib/use-load.js';
import { ErrorNote } from './ErrorNote.jsx';

/** Events per page unless the URL says `limit=` (1 to 1000, as the projection allows). */
const PAGE = 50;

function pageSize(limit) {
  const n = Number(limit);
  return Number.isInteger(n) && n >= 1 && n <= 1000 ? n : PAGE;
}

function loadPage(id, asOf, limit, cursor, signal) {
  return api('projection', `/v1/organizations/${encodeURIComponent(id)}/timeline`, {
    params: { as_of: asOf, limit, cursor },
    signal,
  });
}

/** The other organization an event names besides `id`, if any. */
export function otherOf(id, data = {}) {
  const named = [
    ...(data.organizations || []),
    data.organization,
    data.counterpart,
    data.buyer,
    data.supplier,
  ].filter((o) => typeof o === 'string' && o !== id);
  return named[0] || null;
}

function EventRow({ id, event, asOf }) {
  const other = otherOf(id, event.data);
  const topic = event.data?.topics?.[0];
  return (
    <li data-event-id={event.id} data-sequence={event.sequence}>
      <span class="badge">{event.type}</span> <time>{event.time}</time>{' '}
      {event.data?.factuality && event.data.factuality !== 'asserted' ? (
        <span class="note">({event.data.factuality})</span>
      ) : null}{' '}
      {other ? (
        <a href={href('relationship', [id, other], { topic, as_of: asOf })}>
          with {other}
          {topic ? ` on ${topic}` : ''}
        </a>
      ) : (
        <span class="note">{event.data?.product || event.data?.name || ''}</span>
      )}
      {event.data?.summary ? <div class="note">{event.data.summary}</div> : null}
      <span class="seq"> #{event.sequence}</span>
    </li>
  );
}

export function OrgTimeline({ id, asOf, limit }) {
  const size = pageSize(limit);
  const first = useLoad((signal) => loadPage(id, asOf, size, undefined, signal), [id, asOf, size]);
  const [more, setMore] = useState({ key: '', pages: [], error: null });
  const key = `${id}|${asOf}|${size}`;
  const pages = more.key === key ? more.pages : [];
  const all = first.data ? [first.data, ...pages] : [];
  const next = all.length ? all[all.length - 1].next_cursor : null;
  const load = async () => {
    try {
      const page = await loadPage(id, asOf, size, next);
      setMore({ key, pages: [...pages, page], error: null });
    } catch (e) {
      setMore({ key, pages, error: e });
    }
  };
  const events = all.flatMap((p) => p.items);
  return (
    <section class="timeline" aria-label="Timeline" data-pages={all.length} data-events={events.length}>
      <h2>Timeline</h2>
      <ErrorNote error={first.error || more.error} />
      {events.length ? (
        <ol class="facts">
          {events.map((event) => (
            <EventRow id={id} event={event} asOf={asOf} />
          ))}
        </ol>
      ) : (
        !first.loading && <p class="empty">No events.</p>
      )}
      {next && (
        <button type="button" onClick={load}>
          More events
        </button>
      )}
    </section>
  );
}
