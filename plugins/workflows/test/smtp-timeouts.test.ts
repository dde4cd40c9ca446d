// The SMTP transport's time limit (WORKFLOWS_SMTP_TIMEOUT_MS, `smtpTransport(url, { timeoutMs })`): a value that is not
// a whole number ≥ 1 is refused when the plugin is made (the gateway does not start), not turned into the default; one
// longer than a timer can hold (2^31 − 1 ms) is cut to that, so it neither fires at once (2^31) nor throws in the send
// (2^32: ERR_OUT_OF_RANGE).
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { smtpTransport, workflowsPlugin } from '../src/index.js';
import { MAX_SMTP_TIMEOUT_MS, SMTP_TIMEOUT_MS, smtpTimeoutFromEnv, transportFromEnv } from '../src/mail/transport.js';

const received: string[] = [];
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onData(stream, session, callback) {
    stream.on('data', () => {});
    stream.on('end', () => {
      received.push(session.envelope.rcptTo.map((r) => r.address).join(','));
      // Answers after a moment: a limit that fired at once (a timer's overflow) would end the send first.
      setTimeout(() => callback(), 200);
    });
  },
});
let url = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  url = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

it('WORKFLOWS_SMTP_TIMEOUT_MS: unset or empty is the default; a whole number ≥ 1 is taken; anything else is refused by name', () => {
  expect(smtpTimeoutFromEnv({})).toBe(SMTP_TIMEOUT_MS);
  expect(smtpTimeoutFromEnv({ WORKFLOWS_SMTP_TIMEOUT_MS: ' ' })).toBe(SMTP_TIMEOUT_MS);
  expect(smtpTimeoutFromEnv({ WORKFLOWS_SMTP_TIMEOUT_MS: ' 4500 ' })).toBe(4500);
  for (const bad of ['0', '-1', '1.5', '30s', 'abc', '1e4']) {
    expect(() => smtpTimeoutFromEnv({ WORKFLOWS_SMTP_TIMEOUT_MS: bad }), bad).toThrow(
      /^WORKFLOWS_SMTP_TIMEOUT_MS must be a whole number of milliseconds ≥ 1, not /,
    );
  }
  // Refused whether or not an SMTP URL is set: a typo does not wait for the day an email is sent.
  expect(() => transportFromEnv({ WORKFLOWS_SMTP_URL: url, WORKFLOWS_SMTP_TIMEOUT_MS: '0' })).toThrow(/WORKFLOWS_SMTP_TIMEOUT_MS/);
  expect(() => transportFromEnv({ WORKFLOWS_SMTP_TIMEOUT_MS: 'abc' })).toThrow(/WORKFLOWS_SMTP_TIMEOUT_MS/);
});

it('the plugin refuses to be made (the gateway to start) with a bad WORKFLOWS_SMTP_TIMEOUT_MS, unless given its own transport', () => {
  const before = process.env.WORKFLOWS_SMTP_TIMEOUT_MS;
  process.env.WORKFLOWS_SMTP_TIMEOUT_MS = '0';
  try {
    expect(() => workflowsPlugin()).toThrow('WORKFLOWS_SMTP_TIMEOUT_MS must be a whole number of milliseconds ≥ 1, not 0');
    expect(() => workflowsPlugin({ mail: smtpTransport(url) })).not.toThrow();
  } finally {
    if (before === undefined) delete process.env.WORKFLOWS_SMTP_TIMEOUT_MS;
    else process.env.WORKFLOWS_SMTP_TIMEOUT_MS = before;
  }
});

it('smtpTransport refuses a timeoutMs that is not a whole number ≥ 1', () => {
  for (const bad of [0, -5, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    expect(() => smtpTransport(url, { timeoutMs: bad }), String(bad)).toThrow(/^smtpTransport: timeoutMs must be a whole number of milliseconds ≥ 1/);
  }
});

it('a limit past what a timer holds is cut to 2^31 − 1 ms: the message is sent (not aborted at once, no ERR_OUT_OF_RANGE)', async () => {
  expect(smtpTimeoutFromEnv({ WORKFLOWS_SMTP_TIMEOUT_MS: '4294967296' })).toBe(MAX_SMTP_TIMEOUT_MS);
  expect(smtpTimeoutFromEnv({ WORKFLOWS_SMTP_TIMEOUT_MS: '9'.repeat(400) })).toBe(MAX_SMTP_TIMEOUT_MS);
  for (const [i, timeoutMs] of [2 ** 31, 2 ** 32].entries()) {
    const transport = smtpTransport(url, { timeoutMs });
    expect(transport.timeoutMs).toBe(MAX_SMTP_TIMEOUT_MS);
    const to = `long${i}@example.com`;
    await expect(transport.send({ from: 'workflows@localhost', to, subject: 'Hi', text: 'Hello', idempotencyKey: `k${i}` })).resolves.toMatchObject({
      messageId: expect.any(String),
    });
    expect(received).toContain(to);
  }
  // From the environment too.
  const fromEnv = transportFromEnv({ WORKFLOWS_SMTP_URL: url, WORKFLOWS_SMTP_TIMEOUT_MS: String(2 ** 32) });
  expect(fromEnv.timeoutMs).toBe(MAX_SMTP_TIMEOUT_MS);
  await fromEnv.send({ from: 'workflows@localhost', to: 'env@example.com', subject: 'Hi', text: 'Hello', idempotencyKey: 'k-env' });
  expect(received).toContain('env@example.com');
});
