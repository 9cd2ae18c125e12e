// The unfiltered log as one virtual scroller over every sequence: the scroll box is as tall as
// the log (its length × ROW, from the page answer's range_first and last_sequence; past CAP
// pixels — Chrome stops near 33,554,000 — positions are scaled, scrollTop mapping to a sequence
// proportionally), only the rows in view and a margin are in the DOM, and the rows of the window
// in view are fetched by `seq=`/`after=` pages once scrolling pauses (debounced, one request in
// flight, an answer for a window left behind dropped). `seq=` in the URL follows the first row in
// view. At the end, a live tail appends new events (the box grows), pauses and resumes by
// Last-Event-ID, as LogPaged's.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { api, query } from '../lib/api.js';
import { createTail } from '../lib/log-tail.js';
import { setParams } from '../lib/route.js';
import { LogDetail } from './LogDetail.jsx';
import { LogFilters } from './LogFilters.jsx';
import { ROW } from './LogList.jsx';
import { LogRow } from './LogRow.jsx';
import { TailToggle, tailNote } from './TailToggle.jsx';

/** The tallest scroll box drawn, in pixels; a longer log scales positions. */
export const CAP = 15_000_000;
/** Rows kept in the DOM above and below the view. */
const OVERSCAN = 8;
/** Entries asked for at a time (the view holds about 20). */
const PAGE = 200;
/** The most entries kept in memory (the farthest from the view are dropped). */
const KEEP = 3000;
/** How long scrolling must pause before the rows in view are fetched. */
const DEBOUNCE_MS = 80;

/** The scroll box for `n` rows in a view `view` px tall: its height, and the maps between a
 * scrollTop and the (fractional) index of the first row in view. */
export function geometry(n, view) {
  const height = Math.min(n * ROW, CAP);
  const maxScroll = Math.max(0, height - view);
  const maxRow = Math.max(0, n - view / ROW);
  return {
    height,
    rowAt: (scrollTop) => (maxScroll > 0 ? (Math.min(Math.max(scrollTop, 0), maxScroll) / maxScroll) * maxRow : 0),
    topOf: (row) => (maxRow > 0 ? (Math.min(Math.max(row, 0), maxRow) / maxRow) * maxScroll : 0),
  };
}

