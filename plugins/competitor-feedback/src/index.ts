// The competitor feedback plugin, built only on the public SDK: a competitor library, feedback, mentions found in
// activities, deals lost to and won against competitors, defections, and competitive figures.
import { definePlugin } from '@crm/plugin-sdk';
import { closeOnLoss, closeOnWin, reopen } from './deal-outcomes.js';
import { competitorEvents } from './events.js';
import { recordFeedbackAction } from './feedback.js';
import { registerCompetitorInsights } from './graphql/insights.js';
import { registerCompetitorLibrary } from './graphql/library.js';
import { registerCompetitorRecords } from './graphql/records.js';
import { registerCompetitorTypes } from './graphql/types.js';
import { defectionFromChurn, detectMentions } from './mentions.js';
import { competitorUpdate, createCompetitor, nameKey, updateCompetitor } from './library.js';
import { Competitor } from './objects.js';
import { competitorPersonalData } from './personal-data.js';
import { seedCompetitors } from './seed.js';
import { competitorSettings } from './settings.js';

export const competitorFeedback = definePlugin({
  id: 'competitor-feedback',
  version: '1.0.0',
  description: 'Competitor feedback: competitor library, feedback, mentions in activities, deals lost and won against competitors, defections.',
  requires: { core: '^0.1.0' },
  prisma: new URL('../prisma/schema', import.meta.url),
  migrations: new URL('../prisma/migrations', import.meta.url),
  settings: competitorSettings,
  permissions: {
    read: { roles: ['READ_ONLY', 'MEMBER', 'ADMIN'], description: 'See competitors, feedback, mentions and figures' },
    write: { roles: ['MEMBER', 'ADMIN'], description: 'Maintain the library, record feedback, losses and defections' },
  },
  events: competitorEvents,
  objects: [
    {
      ...Competitor,
      // The generic writes (createCompetitors, updateCompetitors, upsertCompetitor(on: NAME), CSV import) run the
      // library's own commands (updates of many: its update rule, through core's declared batch writer). No `delete`: the model has `deletedAt`, so deleteCompetitor(s) move competitors to the
      // trash (with their feedback), and restoreCompetitor, destroyCompetitor and trash(object: COMPETITOR) exist.
      writer: {
        permission: 'write',
        create: (input, scope) => createCompetitor(scope, input),
        update: (id, patch, scope) => updateCompetitor(scope, id, patch),
        // Many at once (updateCompetitors, a workflow's to-many update): the same rule, in a few statements.
        updateRule: competitorUpdate,
        key: (field, value) => (field === 'name' && typeof value === 'string' && value.trim() ? { column: 'nameKey', value: nameKey(value) } : null),
      },
    },
  ],
  graphql(builder, plugin) {
    const types = registerCompetitorTypes(builder, plugin);
    registerCompetitorLibrary(builder, plugin, types);
    registerCompetitorRecords(builder, plugin, types);
    registerCompetitorInsights(builder, plugin, types);
  },
  subscribers: {
    'activity.logged': { detectMentions },
    'customer.stage_changed': { defectionFromChurn },
    'deal.won': { closeOnWin },
    'deal.lost': { closeOnLoss },
    'deal.stage_changed': { reopen },
  },
  actions: { recordFeedback: recordFeedbackAction },
  seed: seedCompetitors,
  personalData: competitorPersonalData,
});

export default competitorFeedback;
export { competitorSettings, type CompetitorSettings } from './settings.js';
export { competitorMatcher } from './matcher.js';
