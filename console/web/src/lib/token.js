// The write token: asked for once, kept in this tab's sessionStorage only (never in the URL,
// never on the server), sent as `Authorization: Bearer` with every call.
import { signal } from '@preact/signals';

const KEY = 'liaison.token';

/** The token of this tab ('' when signed out). */
export const token = signal(sessionStorage.getItem(KEY) || '');

/** Keeps `value` as the token ('' signs out). */
export function setToken(value) {
  if (value) sessionStorage.setItem(KEY, value);
  else sessionStorage.removeItem(KEY);
  token.value = value;
}
