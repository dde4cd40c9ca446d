// The SDK's command surface is derived from @crm/core's exported services: every core command a plugin may run,
// typed from the service itself; access, keys, webhooks and workspaces are never offered.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { type CommandOptions, coreCommandNames, type CoreCommands, definePlugin } from '../src/index.js';

describe('core commands for plugins', () => {
  it('offers every command of the core (customers, companies, tasks, activities, deals, tickets, orders, …) and nothing of access', () => {
    expect(coreCommandNames).toEqual([
      'addSegmentMembers', 'completeTask', 'convertLead', 'createCampaign', 'createCompany', 'createCustomer', 'createDeal', 'createPipeline',
      'createProduct', 'createSegment', 'createTask', 'createTasks', 'createTicket',
      'deleteActivity', 'deleteCompany', 'deleteCustomer', 'deleteDeal', 'deleteProduct', 'deleteSegment', 'deleteTask', 'deleteTicket',
      'logActivity', 'moveDeal', 'recordCampaignResponse', 'recordOrder', 'recordSurveyResponse', 'removeSegmentMembers', 'renamePipeline',
      'restoreActivity', 'restoreCompany', 'restoreCustomer', 'restoreDeal', 'restoreProduct', 'restoreTask', 'restoreTicket',
      'updateCompany', 'updateCustomer', 'updateCustomerTags', 'updateCustomersTags', 'updateDeal', 'updateProduct', 'updateSegment', 'updateSegmentMemberships', 'updateStage',
      'updateTask', 'updateTicket',
    ]);
  });

  it('types each command from its core service: the same input, the same result', () => {
    expectTypeOf<Parameters<CoreCommands['createTask']>[0]>().toHaveProperty('title');
    expectTypeOf<Awaited<ReturnType<CoreCommands['moveDeal']>>>().toHaveProperty('stageId');
    // The per-item forms answer each item: its record, or the error its single command would have thrown.
    expectTypeOf<Parameters<CoreCommands['updateCustomersTags']>[0]['items'][number]>().toHaveProperty('actor');
    // A STATIC segment's members, for one segment (all or none) and item by item (a workflow's grouped steps).
    expectTypeOf<Parameters<CoreCommands['addSegmentMembers']>[0]>().toEqualTypeOf<import('@crm/core').SegmentMembersInput>();
    expectTypeOf<Awaited<ReturnType<CoreCommands['removeSegmentMembers']>>>().toHaveProperty('unchanged');
    expectTypeOf<Awaited<ReturnType<CoreCommands['updateSegmentMemberships']>>[number]>().toEqualTypeOf<{ value: import('@crm/core').SegmentMembership } | { error: import('@crm/core').CrmError }>();
    expectTypeOf<Awaited<ReturnType<CoreCommands['createTasks']>>[number]>().toEqualTypeOf<{ value: import('@crm/db').Task } | { error: import('@crm/core').CrmError }>();
    expectTypeOf<CoreCommands>().not.toHaveProperty('createApiKey');
    expectTypeOf<CoreCommands>().not.toHaveProperty('updateApiKey');
    expectTypeOf<CoreCommands>().not.toHaveProperty('createWebhook');
    expectTypeOf<CoreCommands>().not.toHaveProperty('createWorkspace');
    expectTypeOf<CoreCommands>().not.toHaveProperty('createRole');
    expectTypeOf<CoreCommands>().not.toHaveProperty('deleteCustomField');
    expectTypeOf<CoreCommands>().not.toHaveProperty('deleteCustomObject');
    expectTypeOf<CoreCommands>().not.toHaveProperty('createCustomRecord');
    // The trash: delete and restore, never destroy.
    expectTypeOf<Parameters<CoreCommands['deleteCustomer']>[0]>().toEqualTypeOf<{ id: string; reason?: string | null }>();
    expectTypeOf<Awaited<ReturnType<CoreCommands['restoreDeal']>>>().toHaveProperty('deletedAt');
    expectTypeOf<CoreCommands>().not.toHaveProperty('destroyCustomer');
    // Each may act as a role (`{ as }`: a workflow step as its publisher), the trash's too.
    expectTypeOf<Parameters<CoreCommands['createTask']>[1]>().toEqualTypeOf<CommandOptions | undefined>();
    expectTypeOf<Parameters<CoreCommands['deleteCustomer']>[1]>().toEqualTypeOf<CommandOptions | undefined>();
  });
});

describe('emit', () => {
  it("takes only the plugin's own event types (a core one does not type-check; the host refuses it at run time)", () => {
    const plugin = definePlugin({
      id: 'typed-emit',
      version: '1.0.0',
      hooks: {
        'customer.created': {
          posing: async (event, { emit }) => {
            // @ts-expect-error a core event type is not the plugin's to emit
            emit('customer.deleted', { type: 'Customer', id: event.subjectId }, { name: 'x' });
          },
        },
      },
    });
    expect(plugin.problems).toEqual([]);
  });
});
