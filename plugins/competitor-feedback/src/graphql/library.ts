// The competitor library over GraphQL: create, update, list, one by id.
import { type Builder, customFieldsInput, type Models, rowId } from '@crm/plugin-sdk';
import { createCompetitor, updateCompetitor } from '../library.js';
import type { CompetitorToolkit, CompetitorTypes } from './types.js';

export function registerCompetitorLibrary(builder: Builder, plugin: CompetitorToolkit, types: CompetitorTypes) {
  const Payload = builder.objectRef<{ competitor: Models.Competitor }>('CompetitorPayload').implement({
    fields: (t) => ({ competitor: t.field({ type: types.competitor, resolve: (p) => p.competitor }) }),
  });
  const fields = builder.inputType('CompetitorFields', {
    description: 'Shared by create and update (update: fields left out stay, null clears).',
    fields: (f) => ({
      name: f.string({ required: false }),
      website: f.string({ required: false }),
      aliases: f.stringList({ required: false }),
      strengths: f.string({ required: false }),
      weaknesses: f.string({ required: false }),
      // The workspace's custom fields of Competitor (absent while it defines none).
      ...customFieldsInput(builder, f, 'Competitor'),
    }),
  });

  builder.mutationField('createCompetitor', (t) =>
    t.field({
      type: Payload,
      description: 'Adds a competitor to the library. CONFLICT when the name is taken (case-insensitive).',
      args: { input: t.arg({ type: fields, required: true }) },
      resolve: (_root, { input }, context) => plugin.run(context, 'write', async (scope) => ({ competitor: await createCompetitor(scope, input) })),
    }),
  );

  builder.mutationField('updateCompetitor', (t) =>
    t.field({
      type: Payload,
      description: 'Changes a competitor: fields left out stay as they are, null clears an optional one.',
      args: { id: t.arg.id({ required: true }), input: t.arg({ type: fields, required: true }) },
      resolve: (_root, args, context) =>
        plugin.run(context, 'write', async (scope) => ({ competitor: await updateCompetitor(scope, rowId(args.id, 'Competitor', 'id'), args.input) })),
    }),
  );
}
