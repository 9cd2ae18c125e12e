// The reason of a rejection: a small box that takes the focus; Enter rejects, Escape cancels.
import { useEffect, useRef, useState } from 'preact/hooks';

export function ReasonBox({ onSubmit, onCancel, busy }) {
  const [reason, setReason] = useState('');
  const input = useRef(null);
  useEffect(() => input.current?.focus(), []);
  return (
    <form
      class="reason"
      onSubmit={(e) => {
        e.preventDefault();
        if (reason.trim()) onSubmit(reason.trim());
      }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') onCancel();
      }}
    >
      <label>
        Why is it wrong?{' '}
        <input
          ref={input}
          name="reason"
          value={reason}
          maxLength={1024}
          required
          onInput={(e) => setReason(e.currentTarget.value)}
        />
      </label>{' '}
      <button type="submit" disabled={busy || !reason.trim()}>
        Reject
      </button>{' '}
      <button type="button" onClick={onCancel}>
        Cancel (Esc)
      </button>
    </form>
  );
}
