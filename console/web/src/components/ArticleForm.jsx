// Posting an article to the reader: its text (or its web page's HTML), where and when it was
// published, its language; the queue then shows the candidates read from it.
import { useEffect, useRef, useState } from 'preact/hooks';
import { postArticle } from '../lib/review.js';
import { ErrorNote } from './ErrorNote.jsx';

export function ArticleForm({ onPosted, onCancel }) {
  const [f, setF] = useState({ text: '', url: '', title: '', published_at: '', language: '', html: false });
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const first = useRef(null);
  useEffect(() => first.current?.focus(), []);
  const set = (name) => (e) => setF({ ...f, [name]: e.currentTarget.value });
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const body = { published_at: f.published_at.trim() };
    body[f.html ? 'html' : 'text'] = f.text;
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
      <div class="field">
        <label for="article-text">Text *</label>
        <textarea id="article-text" name="text" ref={first} rows={8} required value={f.text} onInput={set('text')} />
      </div>
      <div class="field">
        <label>
          <input type="checkbox" name="html" checked={f.html} onChange={(e) => setF({ ...f, html: e.currentTarget.checked })} />{' '}
          the text is the page's HTML
        </label>
      </div>
      <div class="field-row">
        <div class="field">
          <label for="article-url">URL</label>
          <input id="article-url" name="url" type="url" value={f.url} onInput={set('url')} placeholder="https://…" />
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
        Read it
      </button>{' '}
      <button type="button" onClick={onCancel}>
        Cancel (Esc)
      </button>
    </form>
  );
}
