// One candidate: its sentence with the organizations and the trigger marked, and what it
// proposes — type, organizations, topics, factuality, date, confidence — with its review state.
import { href } from '../lib/route.js';
import { useLoad } from '../lib/use-load.js';
import { getArticle, highlight, sentenceOf } from '../lib/review.js';

function Sentence({ text, rationale }) {
  return (
    <blockquote class="sentence">
      {highlight(text, rationale.mentions, rationale.trigger).map((part) =>
        part.kind ? <mark class={part.kind}>{part.text}</mark> : part.text,
      )}
    </blockquote>
  );
}

export function CandidateCard({ candidate }) {
  const { event, rationale } = candidate;
  const data = event.data || {};
  const evidence = data.evidence || {};
  const article = useLoad((signal) => getArticle(candidate.article_id, signal), [candidate.article_id]);
  const text =
    evidence.quote || sentenceOf(article.data?.article.text, rationale.trigger) || rationale.trigger;
  const orgs = data.organizations || [data.organization, data.counterpart].filter(Boolean);
  const title = article.data?.article.title || evidence.title;
  return (
    <article class="candidate" data-id={candidate.id} data-state={candidate.state}>
      <div class="fact-head">
        <strong class="type">{event.type}</strong>
        <span class={`badge state-${candidate.state}`}>{candidate.state}</span>
        <span class="seq">confidence {Math.round(candidate.confidence * 100)}%</span>
      </div>
      <Sentence text={text} rationale={rationale} />
      <dl class="proposal">
        <dt>Organizations</dt>
        <dd>{orgs.join(' – ') || '—'}</dd>
        <dt>Topics</dt>
        <dd>{(data.topics || []).join(', ') || 'general'}</dd>
        <dt>Factuality</dt>
        <dd class="factuality">{data.factuality || 'asserted'}</dd>
        <dt>Date</dt>
        <dd>
          <time>{event.time}</time>
        </dd>
        <dt>Rule</dt>
        <dd>
          {rationale.rule}
          {rationale.cues?.length ? ` · cues: ${rationale.cues.join(', ')}` : ''}
        </dd>
        {candidate.decision?.reason && (
          <>
            <dt>Reason</dt>
            <dd class="reason-text">{candidate.decision.reason}</dd>
          </>
        )}
      </dl>
      <p class="source">
        From{' '}
        <a href={href('review', [], { article: candidate.article_id, state: 'all' })}>
          {title || `article ${candidate.article_id.slice(0, 8)}`}
        </a>
        {evidence.url && (
          <>
            {' '}
            · <span>{evidence.url}</span>
          </>
        )}
      </p>
    </article>
  );
}
