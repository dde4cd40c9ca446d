// Mail addresses as the workflows plugin takes them: a recipient (`sendEmail`'s `to`: checked when a workflow is
// published and when the step sends) and the workspace's sender (`emailFrom`): one address, on a domain the operator
// allows, so that an ADMIN of a workspace cannot send as someone else through the operator's shared mail server.
import { inputFields } from '@crm/plugin-sdk';

/** The sender when a workspace sets none (settings.ts); always allowed: it is the operator's own. */
export const DEFAULT_SENDER = 'crm@localhost';

/** Why `text` is not one email address (core's rule, as for customers' emails), or null. */
export function emailAddressProblem(text: string): string | null {
  const result = inputFields.email.safeParse(text);
  return result.success ? null : result.error.issues[0]!.message;
}

/**
 * The domains a workspace's sender may use: `WORKFLOWS_EMAIL_FROM_DOMAINS` (comma-separated), else the default
 * sender's. Read when a sender is checked, so the operator's setting applies without a rebuild.
 */
export function allowedSenderDomains(env: NodeJS.ProcessEnv = process.env): string[] {
  const listed = (env.WORKFLOWS_EMAIL_FROM_DOMAINS ?? '').split(',').map((d) => d.trim().toLowerCase()).filter(Boolean);
  return listed.length ? listed : [DEFAULT_SENDER.split('@')[1]!];
}

/** `Name <local@domain>`, `"Name, Inc." <local@domain>` or `local@domain`: no second address, no header break. */
const SENDER = /^(?:(?:"([^"\\\p{Cc}]{1,100})"|([^"<>,;:@\\\p{Cc}]{1,100}?))\s*<([^<>\s]+)>|([^<>\s",;]+))$/u;
const LOCAL_PART = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}$/;

/** Why `sender` cannot be a workspace's `From` (one address, optionally with a name, on an allowed domain), or null. */
export function senderProblem(sender: string): string | null {
  if (sender === DEFAULT_SENDER) return null;
  const match = SENDER.exec(sender.trim());
  const address = match?.[3] ?? match?.[4];
  const [local, domain, ...more] = (address ?? '').split('@');
  if (!match || !local || !domain || more.length || !LOCAL_PART.test(local)) return 'one address, `name@domain` or `Name <name@domain>`';
  const allowed = allowedSenderDomains();
  if (!allowed.includes(domain.toLowerCase())) return `the operator allows senders on ${allowed.join(', ')} only (not ${domain})`;
  return null;
}
