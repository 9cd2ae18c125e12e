// A relationship's status history as a ladder: each asserted fact that moved the status, when,
// and from what to what, newest on top (the projection's `ladder`, as of the view's date).
export function StatusLadder({ ladder }) {
  if (!ladder?.length) return <p class="empty">No fact has moved the status yet.</p>;
  return (
    <ol class="ladder" aria-label="Status history">
      {[...ladder].reverse().map((s) => (
        <li data-event-id={s.id} data-before={s.before} data-after={s.after} data-time={s.time} class={`status-${s.after}`}>
          <span class={`badge status-${s.after}`}>{s.after}</span>{' '}
          <span class="note">from {s.before}</span> <time>{s.time}</time> <code>{s.type}</code>{' '}
          <span class="seq">#{s.sequence}</span>
          {s.summary && <p>{s.summary}</p>}
          <p class="note">
            event <code class="event-id">{s.id}</code>
          </p>
        </li>
      ))}
    </ol>
  );
}
