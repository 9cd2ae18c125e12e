// The live tail's controls, the same in both log views (paged and virtual): what the tail is
// doing, for the status line, and the Pause / Resume button with the count held while paused.

/** The status line's suffix: the tail's state, and what is held while paused. */
export function tailNote(tail, held) {
  if (!tail) return '';
  return ` · tail ${tail.state.value}${tail.paused.value ? ` · paused, ${held} held` : ''}`;
}

/** Pause, or Resume with the number of events held. */
export function TailToggle({ tail, held }) {
  if (!tail) return null;
  return tail.paused.value ? (
    <button type="button" class="tail-toggle" onClick={() => tail.resume()} data-held={held}>
      Resume ({held} new)
    </button>
  ) : (
    <button type="button" class="tail-toggle" onClick={() => tail.pause()}>
      Pause
    </button>
  );
}
