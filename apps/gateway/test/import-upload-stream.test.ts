// The streamed multipart upload (upload/multipart-upload.ts) through HTTP: the GraphQL multipart request spec's edge
// cases, a client that hangs up mid-upload, the streamed byte limit, roles and tenancy.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestClient, type TestGateway, type TestWorkspace } from '../src/testing/index.js';

const IMPORT = `mutation ($file: Upload!, $batchSize: Int, $jobId: ID) {
  importRecords(object: CUSTOMER, file: $file, batchSize: $batchSize, jobId: $jobId) { jobId lines created refused resumedAfter }
}`;
const BOUNDARY = '----crm-upload-test';
const UPLOAD_LIMIT = 256 * 1024;

type Part = { name: string; content: string; fileName?: string };

/** The multipart body of `parts`, in the order given. */
const partText = ({ name, content, fileName }: Part) =>
  `--${BOUNDARY}\r\ncontent-disposition: form-data; name="${name}"${fileName ? `; filename="${fileName}"` : ''}\r\n` +
  `${fileName ? 'content-type: text/csv\r\n' : ''}\r\n${content}\r\n`;
const multipart = (parts: Part[]) => parts.map(partText).join('') + `--${BOUNDARY}--\r\n`;
const operations = (variables: Record<string, unknown>, query = IMPORT) => ({ name: 'operations', content: JSON.stringify({ query, variables }) });
const map = (value: Record<string, string[]>) => ({ name: 'map', content: JSON.stringify(value) });
const csvOf = (prefix: string, count: number) => ['name,email', ...Array.from({ length: count }, (_, i) => `${prefix} ${i},${prefix.toLowerCase()}${i}@stream.test`)].join('\n') + '\n';
/** Few records in many bytes (an ignored column), for tests about size rather than records. */
const bulkyCsvOf = (prefix: string, count: number, padding = 'x'.repeat(2000)) =>
  ['name,email,notes', ...Array.from({ length: count }, (_, i) => `${prefix} ${i},${prefix.toLowerCase()}${i}@stream.test,${padding}`)].join('\n') + '\n';

