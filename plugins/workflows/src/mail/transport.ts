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
 * and is tried again (the message was not accepted, so no duplicate can follow).
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
