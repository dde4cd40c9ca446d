import type { CrmEvent } from '@crm/client';
import { useState } from 'react';
import { formatTime } from '../data/format.js';
import { useEventStream } from '../data/hooks.js';
import { hrefOf } from '../router.js';
import { Empty } from './States.js';

const SHOWN = 25;

function describe(event: CrmEvent): string {
  const subject = event.subject;
  if (subject && 'name' in subject && subject.name) return subject.name;
  if (subject && 'title' in subject && subject.title) return subject.title;
  if (subject && 'subject' in subject && subject.subject) return subject.subject;
  const payload = event.payload as { name?: string; title?: string } | null;
  return payload?.name ?? payload?.title ?? event.subjectType;
}

/** The workspace's events as they happen (newest first). */
export function EventFeed() {
  const [events, setEvents] = useState<CrmEvent[]>([]);
  useEventStream({}, (event) => setEvents((previous) => [event, ...previous].slice(0, SHOWN)));
  return (
    <section aria-labelledby="feed-title" className="card feed">
      <h2 id="feed-title">Live events</h2>
      {events.length === 0 ? (
        <Empty>Waiting for changes: anything created or changed in this workspace appears here at once.</Empty>
      ) : (
        <ol aria-live="polite" data-testid="event-feed">
          {events.map((event) => (
            <li key={event.id}>
              <time dateTime={event.occurredAt}>{formatTime(event.occurredAt)}</time>
              <span className="event-type">{event.type}</span>
              {event.subject?.__typename === 'Customer' ? (
                <a href={hrefOf({ page: 'customer', id: event.subject.id })}>{describe(event)}</a>
              ) : (
                <span>{describe(event)}</span>
              )}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
