import {
  convertLead,
  createDeal,
  createPipeline,
  moveDeal,
  renamePipeline,
  updateDeal,
  updateStage,
  type ConvertedLead,
} from '@crm/core';
import type { Builder, SchemaTypes } from '../builder.js';
import { callerOf } from '../caller.js';
import { globalId, optionalRowId, rowId } from '../ids.js';
import { payloadObject, payloadType } from '../payload.js';
import type { Enums } from './enums.js';
import { updatePrecondition } from '../update-precondition.js';

type InputFields = PothosSchemaTypes.InputFieldBuilder<PothosSchemaTypes.ExtendDefaultTypes<SchemaTypes>, 'InputObject'>;

/** References a new deal may carry, decoded from global ids; `prefix` keeps error fields pointing at the input. */
function decodeDealRefs(
  input: { pipelineId?: string | null; stageId?: string | null; ownerId?: string | null; companyId?: string | null },
  prefix = '',
) {
  return {
    pipelineId: optionalRowId(input.pipelineId, 'Pipeline', `${prefix}pipelineId`),
    stageId: optionalRowId(input.stageId, 'Stage', `${prefix}stageId`),
    ownerId: optionalRowId(input.ownerId, 'User', `${prefix}ownerId`),
    companyId: optionalRowId(input.companyId, 'Company', `${prefix}companyId`),
  };
}