describe('importRecords: the streamed multipart upload', () => {
  let t: TestGateway;
  let ws: TestWorkspace;
  let other: TestWorkspace;
  let readOnly: TestClient;

  /** Sends a multipart body (a string, or chunks for a body without a Content-Length) and reads the JSON answer. */
  async function send(body: string | AsyncIterable<string>, apiKey = ws.apiKey) {
    const response = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
      body: typeof body === 'string' ? body : (body as unknown as ReadableStream),
      duplex: 'half',
    } as RequestInit);
    return { status: response.status, ...((await response.json()) as { data?: Record<string, any> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] }) };
  }
  const count = async (prefix: string, client = ws.client) =>
    (await client.query(`{ customers(filter: { name: { startsWith: "${prefix}" } }) { totalCount } }`)).customers.totalCount as number;

  beforeAll(async () => {
    t = await startTestGateway({ maxUploadBytes: UPLOAD_LIMIT });
    ws = t.workspace;
    other = await t.createWorkspace('Other');
    readOnly = await t.issueKey(ws.workspaceId, 'READ_ONLY');
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('imports a file sent without a Content-Length, and ignores parts map does not name', async () => {
    async function* chunks() {
      yield partText(operations({ file: null }));
      yield partText(map({ 0: ['variables.file'] }));
      yield partText({ name: 'unused', fileName: 'other.csv', content: csvOf('Unused', 5) });
      const csv = csvOf('Chunked', 200);
      yield partText({ name: '0', fileName: 'chunked.csv', content: '' }).replace(/\r\n$/, '');
      for (let at = 0; at < csv.length; at += 1000) yield csv.slice(at, at + 1000);
      yield `\r\n--${BOUNDARY}--\r\n`;
    }
    const result = await send(chunks());
    expect(result.errors).toBeUndefined();
    expect(result.data?.importRecords).toMatchObject({ lines: 200, created: 200, refused: 0 });
    expect(await count('Chunked')).toBe(200);
    expect(await count('Unused')).toBe(0);
    const job = await t.database.prisma.importJob.findUniqueOrThrow({ where: { id: result.data!.importRecords.jobId } });
    expect(job).toMatchObject({ fileName: 'chunked.csv', status: 'DONE' });
  });

  it('reads two files in any order while the earlier ones are small; one held behind a large unread part is refused', async () => {
    const both = `mutation ($a: Upload!, $b: Upload!) { a: importRecords(object: CUSTOMER, file: $a) { created } b: importRecords(object: CUSTOMER, file: $b) { created } }`;
    const body = (first: Part, second: Part) => multipart([operations({ a: null, b: null }, both), map({ 0: ['variables.a'], 1: ['variables.b'] }), first, second]);
    const inOrder = await send(body({ name: '0', fileName: 'a.csv', content: csvOf('First', 3) }, { name: '1', fileName: 'b.csv', content: csvOf('Second', 4) }));
    expect(inOrder).toMatchObject({ data: { a: { created: 3 }, b: { created: 4 } } });
    expect(inOrder.errors).toBeUndefined();
    const smallFirst = await send(body({ name: '1', fileName: 'b.csv', content: csvOf('Small', 4) }, { name: '0', fileName: 'a.csv', content: csvOf('Then', 3) }));
    expect(smallFirst).toMatchObject({ data: { a: { created: 3 }, b: { created: 4 } } });

    // Part 1 (about 200 kB) fills its buffer before part 0 can arrive: the import of $a is refused, not left waiting.
    const reversed = await send(body({ name: '1', fileName: 'b.csv', content: bulkyCsvOf('Later', 100) }, { name: '0', fileName: 'a.csv', content: csvOf('Sooner', 3) }));
    expect(reversed.errors?.[0]).toMatchObject({ path: ['a'], extensions: { code: 'BAD_USER_INPUT', field: 'file' } });
    expect(reversed.errors?.[0]?.message).toMatch(/order/);
    expect(await count('Sooner')).toBe(0);
  });

  it('refuses malformed requests with BAD_USER_INPUT, before anything is written', async () => {
    const file = { name: '0', fileName: 'x.csv', content: csvOf('Refused', 3) };
    const cases: [string, Part[]][] = [
      ['a file named twice in map', [operations({ file: null, again: null }), map({ 0: ['variables.file', 'variables.again'] }), file]],
      ['a map naming an unknown variable', [operations({ file: null }), map({ 0: ['variables.nope'] }), file]],
      ['a map naming a variable that is not a null placeholder', [operations({ file: 'text' }), map({ 0: ['variables.file'] }), file]],
      ['map before operations', [map({ 0: ['variables.file'] }), operations({ file: null }), file]],
      ['a file before map', [operations({ file: null }), file, map({ 0: ['variables.file'] })]],
      ['operations that are not JSON', [{ name: 'operations', content: '{"query": ' }, map({ 0: ['variables.file'] }), file]],
      ['a missing file part', [operations({ file: null }), map({ 0: ['variables.file'] })]],
      ['a file part of another name', [operations({ file: null }), map({ 0: ['variables.file'] }), { ...file, name: '1' }]],
    ];
    for (const [what, parts] of cases) {
      const result = await send(multipart(parts));
      expect(result.errors?.[0]?.extensions?.code, `${what}: ${JSON.stringify(result.errors)}`).toBe('BAD_USER_INPUT');
      expect(result.status, what).toBeLessThan(500);
    }
    const truncated = await send(`${partText(operations({ file: null }))}${partText(map({ 0: ['variables.file'] }))}--${BOUNDARY}\r\ncontent-disposition: form-data; name="0"; filename="x.csv"\r\n\r\nname,email\nCut,cut@stream.test\n`);
    expect(truncated.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await count('Refused')).toBe(0);
    expect(await count('Cut')).toBe(0);
  });

  it('refuses an upload over MAX_UPLOAD_BYTES: up front by its length (413), or as it streams past it', async () => {
    const big = bulkyCsvOf('Huge', 150);
    expect(big.length).toBeGreaterThan(UPLOAD_LIMIT);
    const whole = await send(multipart([operations({ file: null }), map({ 0: ['variables.file'] }), { name: '0', fileName: 'big.csv', content: big }]));
    expect(whole).toMatchObject({ status: 413, errors: [{ extensions: { code: 'BAD_USER_INPUT' } }] });
    async function* streamed() {
      yield partText(operations({ file: null, batchSize: 100 }));
      yield partText(map({ 0: ['variables.file'] }));
      yield partText({ name: '0', fileName: 'big.csv', content: '' }).replace(/\r\n$/, '');
      for (let at = 0; at < big.length; at += 4096) yield big.slice(at, at + 4096);
      yield `\r\n--${BOUNDARY}--\r\n`;
    }
    const result = await send(streamed()).catch((error: Error) => ({ status: 0, errors: [{ message: String(error.cause ?? error), extensions: {} }] }));
    // The gateway answers as soon as the limit is passed and closes the connection: a client still sending may see
    // the connection closed instead of the answer. Either way, what had been committed is a whole number of batches.
    if (result.status) expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'file' });
    const job = await t.database.prisma.importJob.findFirstOrThrow({ where: { workspaceId: ws.workspaceId, fileName: 'big.csv' } });
    await expect.poll(async () => (await t.database.prisma.importJob.findUniqueOrThrow({ where: { id: job.id } })).status, { timeout: 60_000 }).toBe('FAILED');
    const failed = await t.database.prisma.importJob.findUniqueOrThrow({ where: { id: job.id } });
    expect(failed.committedLine % 100).toBe(0);
    expect(await count('Huge')).toBe(failed.committedLine);
  });

  it('a client that hangs up mid-upload: the batch being read is not written, and the job resumes without duplicates', async () => {
    const lines = csvOf('Aborted', 200).split('\n');
    const request = http.request(`${t.url}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ws.apiKey}`, 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, 'transfer-encoding': 'chunked' },
    });
    request.on('error', () => undefined);
    request.write(partText(operations({ file: null, batchSize: 10 })) + partText(map({ 0: ['variables.file'] })));
    request.write(partText({ name: '0', fileName: 'aborted.csv', content: '' }).replace(/\r\n$/, ''));
    // The header and 95 lines: nine batches of ten commit, the tenth waits for lines that never come.
    request.write(lines.slice(0, 96).join('\n') + '\n');
    const jobOf = () => t.database.prisma.importJob.findFirst({ where: { workspaceId: ws.workspaceId, fileName: 'aborted.csv' } });
    await expect.poll(async () => (await jobOf())?.committedLine, { timeout: 60_000 }).toBe(90);
    request.destroy();
    await expect.poll(async () => (await jobOf())?.status, { timeout: 60_000 }).toBe('FAILED');
    expect(await count('Aborted')).toBe(90);

    const job = (await jobOf())!;
    const resumed = await send(multipart([operations({ file: null, batchSize: 10, jobId: job.id }), map({ 0: ['variables.file'] }), { name: '0', fileName: 'aborted.csv', content: lines.join('\n') }]));
    expect(resumed.errors).toBeUndefined();
    expect(resumed.data?.importRecords).toMatchObject({ jobId: job.id, resumedAfter: 90, lines: 200, created: 200 });
    expect(await count('Aborted')).toBe(200);
    // The gateway still answers.
    expect((await ws.client.query('{ viewer { role } }')).viewer.role).toBe('ADMIN');
  });

  it('roles and tenancy: READ_ONLY is refused and its body discarded; another workspace’s key writes only its own', async () => {
    const body = (prefix: string) => multipart([operations({ file: null }), map({ 0: ['variables.file'] }), { name: '0', fileName: 'roles.csv', content: csvOf(prefix, 50) }]);
    const refused = await send(body('ReadOnly'), readOnly.apiKey!);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await count('ReadOnly')).toBe(0);
    const theirs = await send(body('Theirs'), other.apiKey);
    expect(theirs.data?.importRecords).toMatchObject({ created: 50 });
    expect(await count('Theirs')).toBe(0);
    expect(await count('Theirs', other.client)).toBe(50);
    const theirJob = await t.database.prisma.importJob.findFirstOrThrow({ where: { workspaceId: other.workspaceId } });
    await t.database.prisma.importJob.update({ where: { id: theirJob.id }, data: { status: 'FAILED' } });
    const resumedByUs = await send(multipart([operations({ file: null, jobId: theirJob.id }), map({ 0: ['variables.file'] }), { name: '0', fileName: 'roles.csv', content: csvOf('Theirs', 50) }]));
    expect(resumedByUs.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(await count('Theirs')).toBe(0);
  });
});
