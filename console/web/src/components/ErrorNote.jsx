// A failed call, said plainly: the service's problem title and detail.
export function ErrorNote({ error }) {
  if (!error) return null;
  const text = error.describe ? error.describe() : String(error.message || error);
  return <p class="error" role="alert">{text}</p>;
}
