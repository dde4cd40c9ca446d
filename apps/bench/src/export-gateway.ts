// The gateway process of the export benchmark (forked by export.ts with an IPC channel): serves like `npm start`
// on DATABASE_URL and reports its resident memory (now and peak) when asked.
import { databaseConfigFromEnv, openDatabase } from '@crm/db';
import { createGateway, silentLogger } from '@crm/gateway';

export type ExportGatewayMessage = { kind: 'ready'; url: string } | { kind: 'memory'; rssMb: number; peakRssMb: number };

const database = await openDatabase(databaseConfigFromEnv(), { migrate: false });
const gateway = createGateway({ database, logger: silentLogger, rateLimit: { perMinute: 0 }, clvRefresh: false, monthEndSnapshots: false });
const url = await gateway.listen(0);
const send = (message: ExportGatewayMessage) => process.send?.(message);
send({ kind: 'ready', url });
process.on('message', async (message: { kind: 'memory' | 'stop' }) => {
  if (message.kind === 'memory') {
    // maxRSS: the process's peak resident set, in KiB.
    send({ kind: 'memory', rssMb: Math.round(process.memoryUsage().rss / 1048576), peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) });
  } else {
    await gateway.close(1000);
    await database.close();
    process.exit(0);
  }
});
