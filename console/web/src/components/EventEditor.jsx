// Editing a candidate's event before accepting it, in a form built from the JSON Schema of its
// type's `data` (ingest's `GET /v1/schemas/events/{type}`): the reader appends the edited event
// and ingest validates it, so a wrong field comes back as a problem naming it.
import { useEffect, useRef, useState } from 'preact/hooks';
import { useLoad } from '../lib/use-load.js';
import { schemaOf } from '../lib/review.js';
import { fieldsOf, fromText, toText } from '../lib/schema-form.js';
import { ErrorNote } from './ErrorNote.jsx';
import { EffectPreview } from './EffectPreview.jsx';

function Field({ field, text, onInput }) {
  const id = `edit-${field.name}`;
  const input =
    field.kind === 'choice' ? (
      <select id={id} name={field.name} value={text} onChange={(e) => onInput(e.currentTarget.value)}>
        {!field.required && <option value="">—</option>}
        {field.options.map((o) => (
          <option value={String(o)}>{String(o)}</option>
        ))}
      </select>
    ) : field.kind === 'json' ? (
      <textarea id={id} name={field.name} rows={Math.min(8, text.split('\n').length + 1)} value={text} onInput={(e) => onInput(e.currentTarget.value)} />
    ) : (
      <input id={id} name={field.name} value={text} onInput={(e) => onInput(e.currentTarget.value)} />
    );
  return (
    <div class="field">
      <label for={id} title={field.description}>
        {field.name}
        {field.required ? ' *' : ''}
        {field.kind === 'list' ? ' (comma-separated)' : ''}
      </label>
      {input}
    </div>
  );
}

export function EventEditor({ event, onAccept, onCancel, busy }) {
  const schema = useLoad(() => schemaOf(event.type), [event.type]);
  const fields = schema.data ? fieldsOf(schema.data) : [];
  const [texts, setTexts] = useState(null);
  const [time, setTime] = useState(String(event.time));
  const [error, setError] = useState(null);
  const [previewed, setPreviewed] = useState(null);
  const form = useRef(null);
  useEffect(() => {
    if (schema.data && !texts) {
      setTexts(Object.fromEntries(fields.map((f) => [f.name, toText(f, event.data?.[f.name])])));
    }
  });
  useEffect(() => {
    if (texts) form.current?.querySelector('input, select, textarea')?.focus();
  }, [texts !== null]);

  const edited = () => {
    const data = {};
    for (const f of fields) {
      const value = fromText(f, texts[f.name] ?? '');
      if (value !== undefined) data[f.name] = value;
    }
    return { ...event, time: time.trim(), data };
  };
  const run = (then) => {
    try {
      setError(null);
      then(edited());
    } catch (e) {
      setError(e);
    }
  };
  return (
    <form
      ref={form}
      class="editor"
      aria-label="Edit the event"
      onSubmit={(e) => {
        e.preventDefault();
        run(onAccept);
      }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') onCancel();
        if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
          e.preventDefault();
          run(onAccept);
        }
      }}
    >
      <h2>
        Edit <code>{event.type}</code>
      </h2>
      <ErrorNote error={schema.error} />
      {texts && (
        <>
          <div class="field">
            <label for="edit-time">time *</label>
            <input id="edit-time" name="time" value={time} onInput={(e) => setTime(e.currentTarget.value)} />
          </div>
          {fields.map((f) => (
            <Field
              field={f}
              text={texts[f.name] ?? ''}
              onInput={(v) => setTexts({ ...texts, [f.name]: v })}
            />
          ))}
        </>
      )}
      <ErrorNote error={error} />
      <p>
        <button type="submit" disabled={busy || !texts}>
          Accept the edited event (Ctrl+Enter)
        </button>{' '}
        <button type="button" onClick={() => run(setPreviewed)} disabled={!texts}>
          Preview the edit
        </button>{' '}
        <button type="button" onClick={onCancel}>
          Cancel (Esc)
        </button>
      </p>
      {previewed && <EffectPreview event={previewed} />}
    </form>
  );
}
