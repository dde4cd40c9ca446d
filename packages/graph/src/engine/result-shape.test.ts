import { describe, expect, it } from 'vitest';
import { applyShape, cursorOf, globalIdOf, instant, leaf, type ResultShape, tupleKinds, tupleWidth, within } from './result-shape.js';

describe('the engine answer’s formats', () => {
  it('formats instants whatever zone PostgreSQL wrote them in, as the DateTime scalar does', () => {
    const utc = '2025-03-01T12:34:56.789Z';
    for (const raw of ['2025-03-01T12:34:56.789+00:00', '2025-03-01T18:04:56.789+05:30', '2025-03-01T07:34:56.789-05', '2025-03-01T12:34:56.789'])
      expect(instant(raw)).toBe(utc);
    expect(instant('2025-03-01T12:34:56+00:00')).toBe('2025-03-01T12:34:56.000Z');
    expect(instant(null)).toBeNull();
  });

  it('encodes ids and cursors as Relay and Pothos do (base64 without line breaks, whatever the length)', () => {
    const id = '0192d1a4-7c2e-7a41-9a3e-2f9b8c1d0e5f';
    expect(globalIdOf('Customer')(id)).toBe(Buffer.from(`Customer:${id}`).toString('base64'));
    expect(globalIdOf('LoyaltyRewardRedemptionWithALongName')(id)).not.toContain('\n');
    expect(cursorOf(id)).toBe(Buffer.from(`GPC:S:${id}`).toString('base64'));
  });

  it('applies formats along response keys; lists take their elements’ shape; absent keys are left alone', () => {
    const context = { shape: {} as ResultShape };
    within(context, 'list', () => {
      within(context, 'edges', () => {
        context.shape.list = true;
        within(context, 'cursor', () => (context.shape.format = cursorOf));
      });
      within(context, 'pageInfo', () => within(context, 'missing', () => (context.shape.format = instant)));
    });
    within(context, 'plain', () => 'no format: not recorded');
    const data = applyShape({ list: { edges: [{ cursor: 'a' }, { cursor: null }], pageInfo: {} }, plain: 1 }, context.shape);
    expect(data).toEqual({ list: { edges: [{ cursor: cursorOf('a') }, { cursor: null }], pageInfo: {} }, plain: 1 });
    expect(context.shape.fields?.has('plain')).toBe(false);
  });

  it('names tuples by their keys, in lists and nested, and leaves a null object null', () => {
    const context = { shape: {} as ResultShape };
    within(context, 'customers', () => {
      context.shape.list = true;
      context.shape.keys = ['id', 'tags', 'company'];
      within(context, 'id', () => (context.shape.format = globalIdOf('Customer')));
      within(context, 'company', () => (context.shape.keys = ['name']));
    });
    const data = applyShape({ customers: [['u1', ['a', 'b'], ['Acme']], ['u2', [], null]] }, context.shape);
    expect(data).toEqual({
      customers: [
        { id: globalIdOf('Customer')('u1'), tags: ['a', 'b'], company: { name: 'Acme' } },
        { id: globalIdOf('Customer')('u2'), tags: [], company: null },
      ],
    });
  });

  it('reads a spread object’s values in place in the tuple holding it, nested spreads and values after them included', () => {
    const context = { shape: {} as ResultShape };
    // A page of edges { cursor node { id activities { edges { node { subject } } } name } }, each edge one tuple.
    within(context, 'edges', () => {
      context.shape.list = true;
      context.shape.keys = ['cursor', 'node'];
      within(context, 'cursor', () => (context.shape.format = cursorOf));
      within(context, 'node', () => {
        context.shape.spread = true;
        context.shape.keys = ['id', 'activities', 'name'];
        within(context, 'activities', () => {
          context.shape.spread = true;
          context.shape.keys = ['edges'];
          within(context, 'edges', () => {
            context.shape.list = true;
            context.shape.keys = ['node'];
            within(context, 'node', () => {
              context.shape.spread = true;
              context.shape.keys = ['subject'];
            });
          });
        });
      });
    });
    // The row's id rides along after the tuple's values (a page's cursors): ignored here.
    const data = applyShape({ edges: [['u1', 'u1', [['Call'], ['Visit']], 'Ada', 'u1'], ['u2', 'u2', [], 'Bo', 'u2']] }, context.shape);
    expect(data).toEqual({
      edges: [
        { cursor: cursorOf('u1'), node: { id: 'u1', activities: { edges: [{ node: { subject: 'Call' } }, { node: { subject: 'Visit' } }] }, name: 'Ada' } },
        { cursor: cursorOf('u2'), node: { id: 'u2', activities: { edges: [] }, name: 'Bo' } },
      ],
    });
  });

  it('reads an absent link (a spread with its presence first) as null and the values after it in place; knows each value’s kind', () => {
    const context = { shape: {} as ResultShape };
    // edges { node { name company { name owner { name } } tags } }: company and its owner joined links, spread.
    within(context, 'edges', () => {
      context.shape.list = true;
      context.shape.keys = ['node'];
      within(context, 'node', () => {
        context.shape.spread = true;
        context.shape.keys = ['name', 'company', 'tags'];
        within(context, 'name', () => leaf(context, 'text', 'x'));
        within(context, 'company', () => {
          context.shape.spread = true;
          context.shape.present = true;
          context.shape.keys = ['name', 'owner'];
          within(context, 'owner', () => {
            context.shape.spread = true;
            context.shape.present = true;
            context.shape.keys = ['name'];
          });
        });
        within(context, 'tags', () => leaf(context, 'array', 'x'));
      });
    });
    const edge = context.shape.fields!.get('edges')!;
    expect(tupleWidth(edge)).toBe(6);
    expect(tupleKinds(edge)).toEqual(['text', 'text', 'json', 'text', 'json', 'array']);
    const data = applyShape(
      { edges: [['Ada', 'c1', 'Acme', 'u1', 'Bo', ['vip']], ['Cy', null, null, null, null, []], ['Di', 'c2', 'Initech', null, null, ['b2b']]] },
      context.shape,
    );
    expect(data).toEqual({
      edges: [
        { node: { name: 'Ada', company: { name: 'Acme', owner: { name: 'Bo' } }, tags: ['vip'] } },
        { node: { name: 'Cy', company: null, tags: [] } },
        { node: { name: 'Di', company: { name: 'Initech', owner: null }, tags: ['b2b'] } },
      ],
    });
  });
});
