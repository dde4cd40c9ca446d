// Mail addresses as the workflows plugin takes them: a recipient (`sendEmail`'s `to`: checked when a workflow is
// published and when the step sends) and the workspace's sender (`emailFrom`): one address, on a domain the operator
// allows, so that an ADMIN of a workspace cannot send as someone else through the operator's shared mail server.

/** The sender when a workspace sets none (settings.ts); always allowed: it is the operator's own. */
export const DEFAULT_SENDER = 'crm@localhost';

// A recipient's domain may be one label (`ops@localhost`, `alerts@intranet`: internal mail) and internationalised
// (`user@bücher.de`): the mail server resolves it, not us. Labels of letters, digits and inner hyphens.
const LABEL = '[\\p{L}\\p{N}](?:[\\p{L}\\p{N}-]{0,61}[\\p{L}\\p{N}])?';
const RECIPIENT = new RegExp(`^[^\\s@<>",;:\\\\\\p{Cc}]{1,64}@${LABEL}(?:\\.${LABEL})*$`, 'u');

/**
 * Why `text` is not one recipient address, or null: the one rule of `sendEmail`'s `to`, when a workflow is published
 * (a plain value) and when the step sends (a template's value).
 */
export function emailAddressProblem(text: string): string | null {
  if (text.length > 254 || !RECIPIENT.test(text)) return 'one address, `name@domain`';
  return null;
}

/**
 * The domains a workspace's sender may use: `WORKFLOWS_EMAIL_FROM_DOMAINS` (comma-separated), else the default
 * sender's. Read when a sender is checked, so the operator's setting applies without a rebuild.
 */
export function allowedSenderDomains(env: NodeJS.ProcessEnv = process.env): string[] {
  const listed = (env.WORKFLOWS_EMAIL_FROM_DOMAINS ?? '').split(',').map((d) => d.trim().toLowerCase()).filter(Boolean);
  return listed.length ? listed : [DEFAULT_SENDER.split('@')[1]!];
}

/**
 * `Name <local@domain>`, `"Name, Inc." <local@domain>` or `local@domain`: no second address, no header break, no `@`
 * in the name (`"ceo@bank.example" <crm@acme.example>` shows many mail clients ceo@bank.example).
 */
const SENDER = /^(?:(?:"([^"@\\\p{Cc}]{1,100})"|([^"<>,;:@\\\p{Cc}]{1,100}?))\s*<([^<>\s]+)>|([^<>\s",;]+))$/u;
const LOCAL_PART = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}$/;

/** The domain of a well-formed sender, or null when `sender` is not one address (optionally with a name). */
function senderDomain(sender: string): string | null {
  const match = SENDER.exec(sender.trim());
  const address = match?.[3] ?? match?.[4];
  const [local, domain, ...more] = (address ?? '').split('@');
  return match && local && domain && !more.length && LOCAL_PART.test(local) ? domain : null;
}

/**
 * Why `sender` cannot be a workspace's `From` by its form, or null: the stored settings' rule (settings.ts). Its
 * domain is not: the operator's list can change after it was saved, and a read must not lose the workspace's settings.
 */
export function senderProblem(sender: string): string | null {
  return sender === DEFAULT_SENDER || senderDomain(sender) ? null : 'one address, `name@domain` or `Name <name@domain>`';
}

/**
 * Why the operator does not allow `sender`'s domain (now), or null: checked when `emailFrom` is saved
 * (mail/sender-check.ts) and when a `sendEmail` step sends (steps/step-kinds.ts).
 */
export function senderDomainProblem(sender: string): string | null {
  const domain = senderDomain(sender);
  if (sender === DEFAULT_SENDER || !domain) return null;
  const allowed = allowedSenderDomains();
  return allowed.includes(domain.toLowerCase()) ? null : `the operator allows senders on ${allowed.join(', ')} only (not ${domain})`;
}
