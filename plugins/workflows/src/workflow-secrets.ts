// A workflow's two secrets, made in one place: the signing secret of its outgoing HTTP requests, and the token of its
// webhook URL (whoever has the URL may start a run). Rotated apart (graphql/secret-mutations.ts).
import { randomBytes } from 'node:crypto';

/** Signs the workflow's HTTP requests (`x-crm-signature`): 192 random bits, as hex (as it always was). */
export const newSigningSecret = () => randomBytes(24).toString('hex');

/** The secret part of the workflow's webhook URL: 256 random bits, URL-safe (base64url). */
export const newHookToken = () => randomBytes(32).toString('base64url');

/** Both, for a new workflow's row. */
export const newWorkflowSecrets = () => ({ secret: newSigningSecret(), hookToken: newHookToken() });
