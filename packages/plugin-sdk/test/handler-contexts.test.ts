// The context types say exactly what the host passes each handler (typed checks: `npm run typecheck` includes this
// file). Every one holds the plugin's tools (`PluginTools`, the one declaration `definePlugin`'s wrapper builds by):
// `rows`, `objects`, `actions` included, which ActionContext, HookContext and PersonalDataContext once left out though
// the host passed them. The key lists are what the host passes at run time (plugin-testing test/action-context.test.ts
// reads an action's).
import { describe, expectTypeOf, it } from 'vitest';
import type {
  ActionCaller,
  ActionContext,
  HookContext,
  JobContext,
  OwnRows,
  PersonalDataContext,
  PluginTools,
  QueueTransaction,
  SubscriberContext,
} from '../src/index.js';
import type { RecordObjects } from '../src/record-writes.js';

type S = { level: number };
type Scope = 'tx' | 'session' | 'settings' | 'emit' | 'commands' | 'sql' | 'rows' | 'objects' | 'actions';

describe('handler context types', () => {
  it('give every handler rows, objects and actions, typed', () => {
    expectTypeOf<ActionContext<S>['rows']>().toEqualTypeOf<OwnRows>();
    expectTypeOf<ActionContext<S>['objects']>().toEqualTypeOf<RecordObjects>();
    expectTypeOf<ActionContext<S>['actions']>().toEqualTypeOf<ActionCaller>();
    expectTypeOf<HookContext<S>['rows']>().toEqualTypeOf<OwnRows>();
    expectTypeOf<HookContext<S>['objects']>().toEqualTypeOf<RecordObjects>();
    expectTypeOf<HookContext<S>['actions']>().toEqualTypeOf<ActionCaller>();
    expectTypeOf<PersonalDataContext<S>['objects']>().toEqualTypeOf<RecordObjects>();
    expectTypeOf<PersonalDataContext<S>['actions']>().toEqualTypeOf<ActionCaller>();
    expectTypeOf<ActionContext<S>['settings']>().toEqualTypeOf<S>();
  });

  it('declare exactly the keys the host passes', () => {
    expectTypeOf<keyof PluginTools>().toEqualTypeOf<'emit' | 'commands' | 'sql' | 'rows' | 'objects' | 'actions'>();
    expectTypeOf<keyof HookContext<S>>().toEqualTypeOf<Scope>();
    expectTypeOf<keyof ActionContext<S>>().toEqualTypeOf<Scope | 'lock'>();
    expectTypeOf<keyof PersonalDataContext<S>>().toEqualTypeOf<Scope | 'lock'>();
    expectTypeOf<keyof SubscriberContext<S>>().toEqualTypeOf<Scope | 'attempt' | 'batch' | 'lock' | 'inChainOf'>();
    expectTypeOf<keyof JobContext<S>>().toEqualTypeOf<Scope | 'workspaceId' | 'now' | 'lock'>();
    expectTypeOf<keyof QueueTransaction<S>>().toEqualTypeOf<Scope | 'workspaceId' | 'now' | 'lock' | 'actingAs'>();
  });
});
