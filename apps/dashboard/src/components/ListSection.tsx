import type { ReactNode } from 'react';
import { Empty } from './States.js';

/** A titled card listing rows of a few cells (orders, deals, tickets, tasks), or what to do when there are none. */
export function ListSection<Item extends { id: string }>(props: {
  id: string;
  title: string;
  total: number;
  items: Item[];
  empty: ReactNode;
  cells: (item: Item) => ReactNode[];
}) {
  return (
    <section className="card" aria-labelledby={`${props.id}-title`} data-testid={props.id}>
      <h2 id={`${props.id}-title`}>
        {props.title} ({props.total})
      </h2>
      {props.items.length === 0 ? (
        <Empty>{props.empty}</Empty>
      ) : (
        <ul className="rows">
          {props.items.map((item) => (
            <li key={item.id}>
              {props.cells(item).map((cell, i) => (
                <span key={i}>{cell}</span>
              ))}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
