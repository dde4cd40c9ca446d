import {
  badInput,
  erasePerson,
  exportPersonalData,
  findDuplicates,
  mergeableCompanyFields,
  mergeableCustomerFields,
  mergeCompanies,
  mergeCustomers,
  type MergeReport,
} from '@crm/core';
import { brandWithType } from '@pothos/core';
import { type Builder, MAX_PAGE_SIZE } from '../builder.js';
import { callerOf } from '../caller.js';
import { globalId, rowId } from '../ids.js';

/**
 * Duplicates, merges and personal data (docs/data.md): `duplicates`, `mergeCustomers`, `mergeCompanies`,
 * `exportPersonalData`, `erasePerson`, and `mergedFrom` on the records that absorbed others.
 */
export function registerDataOperations(builder: Builder) {
  const DuplicateObject = builder.enumType('DuplicateObject', { values: ['CUSTOMER', 'COMPANY'] as const });
  const DuplicateReason = builder.enumType('DuplicateReason', {
    values: {
      EMAIL: { description: 'The same email once normalised (lower case, `+tag` removed).' },
      PHONE: { description: 'The same phone number in E.164.' },
      NAME: { description: 'Names alike (trigram similarity ≥ 0.5).' },
      COMPANY: { description: 'The same company.' },
      DOMAIN: { description: 'The same web domain (companies).' },
    } as const,
  });
  type Pair = { score: number; reasons: ('EMAIL' | 'PHONE' | 'NAME' | 'COMPANY' | 'DOMAIN')[]; nameSimilarity: number; records: unknown[] };
  const DuplicatePair = builder.objectRef<Pair>('DuplicatePair').implement({
    description: 'Two records that may be the same, with the evidence.',
    fields: (t) => ({
      score: t.exposeFloat('score', { description: '0 to 1: the evidence combined.' }),
      reasons: t.field({ type: [DuplicateReason], resolve: (pair) => pair.reasons }),
      nameSimilarity: t.exposeFloat('nameSimilarity'),
      records: t.field({ type: ['Node' as never], resolve: (pair) => pair.records as never }),
    }),
  });

  builder.queryField('duplicates', (t) =>
    t.field({
      type: [DuplicatePair],
      authScopes: { authenticated: true },
      description: 'The most likely duplicate pairs of customers or companies, best first; merge them with mergeCustomers / mergeCompanies.',
      args: { object: t.arg({ type: DuplicateObject, required: true }), first: t.arg.int({ defaultValue: 20 }) },
      resolve: async (_root, args, context) => {
        const first = args.first ?? 20;
        if (first < 1 || first > MAX_PAGE_SIZE) throw badInput(`first: 1 to ${MAX_PAGE_SIZE}`, 'first');
        const { db, session } = callerOf(context);
        const object = args.object === 'CUSTOMER' ? 'customer' : 'company';
        const pairs = await findDuplicates(db, session.workspaceId, object, first);
        const ids = [...new Set(pairs.flatMap((pair) => pair.ids))];
        const typename = object === 'customer' ? 'Customer' : 'Company';
        const rows: { id: string }[] = object === 'customer'
          ? await db.customer.findMany({ where: { id: { in: ids } } })
          : await db.company.findMany({ where: { id: { in: ids } } });
        const byId = new Map(rows.map((row) => [row.id, row]));
        for (const row of rows) brandWithType(row, typename as never);
        return pairs.map((pair) => ({ ...pair, records: pair.ids.map((id) => byId.get(id)) }));
      },
    }),
  );

  const MergeMove = builder.objectRef<{ kind: string; count: number }>('MergeMove').implement({
    fields: (t) => ({ kind: t.exposeString('kind', { description: 'activities, orders, … or `<plugin>.<table>`.' }), count: t.exposeInt('count') }),
  });
  const mergeFieldsInput = (name: string, fields: readonly string[]) =>
    builder.inputType(name, {
      description: 'For each field, the record (kept or merged) whose value the survivor takes; the kept one’s otherwise.',
      fields: (t) => Object.fromEntries(fields.map((field) => [field, t.id()])),
    });

  const mergeMutation = <Row extends { id: string }>(config: {
    name: 'mergeCustomers' | 'mergeCompanies';
    typename: 'Customer' | 'Company';
    field: 'customer' | 'company';
    fields: readonly string[];
    run: typeof mergeCustomers | typeof mergeCompanies;
  }) => {
    const Fields = mergeFieldsInput(`Merge${config.typename}Fields`, config.fields);
    const Input = builder.inputType(`${config.name[0]!.toUpperCase()}${config.name.slice(1)}Input`, {
      fields: (t) => ({
        keep: t.id({ required: true, description: 'The record that stays.' }),
        merge: t.idList({ required: true, description: 'The duplicates merged into it (they are deleted; their ids resolve to it).' }),
        fields: t.field({ type: Fields }),
        dryRun: t.boolean({ description: 'Report what would move, change nothing.' }),
      }),
    });
    const Payload = builder.objectRef<MergeReport<Row>>(`${config.name[0]!.toUpperCase()}${config.name.slice(1)}Payload`).implement({
      fields: (t) => ({
        [config.field]: t.field({ type: config.typename as never, description: 'The survivor (as it would be, for a dry run).', resolve: (report) => report.survivor as never }),
        mergedIds: t.idList({ resolve: (report) => report.mergedIds.map((id) => globalId(config.typename, id)) }),
        moved: t.field({ type: [MergeMove], resolve: (report) => Object.entries(report.moved).map(([kind, count]) => ({ kind, count })) }),
        changes: t.field({ type: 'JSON', description: 'The survivor’s fields that change: `{ name: { from, to } }`.', resolve: (report) => report.changes }),
        dryRun: t.exposeBoolean('dryRun'),
      }),
    });
    builder.mutationField(config.name, (t) =>
      t.field({
        type: Payload,
        description: `Merges duplicate ${config.field === 'customer' ? 'customers' : 'companies'} into one, in one transaction (docs/data.md).`,
        args: { input: t.arg({ type: Input, required: true }) },
        resolve: async (_root, { input }, ctx) => {
          const fields = Object.fromEntries(
            Object.entries(input.fields ?? {})
              .filter(([, from]) => from != null)
              .map(([field, from]) => [field, rowId(from as string, config.typename, `fields.${field}`)]),
          );
          const report = await config.run(callerOf(ctx), {
            keep: rowId(input.keep, config.typename, 'keep'),
            merge: input.merge.map((id, index) => rowId(id, config.typename, `merge.${index}`)),
            fields,
            dryRun: input.dryRun,
          });
          return report as unknown as MergeReport<Row>;
        },
      }),
    );
  };
  mergeMutation({ name: 'mergeCustomers', typename: 'Customer', field: 'customer', fields: mergeableCustomerFields, run: mergeCustomers });
  mergeMutation({ name: 'mergeCompanies', typename: 'Company', field: 'company', fields: mergeableCompanyFields, run: mergeCompanies });

  for (const typename of ['Customer', 'Company'] as const) {
    builder.prismaObjectField(typename, 'mergedFrom', (t) =>
      t.idList({
        select: { id: true },
        description: 'Ids of the duplicates merged into this record (they resolve to it through `node`).',
        resolve: async (record, _args, context) => {
          const merges = await callerOf(context).db.recordMerge.findMany({ where: { survivorId: record.id }, orderBy: { mergedAt: 'asc' }, select: { mergedId: true } });
          return merges.map((merge) => globalId(typename, merge.mergedId));
        },
      }),
    );
  }

  const PersonInput = (name: string) => builder.inputType(name, { fields: (t) => ({ customerId: t.id({ required: true }) }) });
  const ExportInput = PersonInput('ExportPersonalDataInput');
  const EraseInput = PersonInput('ErasePersonInput');
  const ExportPayload = builder.objectRef<{ document: unknown }>('ExportPersonalDataPayload').implement({
    fields: (t) => ({ document: t.field({ type: 'JSON', description: 'Everything held about the person, core and plugins.', resolve: (p) => p.document }) }),
  });
  const ErasePayload = builder.objectRef<{ id: string; removed: Record<string, number> }>('ErasePersonPayload').implement({
    fields: (t) => ({
      erasedCustomerId: t.id({ resolve: (p) => p.id }),
      removed: t.field({ type: 'JSON', description: 'Counts of what went, by kind.', resolve: (p) => p.removed }),
    }),
  });
  builder.mutationFields((t) => ({
    exportPersonalData: t.field({
      type: ExportPayload,
      description: 'Everything held about a person (a customer, trashed or not) as one JSON document; the export is recorded.',
      args: { input: t.arg({ type: ExportInput, required: true }) },
      resolve: async (_root, { input }, ctx) => ({
        document: JSON.parse(JSON.stringify(await exportPersonalData(callerOf(ctx), { customerId: rowId(input.customerId, 'Customer', 'customerId') }), jsonValue)) as unknown,
      }),
    }),
    erasePerson: t.field({
      type: ErasePayload,
      authScopes: { admin: true },
      description: 'Removes a person and scrubs their personal data from everywhere it lingers (ADMIN; docs/data.md).',
      args: { input: t.arg({ type: EraseInput, required: true }) },
      resolve: async (_root, { input }, ctx) => {
        const id = rowId(input.customerId, 'Customer', 'customerId');
        return { id: globalId('Customer', id), removed: await erasePerson(callerOf(ctx), { customerId: id }) };
      },
    }),
  }));
}

/** JSON for the export: bigints as strings (Decimal and Date serialise themselves). */
function jsonValue(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
