// A declared object's Prisma delegate in the caller's client (workspace-scoped, narrowed to the key's own rows where
// its role says so), typed loosely: the model is chosen at run time.
import { callerOf } from '../caller.js';
import type { GraphContext } from '../context.js';

/** What the resolvers ask of a model's delegate. */
export interface ModelDelegate {
  findMany(args: object): Promise<unknown[]>;
  findFirst(args: object): Promise<unknown>;
  findUnique(args: object): Promise<unknown>;
  count(args: object): Promise<number>;
}

/** The delegate of `model` (`Customer` → `customer`) in the caller's client; undefined for a model it does not have. */
export const delegateOf = (ctx: GraphContext, model: string): ModelDelegate | undefined =>
  (callerOf(ctx).db as unknown as Record<string, ModelDelegate | undefined>)[model.charAt(0).toLowerCase() + model.slice(1)];
