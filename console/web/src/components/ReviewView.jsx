// The review queue: the reader's candidates one at a time, decided with one key each — a accept,
// r reject (with a reason), s/j skip, k back, u undo, e edit, n post an article — moving on to
// the next by itself. The state (filter, article, current candidate) lives in the URL.
import { useEffect, useState } from 'preact/hooks';
import { href, setParams } from '../lib/route.js';
import { useLoad } from '../lib/use-load.js';
import { accept, getCandidate, listCandidates, reject } from '../lib/review.js';
import { ErrorNote } from './ErrorNote.jsx';
import { CandidateCard } from './CandidateCard.jsx';
import { EffectPreview } from './EffectPreview.jsx';
import { EventEditor } from './EventEditor.jsx';
import { ReasonBox } from './ReasonBox.jsx';
import { ArticleForm } from './ArticleForm.jsx';
import { UndoNote } from './UndoNote.jsx';
import { ReviewKeys } from './ReviewKeys.jsx';

const STATES = ['pending', 'accepted', 'rejected', 'auto-accepted', 'all'];

/** Whether a key press belongs to a form field (then the queue's keys stay quiet). */
function typing(event) {
  const t = event.target;
  return t && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName));
}

export function ReviewView({ params }) {
  const state = params.state || 'pending';
  const article = params.article || '';
  const [version, setVersion] = useState(0);
  const [mode, setMode] = useState(null); // null | 'reject' | 'edit' | 'article'
  const [last, setLast] = useState(null); // the last decision: { candidate, state }
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  const list = useLoad(
    (signal) => listCandidates({ state: state === 'all' ? '' : state, article }, signal),
    [state, article, version],
  );
  const candidates = list.data?.candidates || [];
  const index = candidates.findIndex((c) => c.id === params.candidate);
  const chosen = useLoad(
    async (signal) => (params.candidate && index < 0 ? getCandidate(params.candidate, signal) : null),
    [params.candidate, index < 0, version],
  );
  const current = index >= 0 ? candidates[index] : chosen.data || (!params.candidate && candidates[0]) || null;
  const at = current ? candidates.findIndex((c) => c.id === current.id) : -1;

  const go = (candidate) => {
    setMode(null);
    setError(null);
    setParams({ candidate: candidate?.id || '' });
  };
  const next = () => candidates[at + 1] || null;
  const decide = async (what, run) => {
    if (!current || busy) return;
    const following = at >= 0 ? candidates[at + 1] || candidates[at - 1] || null : null;
    setBusy(true);
    setError(null);
    try {
      const answer = await run();
      setLast({ candidate: answer, state: what });
      setMode(null);
      setVersion((v) => v + 1);
      // Auto-advance: in the pending queue the decided one leaves it; elsewhere move on too.
      setParams({ candidate: (state === 'pending' ? following : candidates[at + 1])?.id || '' });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const doAccept = (edited) => decide('accepted', () => accept(current.id, edited));
  const doReject = (reason) => decide('rejected', () => reject(current.id, reason));
  const undo = () => {
    if (!last) return;
    if (last.state === 'rejected') {
      // A rejection is reversed by accepting the candidate after all.
      setParams({ candidate: last.candidate.id });
      setLast({ ...last, state: 'undo-rejected' });
      accept(last.candidate.id)
        .then((c) => {
          setLast({ candidate: c, state: 'accepted' });
          setVersion((v) => v + 1);
        })
        .catch(setError);
    } else {
      setLast({ ...last, explain: true });
    }
  };

  useEffect(() => {
    const onKey = (event) => {
      if (typing(event) || event.ctrlKey || event.metaKey || event.altKey || mode) return;
      const actions = {
        a: () => current && doAccept(),
        r: () => current && setMode('reject'),
        e: () => current && setMode('edit'),
        s: () => go(next()),
        j: () => go(next()),
        k: () => go(candidates[at - 1] || current),
        u: undo,
        n: () => setMode('article'),
      };
      const act = actions[event.key];
      if (act) {
        event.preventDefault();
        act();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  });

  const ready = !list.loading && !chosen.loading;
  return (
    <section
      class="review-view"
      data-state={ready ? 'ready' : 'loading'}
      data-candidate={current?.id || ''}
      data-count={candidates.length}
    >
      <div class="controls">
        <h1>Review</h1>
        <label>
          State{' '}
          <select
            value={state}
            onChange={(e) => setParams({ state: e.currentTarget.value, candidate: '' })}
          >
            {STATES.map((s) => (
              <option value={s}>{s}</option>
            ))}
          </select>
        </label>
        {article && (
          <span>
            Article <code>{article.slice(0, 8)}</code>{' '}
            <a href={href('review', [], { state })}>all articles</a>
          </span>
        )}
        <span class="note">
          {candidates.length} {state === 'all' ? '' : state} candidate{candidates.length === 1 ? '' : 's'}
          {at >= 0 ? ` · ${at + 1} of ${candidates.length}` : ''}
        </span>
        <button type="button" onClick={() => setMode(mode === 'article' ? null : 'article')}>
          Post an article (n)
        </button>
      </div>
      {mode === 'article' && (
        <ArticleForm
          onCancel={() => setMode(null)}
          onPosted={(answer) => {
            setMode(null);
            setVersion((v) => v + 1);
            setParams({ article: answer.article.id, candidate: '', state: 'pending' });
          }}
        />
      )}
      <ErrorNote error={list.error || chosen.error || error} />
      <UndoNote last={last} />
      {!current ? (
        <p class="empty">{ready ? 'Nothing to review here.' : 'Loading…'}</p>
      ) : (
        <div class="review-body">
          <div>
            <CandidateCard candidate={current} />
            {mode === 'reject' && (
              <ReasonBox onSubmit={doReject} onCancel={() => setMode(null)} busy={busy} />
            )}
            {mode === 'edit' && (
              <EventEditor
                event={current.event}
                busy={busy}
                onAccept={(edited) => doAccept(edited)}
                onCancel={() => setMode(null)}
              />
            )}
            <ReviewKeys />
          </div>
          <EffectPreview event={current.event} />
        </div>
      )}
    </section>
  );
}
