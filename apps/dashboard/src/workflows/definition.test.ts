// Reading workflow definitions for people: the demo workspace's seeded workflows (the plugin's own documents) and a
// definition with every kind of branch.
import { demoWorkflows } from '@crm/plugin-workflows';
import { describe, expect, it } from 'vitest';
import { readDefinition, versionState } from './definition.js';

describe('readDefinition', () => {
  it("reads the seeded workflows' triggers, conditions and steps", () => {
    const [detractor, lostDeal, secondPurchase] = demoWorkflows.map((w) => readDefinition(w.definition));
    expect(detractor).toMatchObject({ trigger: 'When a SurveyResponse is created', condition: 'kind = NPS and score ≤ 6' });
    expect(detractor!.steps.map((s) => [s.id, s.kind])).toEqual([['followUp', 'createTask']]);
    expect(Object.fromEntries(detractor!.steps[0]!.settings)).toMatchObject({ dueIn: { days: 2 }, customerId: '{{trigger.record.customerId}}' });
    expect(lostDeal).toMatchObject({ trigger: 'When the event competitor.deal_lost happens (about a Competitor)' });
    expect(lostDeal!.steps.map((s) => [s.id, s.kind])).toEqual([['note', 'callAction'], ['tellMarketing', 'httpRequest']]);
    expect(secondPurchase).toMatchObject({ condition: 'customer › orderCount = 2' });
    expect(secondPurchase!.steps.map((s) => s.kind)).toEqual(['callAction', 'addTag']);
  });

  it('reads a test of one value (a webhook body, an HTTP answer)', () => {
    const read = readDefinition({
      trigger: { kind: 'webhook' },
      steps: [
        { id: 'h', kind: 'httpRequest', url: 'https://example.com' },
        { id: 'ok', kind: 'condition', if: { value: '{{steps.h.output.status}}', operator: 'gte', operand: 400 }, then: [], else: [] },
        { id: 'plan', kind: 'switch', cases: [{ name: 'known', when: { value: '{{trigger.event.payload.plan}}', operator: 'exists' }, steps: [] }], default: [] },
      ],
    });
    expect(read.steps.map((s) => s.branches[0]?.label)).toEqual([undefined, 'If {{steps.h.output.status}} ≥ 400', 'Case known: {{trigger.event.payload.plan}} exists']);
  });

  it('reads branches as a tree: if/else, switch cases, loops and a wait’s timeout', () => {
    const read = readDefinition({
      trigger: { kind: 'date', object: 'Deal', field: 'expectedCloseAt', before: { days: 3 }, at: '09:00', timeZone: 'Europe/Paris' },
      steps: [
        {
          id: 'big',
          kind: 'condition',
          if: { or: [{ amount: { gte: 1000 } }, { tags: { has: 'vip' } }] },
          then: [{ id: 'tell', kind: 'sendEmail', to: 'sales@example.com', subject: 'Big deal', text: 'Look' }],
          else: [],
        },
        { id: 'bySize', kind: 'switch', cases: [{ name: 'small', when: { amount: { lt: 100 } }, steps: [{ id: 'tagSmall', kind: 'addTag', tag: 'small' }] }], default: [] },
        { id: 'each', kind: 'forEach', items: '{{trigger.record.tags}}', max: 10, do: { id: 'log', kind: 'addTag', tag: '{{item}}' } },
        { id: 'await', kind: 'waitForEvent', eventType: 'task.completed', timeout: { days: 2, hours: 1 }, onTimeout: [{ id: 'nudge', kind: 'addTag', tag: 'late' }] },
      ],
    });
    expect(read.trigger).toBe('3 days before a Deal’s expectedCloseAt at 09:00 (Europe/Paris)');
    expect(read.steps.map((s) => s.branches.map((b) => [b.label, b.steps.map((x) => x.id)]))).toEqual([
      [
        ['If (amount ≥ 1000 or tags has vip)', ['tell']],
        ['Else', []],
      ],
      [
        ['Case small: amount < 100', ['tagSmall']],
        ['Otherwise', []],
      ],
      [['For each item of {{trigger.record.tags}}', ['log']]],
      [['If 2 days 1 hour pass first', ['nudge']]],
    ]);
    expect(read.steps[2]!.settings).toEqual([
      ['items', '{{trigger.record.tags}}'],
      ['max', 10],
    ]);
  });
});

describe('versionState', () => {
  const published = { id: 'v', number: 2, publishedAt: '2026-12-01T00:00:00.000Z', definition: { trigger: { kind: 'schedule', cron: '0 9 * * 1', timeZone: 'UTC' }, steps: [] } };
  it('calls a draft equal to the published version (which adds defaults) published, and a changed one edited', () => {
    expect(versionState({ draft: { trigger: { kind: 'schedule', cron: '0 9 * * 1' }, steps: [] }, publishedVersion: published })).toBe('Published v2');
    expect(versionState({ draft: { trigger: { kind: 'schedule', cron: '0 10 * * 1' }, steps: [] }, publishedVersion: published })).toBe('Published v2, draft edited');
    expect(versionState({ draft: {}, publishedVersion: null })).toBe('Draft only');
  });
});
