// The views, as links: the shared as-of date goes along from the graph to the others.
import { href } from '../lib/route.js';
import { held } from '../lib/stream.js';

export function Nav({ view, params }) {
  const asOf = params.as_of;
  const link = (name, label, target) => (
    <a href={target} aria-current={view === name ? 'page' : undefined}>
      {label}
    </a>
  );
  const waiting = held.value.length;
  return (
    <nav aria-label="Views">
      {link('graph', 'Graph', href('graph', [], { as_of: asOf }))}
      {link('live', waiting ? `Live (${waiting} held)` : 'Live', href('live'))}
      {link('log', 'Log', href('log'))}
      {link('health', 'Health', href('health'))}
      {link('review', 'Review', href('review'))}
      {link('alerts', 'Alerts', href('alerts'))}
    </nav>
  );
}
