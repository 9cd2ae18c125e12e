// The graph as a table: the same edges, readable by screen readers and at phone width.
import { href } from '../lib/route.js';

export function EdgeTable({ edges, asOf }) {
  if (!edges.length) return null;
  return (
    <table class="edges">
      <caption>Relationships{asOf ? ` as of ${asOf}` : ''}</caption>
      <thead>
        <tr>
          <th scope="col">Organizations</th>
          <th scope="col">Topic</th>
          <th scope="col">Status</th>
          <th scope="col">Since</th>
          <th scope="col">Facts</th>
        </tr>
      </thead>
      <tbody>
        {edges.map((e) => (
          <tr data-edge={e.key} data-status={e.status}>
            <td>
              <a href={href('relationship', [e.a, e.b], { topic: e.topic, as_of: asOf })}>
                {e.a} – {e.b}
              </a>
            </td>
            <td>{e.topic}</td>
            <td>
              <span class={`badge status-${e.status}`}>{e.signalsOnly ? 'signals only' : e.status}</span>
            </td>
            <td>{e.since || '—'}</td>
            <td>{e.facts}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
