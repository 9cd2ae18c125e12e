// The log's rows, virtualised: only the rows in view (and a few around) are in the DOM, at a
// fixed height, inside a box as tall as every loaded row. Scrolling near either end asks for the
// next or the previous page (`onNear('after' | 'before')`).
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { LogRow } from './LogRow.jsx';

/** The height of a row, in pixels (fixed, so a row's place is its index × ROW). */
export const ROW = 30;
const OVERSCAN = 8;

export function LogList({ entries, selected, onSelect, onNear, shift }) {
  const box = useRef(null);
  const [top, setTop] = useState(0);
  const [height, setHeight] = useState(480);
  // `shift`: `{ to: 'start' | 'end' }` after a fresh load, `{ rows }` after rows came or went above.
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    if (shift.to === 'start') el.scrollTop = 0;
    else if (shift.to === 'end') el.scrollTop = el.scrollHeight;
    else if (shift.rows) el.scrollTop += shift.rows * ROW;
    setTop(el.scrollTop);
  }, [shift]);
  useLayoutEffect(() => {
    if (box.current) setHeight(box.current.clientHeight || 480);
  }, []);
  const onScroll = (e) => {
    const el = e.currentTarget;
    setTop(el.scrollTop);
    if (el.scrollTop < ROW * 5) onNear('before');
    if (el.scrollTop + el.clientHeight > el.scrollHeight - ROW * 5) onNear('after');
  };
  const first = Math.max(0, Math.floor(top / ROW) - OVERSCAN);
  const last = Math.min(entries.length, Math.ceil((top + height) / ROW) + OVERSCAN);
  const rows = entries.slice(first, last);
  const onKey = (e, i) => {
    const next = e.key === 'ArrowDown' ? i + 1 : e.key === 'ArrowUp' ? i - 1 : null;
    if (next === null || next < 0 || next >= entries.length) return;
    e.preventDefault();
    onSelect(entries[next].sequence);
    const el = box.current;
    if (next * ROW < el.scrollTop) el.scrollTop = next * ROW;
    if ((next + 1) * ROW > el.scrollTop + el.clientHeight) el.scrollTop = (next + 1) * ROW - el.clientHeight;
    requestAnimationFrame(() => el.querySelector(`[data-seq="${entries[next].sequence}"]`)?.focus());
  };
  return (
    <div class="log-scroll" ref={box} onScroll={onScroll} data-rows={entries.length}>
      <ol class="log-rows" style={{ height: `${entries.length * ROW}px` }} aria-label="Events">
        {rows.map((e, k) => (
          <LogRow
            key={e.sequence}
            event={e}
            top={(first + k) * ROW}
            selected={selected}
            onSelect={onSelect}
            onKey={(ev) => onKey(ev, first + k)}
          />
        ))}
      </ol>
    </div>
  );
}
