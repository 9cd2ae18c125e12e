// One row of the log's lists: sequence, type, business time, organizations, topics, factuality.
export function LogRow({ event: e, top, selected, onSelect, onKey }) {
  const d = e.data || {};
  const orgs = d.organizations || [d.organization, d.counterpart, d.buyer, d.supplier, d.id].filter(Boolean);
  return (
    <li
      style={{ top: `${top}px` }}
      data-seq={e.sequence}
      data-type={e.type}
      tabIndex={0}
      aria-selected={selected === e.sequence}
      onClick={() => onSelect(e.sequence)}
      onKeyDown={(ev) => (ev.key === 'Enter' ? onSelect(e.sequence) : onKey(ev))}
    >
      <span class="seq-col">#{e.sequence}</span>
      <code class="type-col">{e.type}</code>
      <span class="time-col">{e.time}</span>
      <span class="orgs-col">{orgs.join(', ')}</span>
      <span class="topics-col">{(d.topics || []).join(', ')}</span>
      <span class="fact-col">{d.factuality && d.factuality !== 'asserted' ? d.factuality : ''}</span>
    </li>
  );
}
