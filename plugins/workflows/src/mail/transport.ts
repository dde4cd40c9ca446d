// How `sendEmail` steps send: a pluggable transport. SMTP (nodemailer) when `WORKFLOWS_SMTP_URL` is set; a test
// transport that keeps messages in memory for tests; without either, steps fail with a clear error (no mail is ever
// sent by accident).
import nodemailer from 'nodemailer';

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

/** SMTP through nodemailer, e.g. `smtp://user:pass@smtp.example.com:587`. */
export function smtpTransport(url: string): MailTransport {
  const transporter = nodemailer.createTransport(url);
  return {
    async send({ idempotencyKey, ...message }) {
      const info = await transporter.sendMail({ ...message, headers: { 'X-Idempotency-Key': idempotencyKey } });
      return { messageId: String(info.messageId) };
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
