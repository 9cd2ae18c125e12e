// What the last decision was and how to undo it: a rejection is reversed by accepting (u); an
// accepted candidate's event is in the log, and only retracting it (`event.retracted` through
// ingest) takes it back.
import { useState } from 'preact/hooks';
import { href } from '../lib/route.js';
import { retract } from '../lib/review.js';
import { ErrorNote } from './ErrorNote.jsx';

function relationshipOf(event) {
  const d = event?.data || {};
  const orgs = d.organizations || [d.organization, d.counterpart].filter(Boolean);
  if (orgs.length < 2) return null;
  const [a, b] = [...orgs].sort();
  return href('relationship', [a, b], { topic: (d.topics || [])[0] });
}

export function UndoNote({ last }) {
  const [retracted, setRetracted] = useState(null);
  const [error, setError] = useState(null);
  if (!last) return null;
  const { candidate, state } = last;
  const link = relationshipOf(candidate.event);
  if (state === 'rejected') {
    return (
      <p class="undo" role="status" data-last="rejected">
        Rejected <code>{candidate.event.type}</code>. Press <kbd>u</kbd> to accept it after all.
      </p>
    );
  }
  if (state === 'undo-rejected') {
    return <p class="undo" role="status">Accepting the rejected candidate…</p>;
  }
  return (
    <div class="undo" role="status" data-last="accepted">
      <p>
        Accepted <code>{candidate.event.type}</code>: its event is in the log
        {link && (
          <>
            {' '}
            — <a href={link}>see the relationship</a>
          </>
        )}
        .
      </p>
      {last.explain && (
        <p class="note" data-undo="retract">
          An accepted candidate cannot be un-accepted: its event was appended to the log. Undoing it
          means retracting the event through ingest (<code>event.retracted</code>), which the log
          keeps too.{' '}
          {retracted ? (
            <strong>Retracted (sequence {retracted}).</strong>
          ) : (
            <button
              type="button"
              onClick={() =>
                retract(candidate.id, 'undone in review')
                  .then((a) => setRetracted(a.events?.[0]?.sequence ?? '?'))
                  .catch(setError)
              }
            >
              Retract the event
            </button>
          )}
        </p>
      )}
      <ErrorNote error={error} />
    </div>
  );
}
