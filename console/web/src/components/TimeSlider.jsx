// The time slider: the graph as of any day from the earliest fact seen to today (`as_of` in the
// URL; none is now). Dragging redraws as it goes; arrow keys move a day, Page keys a month.
import { setParams } from '../lib/route.js';

const DAY = 86400000;
/** The earliest day any load has shown, so the range does not shrink while travelling back. */
let earliestSeen = null;

const dayOf = (text) => Date.parse(`${text.slice(0, 10)}T00:00:00Z`);
const textOf = (ms) => new Date(ms).toISOString().slice(0, 10);

export function TimeSlider({ asOf, edges }) {
  const today = dayOf(new Date().toISOString());
  for (const e of edges) {
    if (e.earliest && (earliestSeen === null || dayOf(e.earliest) < earliestSeen)) {
      earliestSeen = dayOf(e.earliest);
    }
  }
  const chosen = asOf ? dayOf(asOf) : today;
  const start = Math.min(earliestSeen ?? today - 365 * DAY, chosen) - 30 * DAY;
  const days = Math.round((today - start) / DAY);
  const value = Math.round((chosen - start) / DAY);
  const move = (offset, replace) => {
    const day = start + offset * DAY;
    setParams({ as_of: day >= today ? '' : textOf(day) }, { replace });
  };
  return (
    <div class="slider">
      <label for="as-of">As of</label>
      <input
        id="as-of"
        type="range"
        min="0"
        max={days}
        step="1"
        value={value}
        data-start={textOf(start)}
        aria-valuetext={asOf || 'now'}
        onInput={(e) => move(Number(e.currentTarget.value), true)}
        onChange={(e) => move(Number(e.currentTarget.value), false)}
      />
      <output for="as-of" data-as-of={asOf}>
        {asOf || 'now'}
      </output>
      {asOf && (
        <button type="button" onClick={() => setParams({ as_of: '' })}>
          Now
        </button>
      )}
    </div>
  );
}
