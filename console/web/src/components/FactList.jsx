// Facts of a relationship, newest first, each with its evidence: the quote, the source (a link),
// its publisher, language and the extractor's confidence.
export function FactList({ facts }) {
  if (!facts.length) return <p class="empty">None.</p>;
  const sorted = [...facts].sort((x, y) => (y.time + y.sequence).localeCompare(x.time + x.sequence));
  return (
    <ol class="facts">
      {sorted.map((f) => (
        <li data-event-id={f.id} data-factuality={f.factuality}>
          <div class="fact-head">
            <time>{f.time}</time> <code>{f.type}</code>
            {f.factuality !== 'asserted' && <span class="badge">{f.factuality}</span>}
            {f.would_reach && <span class="note"> would reach {f.would_reach}</span>}
            <span class="seq">#{f.sequence}</span>
          </div>
          {f.summary && <p>{f.summary}</p>}
          <Evidence evidence={f.evidence} />
        </li>
      ))}
    </ol>
  );
}

function Evidence({ evidence }) {
  if (!evidence) return null;
  const { quote, url, title, publisher, language, confidence, published_at: published } = evidence;
  return (
    <div class="evidence">
      {quote && <blockquote lang={language}>{quote}</blockquote>}
      <p class="source">
        {url ? (
          <a href={url} target="_blank" rel="noopener noreferrer">
            {title || url}
          </a>
        ) : (
          title
        )}
        {publisher && ` · ${publisher}`}
        {published && ` · ${published}`}
        {language && ` · ${language}`}
        {confidence !== undefined && confidence !== null && ` · confidence ${Math.round(confidence * 100)} %`}
      </p>
    </div>
  );
}
