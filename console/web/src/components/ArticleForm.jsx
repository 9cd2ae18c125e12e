// Posting an article to the reader: its text (or its web page's HTML), or its address alone for
// the reader to fetch the page ("Read from the address"); where and when it was published, its
// language. The queue then shows the candidates read from it.
import { useEffect, useRef, useState } from 'preact/hooks';
import { postArticle } from '../lib/review.js';
import { ErrorNote } from './ErrorNote.jsx';

export function ArticleForm({ onPosted, onCancel }) {
  // `source`: 'text', 'html' (the text is the page's HTML) or 'url' (the reader fetches it).
  const [f, setF] = useState({ text: '', url: '', title: '', published_at: '', language: '', source: 'text' });
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const first = useRef(null);
  const address = useRef(null);
  const fetching = f.source === 'url';
  useEffect(() => first.current?.focus(), []);
  useEffect(() => {
    if (fetching) address.current?.focus();
  }, [fetching]);
  const set = (name) => (e) => setF({ ...f, [name]: e.currentTarget.value });
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const body = { published_at: f.published_at.trim() };
    if (!fetching) body[f.source] = f.text;
    for (const k of ['url', 'title', 'language']) if (f[k].trim()) body[k] = f[k].trim();
    try {
      onPosted(await postArticle(body));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="article-form" aria-label="Post an article" onSubmit={submit} onKeyDown={(e) => e.key === 'Escape' && onCancel()}>
      <fieldset class="field source">
        <legend>Read</legend>
        {[
          ['text', 'the text'],
          ['html', "the page's HTML"],
          ['url', 'Read from the address'],
        ].map(([value, label]) => (
          <label key={value}>
            <input type="radio" name="source" value={value} checked={f.source === value} onChange={set('source')} /> {label}
          </label>
        ))}
      </fieldset>
      {!fetching && (
        <div class="field">
          <label for="article-text">{f.source === 'html' ? 'HTML *' : 'Text *'}</label>
          <textarea id="article-text" name="text" ref={first} rows={8} required value={f.text} onInput={set('text')} />
        </div>
      )}
      <div class="field-row">
        <div class="field">
          <label for="article-url">{fetching ? 'URL *' : 'URL'}</label>
          <input id="article-url" name="url" type="url" ref={address} required={fetching} value={f.url} onInput={set('url')} placeholder="https://…" />
        </div>
        <div class="field">
          <label for="article-title">Title</label>
          <input id="article-title" name="title" value={f.title} onInput={set('title')} />
        </div>
        <div class="field">
          <label for="article-published">Published *</label>
          <input id="article-published" name="published_at" required value={f.published_at} onInput={set('published_at')} placeholder="2024-02-28" />
        </div>
        <div class="field">
          <label for="article-language">Language</label>
          <select id="article-language" name="language" value={f.language} onChange={set('language')}>
            <option value="">detect</option>
            <option value="en">en</option>
            <option value="de">de</option>
          </select>
        </div>
      </div>
      <ErrorNote error={error} />
      <button type="submit" disabled={busy}>
        {fetching ? 'Fetch and read it' : 'Read it'}
      </button>{' '}
      <button type="button" onClick={onCancel}>
        Cancel (Esc)
      </button>
    </form>
  );
}
