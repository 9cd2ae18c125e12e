// The review queue's keys, said once under the candidate.
const KEYS = [
  ['a', 'accept'],
  ['r', 'reject with a reason'],
  ['e', 'edit, then accept'],
  ['s / j', 'skip'],
  ['k', 'back'],
  ['u', 'undo the last decision'],
  ['n', 'post an article'],
];

export function ReviewKeys() {
  return (
    <p class="keys note" aria-label="Keys">
      {KEYS.map(([key, what]) => (
        <span>
          <kbd>{key}</kbd> {what}{' '}
        </span>
      ))}
    </p>
  );
}
