// One event of the log: its envelope, its evidence, links to its relationships and
// organizations, and the append that would recreate it ("copy as liaison" / "copy as curl").
import { useEffect, useState } from 'preact/hooks';
import { api } from '../lib/api.js';
import { asCurl, asLiaison } from '../lib/log-copy.js';
import { href } from '../lib/route.js';

function organizations(data) {
  const named = [
    ...(data.organizations || []),
    data.organization,
    data.counterpart,
    data.buyer,
    data.supplier,
    data.id && data.name ? data.id : null,
  ].filter(Boolean);
  return [...new Set(named)];
}

function pairs(orgs) {
  const sorted = [...orgs].sort();
  const out = [];
  for (let i = 0; i < sorted.length; i++)
    for (let j = i + 1; j < sorted.length; j++) out.push([sorted[i], sorted[j]]);
  return out;
}

export function LogDetail({ seq, onClose }) {
  const [view, setView] = useState(null);
  const [error, setError] = useState(null);
  const [copied, setCopied] = useState(null);
  useEffect(() => {
    setView(null);
    setError(null);
    api('projection', `/v1/log/events/${seq}`).then(setView, (e) => setError(e.describe()));
  }, [seq]);
  if (error) return <aside class="log-detail"><p class="error">{error}</p></aside>;
  if (!view) return <aside class="log-detail"><p class="note">Loading event {seq}…</p></aside>;
  const event = view.event;
  const data = event.data || {};
  const evidence = data.evidence;
  const orgs = organizations(data);
  const topics = data.topics || [];
  const copy = (kind) => {
    const text = kind === 'liaison' ? asLiaison(event) : asCurl(event);
    setCopied({ kind, text });
    navigator.clipboard?.writeText(text).catch(() => {});
  };
  return (
    <aside class="log-detail" aria-label={`Event ${event.sequence}`} data-seq={event.sequence}>
      <div class="controls">
        <h2>
          #{event.sequence} <code>{event.type}</code>
        </h2>
        <button type="button" onClick={onClose}>Close</button>
      </div>
      <dl class="envelope">
        <dt>id</dt><dd><code>{event.id}</code></dd>
        <dt>time</dt><dd>{event.time}</dd>
        <dt>recorded</dt><dd>{event.recordedat}</dd>
        <dt>factuality</dt><dd>{data.factuality || 'asserted'}</dd>
        <dt>source</dt><dd>{event.source}</dd>
        <dt>subject</dt><dd><code>{view.subject}</code></dd>
        {view.retracted_by && (<><dt>retracted by</dt><dd>#{view.retracted_by}</dd></>)}
      </dl>
      {orgs.length > 0 && (
        <p class="links">
          Organizations:{' '}
          {orgs.map((o) => (
            <a href={href('log', [], { org: o })} data-org={o}>{o} </a>
          ))}
        </p>
      )}
      {pairs(orgs).length > 0 && (
        <p class="links">
          Relationships:{' '}
          {pairs(orgs).map(([a, b]) => (
            <a href={href('relationship', [a, b], { topic: topics[0] })} data-pair={`${a}|${b}`}>
              {a} – {b}{topics[0] ? ` (${topics[0]})` : ''}{' '}
            </a>
          ))}
        </p>
      )}
      {evidence && (
        <blockquote class="quote">
          {evidence.quote && <p>“{evidence.quote}”</p>}
          <footer class="source">
            {[evidence.publisher, evidence.title, evidence.published_at].filter(Boolean).join(' · ')}
            {evidence.url && (<> · <a href={evidence.url} rel="noreferrer noopener">source</a></>)}
          </footer>
        </blockquote>
      )}
      <details>
        <summary>Envelope</summary>
        <pre class="json">{JSON.stringify(event, null, 2)}</pre>
      </details>
      <div class="controls">
        <button type="button" onClick={() => copy('liaison')}>Copy as liaison</button>
        <button type="button" onClick={() => copy('curl')}>Copy as curl</button>
      </div>
      {copied && <pre class="copied" data-kind={copied.kind}>{copied.text}</pre>}
    </aside>
  );
}
