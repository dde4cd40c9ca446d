// How `sendEmail` steps send: a pluggable transport. SMTP (nodemailer) when `WORKFLOWS_SMTP_URL` is set; a test
// transport that keeps messages in memory for tests; without either, steps fail with a clear error (no mail is ever
// sent by accident).
import nodemailer, { type SendMailOptions } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { PermanentStepError } from '../steps/step-errors.js';

export interface MailMessage {
  from: string;
  to: string;
  subject: string;
  text: string;
  /** Sent as `X-Idempotency-Key`, so that a receiving system can drop a duplicate. */
  idempotencyKey: string;
}

export interface MailTransport {
  send(message: MailMessage): Promise<{ messageId: string }>;
  /**
   * The longest one `send` takes (it gives up then): a step being sent stays claimed this long plus the queue's lease
   * (runs/execute-step.ts), so that no other claim finds it RUNNING while the send may still end. Without it a send
   * must end within the lease (a slower one is then failed as "Interrupted while sending", not sent twice).
   */
  readonly timeoutMs?: number;
}

/** The SMTP transport's time limit for one message, everything included. @default 30000 */
export const SMTP_TIMEOUT_MS = 30_000;
/** The longest limit a timer can hold (2^31 − 1 ms, ~24.8 days): a longer one is cut to it. */
export const MAX_SMTP_TIMEOUT_MS = 2 ** 31 - 1;

export interface SmtpOptions {
  /**
   * The time limit for one message: connecting, the greeting, every command and the server's answer. A whole number
   * ≥ 1 (else `smtpTransport` throws); above 2^31 − 1 ms it is cut to that. @default 30000
   */
  timeoutMs?: number;
}

/** nodemailer's timeouts before anything of the message was sent: trying again cannot deliver it twice. */
const SETUP_TIMEOUTS = new Set(['CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'UPGRADE_TIMEOUT']);

/**
 * SMTP through nodemailer, e.g. `smtp://user:pass@smtp.example.com:587`. A message the server refuses for good (a 5xx
 * reply: an unknown recipient, a refused sender) fails the step at once; a 4xx reply or a connection error may pass
 * and is tried again. A 4xx reply means the message was not accepted. A time limit reached while connecting, waiting
 * for the greeting or upgrading to TLS is tried again (nothing was sent yet); one reached later (the whole message's
 * limit, or a silent connection after the greeting) fails the step for good: the server may have accepted the message
 * (a content filter may answer its 250 late), and a step that may have run is not sent again. A connection dropped by
 * the server after the message's end was sent is still an unknown outcome that is tried again (`X-Idempotency-Key`
 * lets a receiving system drop the copy; SMTP itself has no such check). A 535 (wrong credentials) is a 5xx: every
 * run's step fails for good until the URL is fixed.
 */
export function smtpTransport(url: string, options: SmtpOptions = {}): MailTransport {
  const timeoutMs = validTimeout(options.timeoutMs ?? SMTP_TIMEOUT_MS, 'smtpTransport: timeoutMs');
  // nodemailer's own limits (2 min to connect, 30 s for the greeting, 10 min of silence) each bound one phase; the
  // signal bounds the whole message (it closes the connection). Connecting, the greeting and TLS get half of it,
  // together (nodemailer cuts the greeting's and TLS's limits to what is left of the connection's).
  // `socketCloseTimeout: 0`: a connection given up on is destroyed, not left to close politely.
  const setupMs = Math.ceil(timeoutMs / 2);
  const settings: SMTPTransport.Options & { socketCloseTimeout: number } = {
    url,
    connectionTimeout: setupMs,
    greetingTimeout: setupMs,
    socketTimeout: timeoutMs,
    socketCloseTimeout: 0,
  };
  const transporter = nodemailer.createTransport(settings);
  return {
    timeoutMs,
    async send({ idempotencyKey, ...message }) {
      // `signal` (nodemailer 10) is not in @types/nodemailer 8.
      const mail: SendMailOptions & { signal: AbortSignal } = { ...message, headers: { 'X-Idempotency-Key': idempotencyKey }, signal: AbortSignal.timeout(timeoutMs) };
      try {
        const info = await transporter.sendMail(mail);
        return { messageId: String(info.messageId) };
      } catch (error) {
        const code = (error as { responseCode?: unknown }).responseCode;
        if (typeof code === 'number' && code >= 500) throw new PermanentStepError(`The mail server refused the message: ${(error as Error).message}`);
        const { code: errorCode, timeoutType } = error as { code?: unknown; timeoutType?: unknown };
        if (errorCode === 'ETIMEDOUT' && SETUP_TIMEOUTS.has(String(timeoutType))) {
          throw new Error(`The mail server did not answer within ${setupMs} ms, connecting, greeting and TLS together (${(error as Error).message})`, { cause: error });
        }
        // The whole message's limit (the signal: EABORT) or silence after the greeting: it may have been accepted.
        if (errorCode === 'EABORT' || errorCode === 'ETIMEDOUT') {
          throw new PermanentStepError(
            `The mail server gave no answer within ${timeoutMs} ms; not sent again: the server may have accepted it (${(error as Error).message})`,
          );
        }
        throw error;
      }
    },
  };
}

/** Keeps every message in `sent` (tests read it); sends nothing. */
export function testTransport(): MailTransport & { sent: MailMessage[] } {
  const sent: MailMessage[] = [];
  return {
    sent,
    async send(message) {
      sent.push(message);
      return { messageId: `test-${sent.length}@workflows` };
    },
  };
}

/** Refuses: no transport is configured in this process. */
export const noTransport: MailTransport = {
  send: async () => {
    throw new Error('No mail transport is configured (set WORKFLOWS_SMTP_URL)');
  },
};

/** A time limit in ms: a whole number ≥ 1 (else a clear error naming `what`), cut to what a timer can hold. */
function validTimeout(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${what} must be a whole number of milliseconds ≥ 1, not ${value}`);
  return Math.min(value, MAX_SMTP_TIMEOUT_MS);
}

/** `WORKFLOWS_SMTP_TIMEOUT_MS`: unset or empty gives the default; anything but a whole number ≥ 1 is refused. */
export function smtpTimeoutFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.WORKFLOWS_SMTP_TIMEOUT_MS?.trim();
  if (!raw) return SMTP_TIMEOUT_MS;
  if (!/^\d+$/.test(raw)) throw new Error(`WORKFLOWS_SMTP_TIMEOUT_MS must be a whole number of milliseconds ≥ 1, not "${raw}"`);
  return validTimeout(Number(raw) > Number.MAX_SAFE_INTEGER ? MAX_SMTP_TIMEOUT_MS : Number(raw), 'WORKFLOWS_SMTP_TIMEOUT_MS');
}

export function transportFromEnv(env: NodeJS.ProcessEnv = process.env): MailTransport {
  const timeoutMs = smtpTimeoutFromEnv(env);
  return env.WORKFLOWS_SMTP_URL ? smtpTransport(env.WORKFLOWS_SMTP_URL, { timeoutMs }) : noTransport;
}
