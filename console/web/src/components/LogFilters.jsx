// The log's filters and seeks, each in the URL: type, organization, topic, factuality, business
// time from–to, and a sequence to seek to (a number, or the position slider over the log).
import { setParams } from '../lib/route.js';

export const EVENT_TYPES = [
  'organization.registered', 'person.registered', 'meeting.held', 'meeting.scheduled',
  'cooperation.discussed', 'interest.expressed', 'negotiation.reported', 'agreement.signed',
  'partnership.announced', 'partnership.ended', 'procurement.planned', 'product.launched',
  'competition.noted', 'event.retracted', 'rule.created', 'rule.deleted',
];
const FACTUALITIES = ['asserted', 'planned', 'possible', 'reported', 'negated'];

export function LogFilters({ params, first, last }) {
  const set = (name) => (e) => setParams({ [name]: e.currentTarget.value, seq: undefined, event: undefined });
  const text = (name, label, placeholder) => (
    <label>
      {label}{' '}
      <input name={name} value={params[name] || ''} placeholder={placeholder} size={12} onChange={set(name)} />
    </label>
  );
  const seek = (e) => {
    e.preventDefault();
    const value = new FormData(e.currentTarget).get('seq');
    setParams({ seq: value || undefined });
  };
  return (
    <div class="filters log-filters">
      <label>
        Type{' '}
        <select name="type" value={params.type || ''} onChange={set('type')}>
          <option value="">any</option>
          {EVENT_TYPES.map((t) => <option value={t}>{t}</option>)}
        </select>
      </label>
      {text('org', 'Organization', 'meta')}
      {text('topic', 'Topic', 'xr')}
      <label>
        Factuality{' '}
        <select name="factuality" value={params.factuality || ''} onChange={set('factuality')}>
          <option value="">any</option>
          {FACTUALITIES.map((f) => <option value={f}>{f}</option>)}
        </select>
      </label>
      {text('from', 'From', '2024-01-01')}
      {text('to', 'To', '2024-12-31')}
      <form class="seek" onSubmit={seek}>
        <label>
          Seq <input name="seq" type="number" min="1" value={params.seq || ''} size={8} />
        </label>
        <button type="submit">Go</button>
      </form>
      {last > 0 && (
        <label class="position">
          Position{' '}
          <input
            type="range"
            name="position"
            min={first || 1}
            max={last}
            value={params.seq || last}
            onChange={(e) => setParams({ seq: e.currentTarget.value })}
            aria-valuetext={`sequence ${params.seq || last} of ${last}`}
          />
        </label>
      )}
    </div>
  );
}
