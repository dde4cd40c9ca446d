import type { PrismaClient } from '@crm/db';
import { type IssuedApiKey, issueApiKey } from './api-keys.js';
import { fields, parseInput, z } from './validation.js';

/** Every workspace starts with this sales pipeline (win probability in percent). */
export const defaultPipelineStages = [
  { name: 'Qualification', probability: 10 },
  { name: 'Needs analysis', probability: 25 },
  { name: 'Proposal', probability: 50 },
  { name: 'Negotiation', probability: 75 },
  { name: 'Won', probability: 100, isWon: true },
  { name: 'Lost', probability: 0, isLost: true },
] as const;

export interface CreatedWorkspace {
  workspaceId: string;
  name: string;
  apiKey: string;
  apiKeyId: string;
}

const createWorkspaceInput = z.object({ name: fields.name });

/** Creates a workspace with its default sales pipeline and a first ADMIN API key, in one transaction. */
export async function createWorkspace(prisma: PrismaClient, input: { name: string }): Promise<CreatedWorkspace> {
  const { name } = parseInput(createWorkspaceInput, input);
  return prisma.$transaction(async (tx) => {
    const workspace = await tx.workspace.create({ data: { name } });
    const pipeline = await tx.pipeline.create({
      data: { workspaceId: workspace.id, name: 'Sales', isDefault: true },
    });
    await tx.stage.createMany({
      data: defaultPipelineStages.map((stage, position) => ({
        workspaceId: workspace.id,
        pipelineId: pipeline.id,
        position,
        name: stage.name,
        probability: stage.probability,
        isWon: 'isWon' in stage,
        isLost: 'isLost' in stage,
      })),
    });
    const key: IssuedApiKey = await issueApiKey(tx, { workspaceId: workspace.id, name: 'admin', role: 'ADMIN' });
    return { workspaceId: workspace.id, name: workspace.name, apiKey: key.apiKey, apiKeyId: key.id };
  });
}
