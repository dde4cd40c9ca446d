// The competitor library over GraphQL: create, update, list, one by id.
import { type Builder, type Models, notFound, parseInput, rowId } from '@crm/plugin-sdk';
import { assertNameFree, createCompetitorInput, nameKey, updateCompetitorInput } from '../library.js';
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
    }),
  });

  builder.mutationField('createCompetitor', (t) =>
    t.field({
      type: Payload,
      description: 'Adds a competitor to the library. CONFLICT when the name is taken (case-insensitive).',
      args: { input: t.arg({ type: fields, required: true }) },
      resolve: (_root, { input }, context) =>
        plugin.run(context, 'write', async ({ tx, session, emit }) => {
          const data = parseInput(createCompetitorInput, input);
          const key = nameKey(data.name);
          await assertNameFree(tx, key);
          const competitor = await tx.competitor.create({
            data: {
              workspaceId: session.workspaceId,
              name: data.name,
              nameKey: key,
              website: data.website ?? null,
              aliases: data.aliases ?? [],
              strengths: data.strengths || null,
              weaknesses: data.weaknesses || null,
            },
          });
          emit('competitor.created', { type: 'Competitor', id: competitor.id }, { name: competitor.name });
          return { competitor };
        }),
    }),
  );

  builder.mutationField('updateCompetitor', (t) =>
    t.field({
      type: Payload,
      description: 'Changes a competitor: fields left out stay as they are, null clears an optional one.',
      args: { id: t.arg.id({ required: true }), input: t.arg({ type: fields, required: true }) },
      resolve: (_root, args, context) =>
        plugin.run(context, 'write', async ({ tx }) => {
          const id = rowId(args.id, 'Competitor', 'id');
          const data = parseInput(updateCompetitorInput, args.input);
          if (!(await tx.competitor.findUnique({ where: { id }, select: { id: true } }))) throw notFound('Competitor', 'id');
          const key = data.name ? nameKey(data.name) : undefined;
          if (key) await assertNameFree(tx, key, id);
          const keep = <T>(value: T | null | undefined) => (value === undefined ? undefined : value || null);
          const competitor = await tx.competitor.update({
            where: { id },
            data: {
              ...(data.name ? { name: data.name, nameKey: key } : {}),
              website: keep(data.website),
              ...(data.aliases !== undefined ? { aliases: data.aliases ?? [] } : {}),
              strengths: keep(data.strengths),
              weaknesses: keep(data.weaknesses),
            },
          });
          return { competitor };
        }),
    }),
  );
}