export function LogVirtual({ params }) {
  const box = useRef(null);
  /** sequence → event, or null where the log holds no event. */
  const cache = useRef(new Map());
  const [bounds, setBounds] = useState(null);
  const boundsRef = useRef(bounds);
  boundsRef.current = bounds;
  const [status, setStatus] = useState({ state: 'loading', request: '', error: null });
  const [loadRequest, setLoadRequest] = useState('');
  const [top, setTop] = useState(0);
  const [view, setView] = useState(480);
  const [, setVersion] = useState(0);
  const [tail, setTail] = useState(null);
  const [requests, setRequests] = useState(0);
  const inFlight = useRef(false);
  const timer = useRef(0);
  /** The `seq` this view last wrote into the URL (a different one is a seek). */
  const written = useRef(params.seq || null);
  /** Where to scroll once the bounds are known. */
  const jumpTo = useRef(null);
  /** At the end: new events keep the end in view. */
  const follow = useRef(false);

  async function get(p) {
    const request = `/v1/log${query(p)}`;
    setStatus((s) => ({ ...s, request }));
    setRequests((r) => r + 1);
    return api('projection', '/v1/log', { params: p });
  }

  function store(page, from, to) {
    const c = cache.current;
    for (let s = from; s <= to; s++) if (!c.has(s)) c.set(s, null);
    for (const e of page.entries) c.set(e.sequence, e);
    if (c.size > KEEP) {
      const w = windowNow();
      const mid = w ? (w.from + w.to) / 2 : to;
      const far = [...c.keys()].sort((a, b) => Math.abs(b - mid) - Math.abs(a - mid));
      for (const s of far.slice(0, c.size - KEEP)) c.delete(s);
    }
    setVersion((v) => v + 1);
  }

  function grow(last) {
    setBounds((b) => (b && last > b.last ? { ...b, last } : b));
  }

  /** The sequences to have (in view plus the margin) and the first in view. */
  function windowNow() {
    const b = boundsRef.current;
    const el = box.current;
    if (!b || !el || b.last < b.first) return null;
    const n = b.last - b.first + 1;
    const v = el.clientHeight || view;
    const r = geometry(n, v).rowAt(el.scrollTop);
    const lo = Math.max(0, Math.floor(r) - OVERSCAN);
    const hi = Math.min(n - 1, Math.ceil(r + v / ROW) + OVERSCAN);
    return { from: b.first + lo, to: b.first + hi, inView: b.first + Math.min(n - 1, Math.floor(r + 1e-6)) };
  }

  /** `seq=` in the URL follows the first row in view (none at the log's start). */
  function writeSeq(seq) {
    const value = seq > boundsRef.current.first ? String(seq) : null;
    if (written.current === value) return;
    written.current = value;
    setParams({ seq: value ?? undefined }, { replace: true });
  }

  /** Fetches the first missing row of the window in view and on; again while rows are missing. */
  async function fetchWindow() {
    if (inFlight.current) return;
    const w = windowNow();
    if (!w) return;
    writeSeq(w.inView);
    let missing = null;
    for (let s = w.from; s <= w.to; s++) {
      if (!cache.current.has(s)) {
        missing = s;
        break;
      }
    }
    if (missing === null) return;
    inFlight.current = true;
    let again = false;
    try {
      const start = cache.current.has(missing - 1) ? { after: missing - 1 } : { seq: missing };
      const page = await get({ ...start, limit: PAGE });
      const from = page.scanned_from ?? missing;
      const to = page.scanned_to ?? missing;
      const now = windowNow();
      // An answer for a window scrolled away from is dropped; the new window is fetched next.
      if (now && to >= now.from && from <= now.to) store(page, from, to);
      grow(page.last_sequence);
      setStatus((s) => ({ ...s, error: null }));
      again = true;
    } catch (e) {
      setStatus((s) => ({ ...s, error: e.describe ? e.describe() : String(e) }));
    } finally {
      inFlight.current = false;
    }
    if (again) fetchWindow();
  }

  function schedule(delay = DEBOUNCE_MS) {
    clearTimeout(timer.current);
    timer.current = setTimeout(fetchWindow, delay);
  }

  // The first page: the log's bounds, and the rows where the view opens (the start, or `seq`).
  useEffect(() => {
    const seq = Number(params.seq) || null;
    const p = seq ? { seq, limit: PAGE } : { limit: PAGE };
    setLoadRequest(`/v1/log${query(p)}`);
    let gone = false;
    get(p).then(
      (page) => {
        if (gone) return;
        const b = { first: page.range_first || 1, last: page.last_sequence };
        boundsRef.current = b;
        if (page.entries.length || page.scanned_to) {
          store(page, page.scanned_from ?? page.range_first, page.scanned_to ?? page.range_first);
        }
        jumpTo.current = seq ?? b.first;
        setBounds(b);
        setStatus((s) => ({ ...s, state: 'ready' }));
      },
      (e) => !gone && setStatus((s) => ({ ...s, state: 'error', error: e.describe() })),
    );
    return () => {
      gone = true;
      clearTimeout(timer.current);
    };
  }, []);

  // A seek: `seq` in the URL that this view did not write (the box, the slider, a pasted URL).
  useEffect(() => {
    if (!bounds) return;
    const seq = params.seq || null;
    if (seq === written.current) return;
    written.current = seq;
    setLoadRequest(`/v1/log${query({ seq: seq || bounds.first, limit: PAGE })}`);
    jumpTo.current = Number(seq) || bounds.first;
    setVersion((v) => v + 1);
  }, [params.seq, bounds !== null]);

  // Scrolls to a pending jump; keeps the end in view as the log grows while at the end.
  useLayoutEffect(() => {
    const el = box.current;
    const b = bounds;
    if (!el || !b) return;
    setView(el.clientHeight || 480);
    const g = geometry(b.last - b.first + 1, el.clientHeight || 480);
    if (jumpTo.current !== null) {
      el.scrollTop = g.topOf(jumpTo.current - b.first);
      jumpTo.current = null;
      setTop(el.scrollTop);
      schedule(0);
    } else if (follow.current) {
      el.scrollTop = el.scrollHeight;
      setTop(el.scrollTop);
    }
  });

  // The live tail, from the log's end as first loaded.
  const ready = status.state === 'ready';
  useEffect(() => {
    if (!ready) return undefined;
    const t = createTail({
      filters: {},
      after: boundsRef.current.last,
      onEvent: (event) => {
        cache.current.set(event.sequence, event);
        grow(event.sequence);
        setVersion((v) => v + 1);
      },
    });
    setTail(t);
    return () => {
      t.stop();
      setTail(null);
    };
  }, [ready]);

  const onScroll = (e) => {
    const el = e.currentTarget;
    setTop(el.scrollTop);
    follow.current = el.scrollTop > 0 && el.scrollTop + el.clientHeight >= el.scrollHeight - 2;
    schedule();
  };

  const n = bounds ? Math.max(0, bounds.last - bounds.first + 1) : 0;
  const g = geometry(n, view);
  const rowF = g.rowAt(top);
  const lo = Math.max(0, Math.floor(rowF) - OVERSCAN);
  const hi = Math.min(n - 1, Math.ceil(rowF + view / ROW) + OVERSCAN);
  const selected = Number(params.event) || null;
  const select = (seq) => setParams({ event: seq }, { replace: true });
  const onKey = (ev, i) => {
    const next = ev.key === 'ArrowDown' ? i + 1 : ev.key === 'ArrowUp' ? i - 1 : null;
    if (next === null || next < 0 || next >= n) return;
    ev.preventDefault();
    const el = box.current;
    const seq = bounds.first + next;
    select(seq);
    if (next < rowF) el.scrollTop = g.topOf(next);
    else if (next + 1 > rowF + view / ROW) el.scrollTop = g.topOf(next + 1 - view / ROW);
    requestAnimationFrame(() => el.querySelector(`[data-seq="${seq}"]`)?.focus());
  };
  const rows = [];
  for (let i = lo; i <= hi; i++) {
    const seq = bounds.first + i;
    const event = cache.current.get(seq);
    const at = top + (i - rowF) * ROW;
    rows.push(
      event ? (
        <LogRow key={seq} event={event} top={at} selected={selected} onSelect={select} onKey={(ev) => onKey(ev, i)} />
      ) : (
        <li key={seq} class="placeholder" style={{ top: `${at}px` }} data-pending={seq}>
          <span class="seq-col">#{seq}</span>
          <span class="note">{event === null ? 'no event' : 'loading…'}</span>
        </li>
      ),
    );
  }
  const held = tail?.held.value.length ?? 0;
  const inView = bounds && n ? bounds.first + Math.min(n - 1, Math.floor(rowF + 1e-6)) : 0;
  return (
    <section
      class="log-view"
      aria-label="Log"
      data-state={status.state}
      data-request={status.request}
      data-load-request={loadRequest}
      data-requests={requests}
      data-tail={tail ? tail.state.value : 'off'}
      data-held={held}
    >
      <div class="controls">
        <h1>Log</h1>
        <span class="note" role="status">
          {ready ? `#${inView} of ${bounds.first}–${bounds.last}` : status.state}
          {tailNote(tail, held)}
        </span>
        <TailToggle tail={tail} held={held} />
      </div>
      <LogFilters params={params} first={bounds?.first ?? 0} last={bounds?.last ?? 0} />
      {status.error && <p class="error" role="alert">{status.error}</p>}
      <div class="log-body">
        <div class="log-main">
          <div class="log-scroll" ref={box} onScroll={onScroll} data-rows={n}>
            <ol class="log-rows" style={{ height: `${g.height}px`, overflow: 'hidden' }} aria-label="Events">
              {bounds && rows}
            </ol>
          </div>
          {ready && !n && <p class="empty">The log is empty.</p>}
        </div>
        {params.event && <LogDetail seq={params.event} onClose={() => setParams({ event: undefined })} />}
      </div>
    </section>
  );
}
