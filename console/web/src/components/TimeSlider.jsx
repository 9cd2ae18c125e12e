// The time slider: the graph as of any day from the earliest fact seen to today (`as_of` in the
// URL; none is now). Dragging redraws as it goes; arrow keys move a day, Page keys a month. Play
// runs the history forward a step at a time (a hundredth of the range, at least a day); the step
// buttons move one step back or forth.
import { useEffect, useState } from 'preact/hooks';
import { setParams } from '../lib/route.js';
import { stepStart } from '../lib/timings.js';

const DAY = 86400000;
/** Time between two steps while playing. */
const TICK_MS = 400;
/** The earliest day any load has shown, so the range does not shrink while travelling back. */
let earliestSeen = null;

const dayOf = (text) => Date.parse(`${text.slice(0, 10)}T00:00:00Z`);
const textOf = (ms) => new Date(ms).toISOString().slice(0, 10);

export function TimeSlider({ asOf, edges }) {
  const [playing, setPlaying] = useState(false);
  const today = dayOf(new Date().toISOString());
  for (const e of edges) {
    if (e.earliestAt && (earliestSeen === null || e.earliestAt < earliestSeen)) {
      earliestSeen = dayOf(new Date(e.earliestAt).toISOString());
    }
  }
  const chosen = asOf ? dayOf(asOf) : today;
  const start = Math.min(earliestSeen ?? today - 365 * DAY, chosen) - 30 * DAY;
  const days = Math.round((today - start) / DAY);
  const value = Math.round((chosen - start) / DAY);
  const stride = Math.max(1, Math.round(days / 100));
  const move = (offset, replace) => {
    stepStart();
    const day = start + Math.max(0, Math.min(days, offset)) * DAY;
    setParams({ as_of: day >= today ? '' : textOf(day) }, { replace });
  };
  useEffect(() => {
    if (!playing) return undefined;
    if (value >= days) {
      setPlaying(false);
      return undefined;
    }
    const timer = setTimeout(() => move(value + stride, true), TICK_MS);
    return () => clearTimeout(timer);
  }, [playing, value]);
  const play = () => {
    if (!playing && value >= days) move(0, true);
    setPlaying(!playing);
  };
  // The Now button comes first among the buttons: the first one a keyboard reaches after the date.
  return (
    <div class="slider" data-playing={playing ? 'yes' : 'no'}>
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
        <button type="button" class="now" onClick={() => setParams({ as_of: '' })}>
          Now
        </button>
      )}
      <button type="button" class="step-back" aria-label={`${stride} days back`} onClick={() => move(value - stride, false)}>
        ◀
      </button>
      <button type="button" class="play" aria-pressed={playing} onClick={play}>
        {playing ? 'Pause' : 'Play'}
      </button>
      <button type="button" class="step-forward" aria-label={`${stride} days forward`} onClick={() => move(value + stride, false)}>
        ▶
      </button>
    </div>
  );
}
