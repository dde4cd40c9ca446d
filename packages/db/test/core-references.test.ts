// The foreign keys `crm plugin migration` derives from a plugin's fragment: its `<coreModel>Id` columns, or the model
// a `/// @references(Model)` line names, only for the columns the migration creates.
import { describe, expect, it } from 'vitest';
import { coreForeignKeys, coreReferences } from '../src/migrations/core-references.js';
import { coreSchemaFiles } from '../src/migrations/dev-tool.js';

const fragment = `
model SurveyAnswer {
  id          String  @id @default(uuid(7)) @db.Uuid
  workspaceId String  @db.Uuid
  customerId  String  @db.Uuid
  dealId      String? @db.Uuid
  /// The team member who followed up.
  /// @references(User)
  ownerId     String? @db.Uuid
  /// @references(none)
  ticketId    String? @db.Uuid
  externalId  String?
  surveyId    String  @db.Uuid
  survey      Survey  @relation(fields: [surveyId], references: [id], onDelete: Cascade)
  score       Int
  @@map("survey_answers")
}

model Survey {
  id          String @id @db.Uuid
  workspaceId String @db.Uuid
  answers     SurveyAnswer[]
}
`;

const files = [{ path: 'survey.prisma', content: fragment }];

describe('references to core rows', () => {
  it('follows the naming convention and @references, leaves the plugin’s own relations to the engine, and names what it cannot map', () => {
    const { references, unresolved } = coreReferences(coreSchemaFiles(), files);
    expect(references.map((r) => `${r.table}.${r.column} -> ${r.targetTable} ${r.optional ? 'optional' : 'required'}`)).toEqual([
      'survey_answers.workspaceId -> Workspace required',
      'survey_answers.customerId -> Customer required',
      'survey_answers.dealId -> Deal optional',
      'survey_answers.ownerId -> User optional',
      'Survey.workspaceId -> Workspace required',
    ]);
    expect(unresolved).toEqual(['SurveyAnswer.externalId']);
  });

  it('writes keys only for the columns the migration creates: cascade when required, set null when optional', () => {
    const { references } = coreReferences(coreSchemaFiles(), files);
    const script = [
      'CREATE TABLE "survey_answers" (\n    "id" UUID NOT NULL,\n    "customerId" UUID NOT NULL,\n    "score" INTEGER NOT NULL\n);',
      'ALTER TABLE "survey_answers" ADD COLUMN     "dealId" UUID;',
    ].join('\n\n');
    expect(coreForeignKeys(script, references)).toEqual([
      'ALTER TABLE "survey_answers" ADD CONSTRAINT "survey_answers_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE CASCADE ON UPDATE CASCADE;',
      'ALTER TABLE "survey_answers" ADD CONSTRAINT "survey_answers_dealId_fkey" FOREIGN KEY ("dealId") REFERENCES "Deal"("id") ON DELETE SET NULL ON UPDATE CASCADE;',
    ]);
  });
});
