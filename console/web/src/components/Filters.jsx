// The graph's filters: a topic and a status (or signals only); each a URL parameter.
import { setParams } from '../lib/route.js';
import { SIGNALS, STATUSES } from '../lib/statuses.js';

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
    </div>
  );
}
