// Where each follower of a service stands: its checkpoint against the head of the stream it
// follows, the lag between them, and how many entries a second it applied lately.
export function Followers({ status }) {
  if (!status) return <span class="note">—</span>;
  if (!status.streams.length) return <span class="note">follows no stream</span>;
  return (
    <ul class="checks followers">
      {status.streams.map((f) => (
        <li
          data-stream={f.stream}
          data-checkpoint={f.checkpoint}
          data-head={f.head ?? ''}
          data-lag={f.lag ?? ''}
        >
          <strong>{f.stream}</strong>: checkpoint {f.checkpoint} of {f.head ?? '?'}, lag{' '}
          <span class={f.lag === 0 ? '' : 'error'}>{f.lag ?? 'unknown'}</span>, {f.applied_per_second}/s
          {f.state !== 'following' ? <span class="note"> ({f.state})</span> : null}
        </li>
      ))}
    </ul>
  );
}
