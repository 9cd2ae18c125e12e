// The sign-in box: the write token, checked against a write-guarded endpoint before it is kept
// (in this tab's sessionStorage only). A refused token says so.
import { useState } from 'preact/hooks';
import { api, ApiError } from '../lib/api.js';
import { setToken, token } from '../lib/token.js';

/** Asks ingest's quarantine list, which needs the write token whenever one is configured. */
async function check(candidate) {
  await api('ingest', '/v1/admin/quarantine', { withToken: candidate });
}

export function SignIn() {
  const [open, setOpen] = useState(false);
  const [value, setValue] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  if (token.value) {
    return (
      <div class="signin" data-signed-in="true">
        <span>Signed in</span>
        <button type="button" onClick={() => setToken('')}>
          Sign out
        </button>
      </div>
    );
  }
  if (!open) {
    return (
      <div class="signin">
        <button type="button" onClick={() => setOpen(true)}>
          Sign in
        </button>
      </div>
    );
  }
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await check(value);
      setToken(value);
      setValue('');
      setOpen(false);
    } catch (e) {
      if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
        setError(`The services refused this token (${e.describe()}). Check LIAISON_API_TOKEN.`);
      } else {
        setError(`Cannot check the token: ${e.describe ? e.describe() : e.message}`);
      }
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="signin" onSubmit={submit} aria-label="Sign in">
      <label>
        Write token{' '}
        <input
          type="password"
          name="token"
          autocomplete="off"
          value={value}
          onInput={(e) => setValue(e.currentTarget.value)}
          autoFocus
          required
        />
      </label>
      <button type="submit" disabled={busy}>
        Sign in
      </button>
      <button type="button" onClick={() => setOpen(false)}>
        Cancel
      </button>
      {error && (
        <p class="error" role="alert" id="signin-error">
          {error}
        </p>
      )}
    </form>
  );
}