/** Deal, pipeline and lead-conversion mutations. */
export function registerSalesMutations(builder: Builder, enums: Enums) {
  const newDealFields = (t: InputFields) => ({
    title: t.string({ required: true }),
    amount: t.field({ type: 'Decimal', description: 'Defaults to "0.00".' }),
    currency: t.string({ description: 'ISO 4217 code; defaults to "USD".' }),
    pipelineId: t.id({ description: 'Defaults to the workspace’s default pipeline.' }),
    stageId: t.id({ description: 'Must be a stage of the pipeline; defaults to its first stage.' }),
    expectedCloseAt: t.field({ type: 'DateTime' }),
    ownerId: t.id(),
    companyId: t.id({ description: 'Defaults to the customer’s company; null for none.' }),
  });

  const CreateDealInput = builder.inputType('CreateDealInput', {
    description: 'A deal created in a won or lost stage is closed at once (status WON or LOST).',
    fields: (t) => ({
      customerId: t.id({ required: true }),
      ...newDealFields(t),
      lostReason: t.string({ description: 'Only for a deal created in a lost stage.' }),
    }),
  });
  const UpdateDealInput = builder.inputType('UpdateDealInput', {
    description: 'Fields left out stay as they are; null clears an optional field. The stage changes only through moveDeal.',
    fields: (t) => ({
      id: t.id({ required: true }),
      title: t.string(),
      amount: t.field({ type: 'Decimal' }),
      currency: t.string(),
      expectedCloseAt: t.field({ type: 'DateTime' }),
      ownerId: t.id(),
      companyId: t.id(),
      ...updatePrecondition(t),
    }),
  });
  const MoveDealInput = builder.inputType('MoveDealInput', {
    fields: (t) => ({
      id: t.id({ required: true }),
      stageId: t.id({ required: true, description: 'A stage of the deal’s pipeline.' }),
      lostReason: t.string({ description: 'Required when the stage is a lost stage, refused otherwise.' }),
      ...updatePrecondition(t),
    }),
  });

  const PipelineStageInput = builder.inputType('PipelineStageInput', {
    fields: (t) => ({
      name: t.string({ required: true }),
      probability: t.int({ required: true, description: 'Win probability in percent, 0-100.' }),
      isWon: t.boolean({ defaultValue: false }),
      isLost: t.boolean({ defaultValue: false }),
    }),
  });
  const CreatePipelineInput = builder.inputType('CreatePipelineInput', {
    description: 'At least 2 stages with unique names, exactly one won and one lost stage; their order is the pipeline’s.',
    fields: (t) => ({
      name: t.string({ required: true }),
      stages: t.field({ type: [PipelineStageInput], required: true }),
    }),
  });
  const RenamePipelineInput = builder.inputType('RenamePipelineInput', {
    fields: (t) => ({ id: t.id({ required: true }), name: t.string({ required: true }) }),
  });
  const UpdateStageInput = builder.inputType('UpdateStageInput', {
    description: 'Renames a stage or changes its win probability; fields left out stay as they are.',
    fields: (t) => ({ id: t.id({ required: true }), name: t.string(), probability: t.int() }),
  });

  const ConvertLeadDealInput = builder.inputType('ConvertLeadDealInput', {
    description: 'A deal to open for the converted customer; same defaults as createDeal.',
    fields: (t) => newDealFields(t),
  });
  const ConvertLeadInput = builder.inputType('ConvertLeadInput', {
    fields: (t) => ({
      customerId: t.id({ required: true, description: 'A PROSPECT or LEAD.' }),
      toStage: t.field({ type: enums.LifecycleStage, description: 'LEAD (qualify) or CUSTOMER (convert, the default).' }),
      deal: t.field({ type: ConvertLeadDealInput, description: 'Opens a deal in the same transaction.' }),
    }),
  });

  const CreateDealPayload = payloadType(builder, 'CreateDealPayload', 'deal', 'Deal');
  const UpdateDealPayload = payloadType(builder, 'UpdateDealPayload', 'deal', 'Deal');
  const MoveDealPayload = payloadType(builder, 'MoveDealPayload', 'deal', 'Deal');
  const CreatePipelinePayload = payloadType(builder, 'CreatePipelinePayload', 'pipeline', 'Pipeline');
  const RenamePipelinePayload = payloadType(builder, 'RenamePipelinePayload', 'pipeline', 'Pipeline');
  const UpdateStagePayload = payloadType(builder, 'UpdateStagePayload', 'stage', 'Stage');
  const ConvertLeadPayload = payloadObject<ConvertedLead>(builder, 'ConvertLeadPayload', {
    customer: { type: 'Customer' },
    deal: { type: 'Deal', nullable: true, description: 'The deal opened with the conversion, if one was asked for.' },
  });

  builder.mutationFields((t) => ({
    createDeal: t.field({
      type: CreateDealPayload,
      args: { input: t.arg({ type: CreateDealInput, required: true }) },
      resolve: async (_root, { input }, ctx) => ({
        deal: await createDeal(callerOf(ctx), { ...input, customerId: rowId(input.customerId, 'Customer', 'customerId'), ...decodeDealRefs(input) }),
      }),
    }),
    updateDeal: t.field({
      type: UpdateDealPayload,
      args: { input: t.arg({ type: UpdateDealInput, required: true }) },
      resolve: async (_root, { input }, ctx) => ({
        deal: await updateDeal(callerOf(ctx), {
          ...input,
          id: rowId(input.id, 'Deal', 'id'),
          ownerId: optionalRowId(input.ownerId, 'User', 'ownerId'),
          companyId: optionalRowId(input.companyId, 'Company', 'companyId'),
        }),
      }),
    }),
    moveDeal: t.field({
      type: MoveDealPayload,
      args: { input: t.arg({ type: MoveDealInput, required: true }) },
      resolve: async (_root, { input }, ctx) => ({
        deal: await moveDeal(callerOf(ctx), { ...input, id: rowId(input.id, 'Deal', 'id'), stageId: rowId(input.stageId, 'Stage', 'stageId') }),
      }),
    }),
    createPipeline: t.field({
      type: CreatePipelinePayload,
      args: { input: t.arg({ type: CreatePipelineInput, required: true }) },
      resolve: async (_root, { input }, ctx) => ({ pipeline: await createPipeline(callerOf(ctx), input) }),
    }),
    renamePipeline: t.field({
      type: RenamePipelinePayload,
      args: { input: t.arg({ type: RenamePipelineInput, required: true }) },
      resolve: async (_root, { input }, ctx) => ({
        pipeline: await renamePipeline(callerOf(ctx), { ...input, id: rowId(input.id, 'Pipeline', 'id') }),
      }),
    }),
    updateStage: t.field({
      type: UpdateStagePayload,
      args: { input: t.arg({ type: UpdateStageInput, required: true }) },
      resolve: async (_root, { input }, ctx) => ({
        stage: await updateStage(callerOf(ctx), { ...input, id: rowId(input.id, 'Stage', 'id') }),
      }),
    }),
    convertLead: t.field({
      type: ConvertLeadPayload,
      args: { input: t.arg({ type: ConvertLeadInput, required: true }) },
      resolve: (_root, { input }, ctx) =>
        convertLead(callerOf(ctx), {
          customerId: rowId(input.customerId, 'Customer', 'customerId'),
          toStage: input.toStage,
          deal: input.deal ? { ...input.deal, ...decodeDealRefs(input.deal, 'deal.') } : input.deal,
        }),
    }),
  }));
}
