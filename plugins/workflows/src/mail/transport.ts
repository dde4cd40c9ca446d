// How `sendEmail` steps send: a pluggable transport. SMTP (nodemailer) when `WORKFLOWS_SMTP_URL` is set; a test
// transport that keeps messages in memory for tests; without either, steps fail with a clear error (no mail is ever
// sent by accident).
import nodemailer from 'nodemailer';
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
}

/**
 * SMTP through nodemailer, e.g. `smtp://user:pass@smtp.example.com:587`. A message the server refuses for good (a 5xx
 * reply: an unknown recipient, a refused sender) fails the step at once; a 4xx reply or a connection error may pass
 * and is tried again. A 4xx reply means the message was not accepted; a connection that drops (or times out) after the
 * message's end was sent but before the server's 250 reply is an unknown outcome: the server may have accepted it, and
 * the retry can deliver it twice (`X-Idempotency-Key` lets a receiving system drop the copy; SMTP itself has no such
 * check). A 535 (wrong credentials) is a 5xx: every run's step fails for good until the URL is fixed.
 */
export function smtpTransport(url: string): MailTransport {
  const transporter = nodemailer.createTransport(url);
  return {
    async send({ idempotencyKey, ...message }) {
      try {
        const info = await transporter.sendMail({ ...message, headers: { 'X-Idempotency-Key': idempotencyKey } });
        return { messageId: String(info.messageId) };
      } catch (error) {
        const code = (error as { responseCode?: unknown }).responseCode;
        if (typeof code === 'number' && code >= 500) throw new PermanentStepError(`The mail server refused the message: ${(error as Error).message}`);
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

export function transportFromEnv(env: NodeJS.ProcessEnv = process.env): MailTransport {
  return env.WORKFLOWS_SMTP_URL ? smtpTransport(env.WORKFLOWS_SMTP_URL) : noTransport;
}
