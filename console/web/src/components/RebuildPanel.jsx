// The projection's rebuild: start one (the write token), and follow it by polling
// `GET /v1/admin/rebuild` — replayed up to which sequence of which, then its report or error.
import { useEffect, useState } from 'preact/hooks';
import { describeWrite } from '../lib/alerts.js';
import { rebuildStatus, startRebuild } from '../lib/health.js';
import { token } from '../lib/token.js';
import { ErrorNote } from './ErrorNote.jsx';

/** How often a running rebuild is read. */
const POLL_MS = 500;

export function RebuildPanel() {
  const [status, setStatus] = useState(null);
  const [error, setError] = useState(null);
  const [writeError, setWriteError] = useState(null);
  const [poke, setPoke] = useState(0);
  const signedIn = token.value;
  useEffect(() => {
    const controller = new AbortController();
    let timer;
    const read = async () => {
      try {
        const now = await rebuildStatus(controller.signal);
        setStatus(now);
        setError(null);
        if (now.state === 'running') timer = setTimeout(read, POLL_MS);
      } catch (e) {
        if (e.name !== 'AbortError') setError(e);
      }
    };
    read();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [poke, signedIn]);
  const start = async () => {
    setWriteError(null);
    try {
      await startRebuild();
      setPoke((p) => p + 1);
    } catch (e) {
      setWriteError(describeWrite(e));
    }
  };
  const running = status?.state === 'running';
  const share = status && status.target ? Math.min(100, Math.round((100 * status.applied) / status.target)) : 0;
  return (
    <section class="rebuild" aria-label="Rebuild" data-state={status?.state || 'unknown'}>
      <h2>Projection rebuild</h2>
      <p class="note">Replays the log into a fresh database and switches to it; queries answer from the old one until then.</p>
      {error && (error.status === 401 || error.status === 403) ? (
        <p class="note">Sign in to see and start a rebuild.</p>
      ) : (
        <ErrorNote error={error} />
      )}
      {status && (
        <p>
          <span class="badge">{status.state}</span>{' '}
          {status.state !== 'idle' && (
            <>
              <progress max={status.target || 1} value={status.applied} /> {status.applied} of {status.target} ({share} %)
            </>
          )}
          {status.report && <span class="note"> — done in {status.report.seconds.toFixed(2)} s at checkpoint {status.report.checkpoint}</span>}
          {status.error && <span class="error"> — {status.error}</span>}
        </p>
      )}
      <button type="button" onClick={start} disabled={running}>
        Rebuild the projection
      </button>
      {writeError && (
        <p class="error" role="alert" id="rebuild-error">
          {writeError}
        </p>
      )}
    </section>
  );
}
