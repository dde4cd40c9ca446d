import { clvModelSummary, CommandRunner, fitClvModel, systemSession } from '@crm/core';
import { date, id, options } from './args.js';
import type { CliCommand } from './command.js';
import { assertWorkspace } from './workspace.js';

export const analyticsFit: CliCommand = {
  summary: 'fits the lifetime-value model of a workspace now and rewrites every customer’s score',
  usage: '--workspace ID [--as-of DATE]',
  help: [
    'Prints {"modelId","fittedAt","calibrationEnd","customers","repeatCustomers","r","alpha","a","b","p","q","gamma","logLikelihood","converged","durationMs"}.',
    '',
    '  --workspace ID   the workspace (required)',
    '  --as-of DATE     calibration end: purchases up to the end of this day count (default today, UTC)',
  ].join('\n'),
  prepare(argv) {
    const args = options(argv, { workspace: { type: 'string' }, 'as-of': { type: 'string' } });
    const workspaceId = id(args.workspace, 'workspace');
    const asOf = args['as-of'] === undefined ? null : date(args['as-of'], 'as-of');
    return {
      async run(database) {
        await assertWorkspace(database, workspaceId);
        const caller = new CommandRunner({ prisma: database.prisma, timeoutMs: 120_000 }).callerFor({ ...systemSession(workspaceId), actor: 'cli' });
        const model = await fitClvModel(caller, { asOf, trigger: 'cli' });
        const summary = clvModelSummary(model);
        return { ...summary, calibrationEnd: summary.calibrationEnd.slice(0, 10) };
      },
    };
  },
};
