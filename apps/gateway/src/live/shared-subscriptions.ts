import type { Session } from '@crm/core';
import { type DocumentNode, type ExecutionResult, Kind, type OperationDefinitionNode } from 'graphql';

type SubscribeResult = AsyncIterable<ExecutionResult> | ExecutionResult;

/** A subscriber that falls this far behind the shared stream is ended rather than buffering without bound. */
const MAX_QUEUED = 10_000;

/**
 * The share key of an operation when its results are the same for everyone who runs it with the same key, else
 * null. Shared: live-only `events` subscriptions (no `after`, which replays from a position of the subscriber's own)
 * of the same API key (same workspace, role and actor), document and variables. Everything else runs on its own.
 */
export function shareKeyOf(
  session: Session,
  document: DocumentNode,
  query: string,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
): string | null {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
  if (operation?.operation !== 'subscription') return null;
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD || selection.name.value !== 'events') return null;
    for (const argument of selection.arguments ?? []) {
      if (argument.name.value !== 'after') continue;
      const value = argument.value;
      if (value.kind === Kind.VARIABLE ? variables?.[value.name.value] != null : value.kind !== Kind.NULL) return null;
    }
  }
  return JSON.stringify([session.workspaceId, session.role, session.actor, session.apiKeyId ?? null, query, operationName ?? null, variables ?? null]);
}

/**
 * Runs each shareable subscription ONCE per instance and hands every result to all its subscribers: with a
 * thousand dashboards on one API key, an event is filtered, resolved and error-masked once instead of a thousand
 * times (each socket still serialises and writes its own message).
 */
export class SharedSubscriptions {
  private readonly groups = new Map<string, SharedGroup>();

  /** Joins the group of `key`, starting it with `start` (the first subscriber's execution) when there is none. */
  async join(key: string, start: () => Promise<SubscribeResult> | SubscribeResult): Promise<SubscribeResult> {
    let group = this.groups.get(key);
    if (!group) {
      group = new SharedGroup(start, () => this.groups.get(key) === group && this.groups.delete(key));
      this.groups.set(key, group);
    }
    return group.join();
  }

  /** Shared executions running or starting (each holds one bus listener once started). */
  get executions(): number {
    return this.groups.size;
  }

  /** Subscribers receiving a shared execution's results. */
  get subscribers(): number {
    let count = 0;
    for (const group of this.groups.values()) count += group.memberCount;
    return count;
  }
}

class SharedGroup {
  private readonly members = new Set<Member>();
  private readonly started: Promise<SubscribeResult>;
  private source: AsyncIterator<ExecutionResult> | null = null;

  constructor(
    start: () => Promise<SubscribeResult> | SubscribeResult,
    private readonly forget: () => void,
  ) {
    this.started = Promise.resolve()
      .then(start)
      .then((result) => {
        if (!isAsyncIterable(result)) {
          this.forget(); // an error (or a plain result): everyone who asked gets it, nothing runs
          return result;
        }
        this.source = result[Symbol.asyncIterator]();
        void this.pump(this.source);
        return result;
      })
      .catch((error: unknown) => {
        this.forget(); // a failed start must not stay in place for later subscribers
        throw error;
      });
  }

  get memberCount(): number {
    return this.members.size;
  }

  async join(): Promise<SubscribeResult> {
    const result = await this.started;
    if (!this.source) return result;
    const member = new Member(() => this.leave(member));
    this.members.add(member);
    return member;
  }

  private leave(member: Member): void {
    this.members.delete(member);
    if (this.members.size) return;
    this.forget();
    void this.source?.return?.();
  }

  private async pump(source: AsyncIterator<ExecutionResult>): Promise<void> {
    try {
      for (;;) {
        const next = await source.next();
        if (next.done) break;
        for (const member of this.members) member.push(next.value);
      }
      for (const member of this.members) member.end();
    } catch (error) {
      for (const member of this.members) member.end(error);
    } finally {
      this.forget();
    }
  }
}

/** One subscriber's view of a shared stream: its own queue, its own end. */
class Member implements AsyncIterableIterator<ExecutionResult> {
  private readonly queue: ExecutionResult[] = [];
  private done = false;
  private failure: { error: unknown } | null = null;
  private wake: (() => void) | null = null;

  constructor(private readonly onLeave: () => void) {}

  [Symbol.asyncIterator]() {
    return this;
  }

  push(result: ExecutionResult): void {
    if (this.done) return;
    if (this.queue.length >= MAX_QUEUED) {
      this.end(new Error('Subscriber too slow: too many undelivered results'));
      this.onLeave();
      return;
    }
    this.queue.push(result);
    this.wake?.();
  }

  end(error?: unknown): void {
    if (this.done) return;
    this.done = true;
    if (error !== undefined) this.failure = { error };
    this.wake?.();
  }

  async next(): Promise<IteratorResult<ExecutionResult>> {
    while (!this.queue.length && !this.done) {
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = null;
    }
    const value = this.queue.shift();
    if (value) return { value, done: false };
    if (this.failure) {
      const { error } = this.failure;
      this.failure = null;
      throw error;
    }
    return { value: undefined, done: true };
  }

  async return(): Promise<IteratorResult<ExecutionResult>> {
    this.queue.length = 0;
    this.end();
    this.onLeave();
    return { value: undefined, done: true };
  }

  // graphql-ws ends an abandoned iterator through `throw` when it has one.
  async throw(error: unknown): Promise<IteratorResult<ExecutionResult>> {
    await this.return();
    throw error;
  }
}

function isAsyncIterable(value: unknown): value is AsyncIterable<ExecutionResult> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}
