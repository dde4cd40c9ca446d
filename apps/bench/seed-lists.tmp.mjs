// throwaway: seeds crm_bench_lists only (not committed)
import { ensureBenchWorkspace, ensurePostgresDatabase, openBenchDatabase } from './dist/bench-database.js';
import { ensureListData, listDataCounts } from './dist/declared-lists-data.js';
const log = (l) => process.stderr.write(`[seed] ${new Date().toISOString()} ${l}\n`);
const benchUrl = await ensurePostgresDatabase('postgres://postgres@127.0.0.1:5432/postgres', 'crm_bench_lists');
const database = await openBenchDatabase({ kind: 'postgres', url: benchUrl }, () => {});
const lists = await ensureBenchWorkspace(database, 10_000, log, 'Benchmark');
const groupBy = await ensureBenchWorkspace(database, 1_000, log, 'Benchmark group-by');
await ensureListData(benchUrl, lists.workspaceId, groupBy.workspaceId, log);
log(JSON.stringify(await listDataCounts(benchUrl, lists.workspaceId, groupBy.workspaceId)));
console.log(JSON.stringify({ lists: lists.workspaceId, groupBy: groupBy.workspaceId, apiKey: lists.apiKey }));
await database.close();
