// The graph as a table: the same edges, readable by screen readers, by keyboard and at phone
// width; ROWS at a time ("more rows" adds as many), so that ten thousand edges stay quick.
import { useState } from 'preact/hooks';
import { href } from '../lib/route.js';

/** Rows shown at first and added by "more rows". */
const ROWS = 200;

export function EdgeTable({ edges, asOf }) {
  const [rows, setRows] = useState(ROWS);
  if (!edges.length) return null;
  return (
    <div class="edge-table">
    <table class="edges" data-rows={Math.min(rows, edges.length)} data-edges={edges.length}>
      <caption>
        Relationships{asOf ? ` as of ${asOf}` : ''}: {edges.length}
      </caption>
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
        {edges.slice(0, rows).map((e) => (
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
    {edges.length > rows && (
      <button type="button" class="more-rows" onClick={() => setRows(rows + ROWS)}>
        More rows ({edges.length - rows} not shown)
      </button>
    )}
    </div>
  );
}
