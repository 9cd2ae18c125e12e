// The graph's filters: a topic, a status (or signals only), a factuality (relationships with a fact
// of it by the date) and an organization; each a URL parameter.
import { setParams } from '../lib/route.js';
import { FACTUALITIES, SIGNALS, STATUSES } from '../lib/statuses.js';

export function Filters({ params, topics }) {
  const known = params.topic && !topics.includes(params.topic) ? [params.topic, ...topics] : topics;
  return (
    <div class="filters">
      <label>
        Topic{' '}
        <select
          name="topic"
          value={params.topic || ''}
          onChange={(e) => setParams({ topic: e.currentTarget.value })}
        >
          <option value="">all</option>
          {known.map((t) => (
            <option value={t}>{t}</option>
          ))}
        </select>
      </label>
      <label>
        Status{' '}
        <select
          name="status"
          value={params.status || ''}
          onChange={(e) => setParams({ status: e.currentTarget.value })}
        >
          <option value="">all</option>
          {STATUSES.map((s) => (
            <option value={s}>{s}</option>
          ))}
          <option value={SIGNALS}>signals only</option>
        </select>
      </label>
      <label>
        Factuality{' '}
        <select
          name="factuality"
          value={params.factuality || ''}
          onChange={(e) => setParams({ factuality: e.currentTarget.value })}
        >
          <option value="">all</option>
          {FACTUALITIES.map((f) => (
            <option value={f}>{f}</option>
          ))}
        </select>
      </label>
      <label>
        Organization{' '}
        <input
          name="org"
          size="14"
          placeholder="id, e.g. meta"
          value={params.org || ''}
          onChange={(e) => setParams({ org: e.currentTarget.value.trim().toLowerCase() })}
        />
      </label>
    </div>
  );
}
