// The live tail: every change of a relationship's status as the projection applies the log.
// Pause holds what arrives (and counts it); resume shows it, nothing dropped.
import { href } from '../lib/route.js';
import { held, pause, paused, resume, shown, state } from '../lib/stream.js';

export function LiveTail() {
  const waiting = held.value.length;
  return (
    <section class="live" aria-label="Live tail" data-state={state.value}>
      <div class="controls">
        <h1>Live</h1>
        <span class="note" role="status">
          {state.value}
          {paused.value ? ` · paused, ${waiting} held` : ''}
        </span>
        {paused.value ? (
          <button type="button" onClick={resume} data-held={waiting}>
            Resume ({waiting} new)
          </button>
        ) : (
          <button type="button" onClick={pause}>
            Pause
          </button>
        )}
      </div>
      <p class="note">Status changes as the projection applies the log, newest first.</p>
      <table class="tail">
        <thead>
          <tr>
            <th scope="col">Seq</th>
            <th scope="col">Pair</th>
            <th scope="col">Topic</th>
            <th scope="col">Change</th>
            <th scope="col">Since</th>
            <th scope="col">Event</th>
          </tr>
        </thead>
        <tbody>
          {shown.value.map(({ id, change }) => (
            <tr data-id={id} data-event-id={change.event_id} data-after={change.after}>
              <td>{change.sequence}</td>
              <td>
                <a href={href('relationship', change.organizations, { topic: change.topic })}>
                  {change.organizations.join(' – ')}
                </a>
              </td>
              <td>{change.topic}</td>
              <td>
                {change.before} → <span class={`badge status-${change.after}`}>{change.after}</span>
              </td>
              <td>{change.since || '—'}</td>
              <td>
                <code>{change.event_id}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {!shown.value.length && <p class="empty">Waiting for the next change…</p>}
    </section>
  );
}
