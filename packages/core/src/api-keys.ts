import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { PrismaClient, Role } from '@crm/db';
import type { RoleGrants } from './permissions/role-grants.js';
import { grantsWrite } from './permissions/role-grants.js';
import type { Session } from './session.js';

/**
 * API keys look like `crm_<prefix>_<secret>`. The prefix finds the row; only a SHA-256 of the whole key is stored,
 * so a key cannot be read back, only revoked and replaced. (SHA-256 is enough: the secret is 190 random bits.)
 */
const KEY_PATTERN = /^crm_([a-z0-9]{12})_([A-Za-z0-9_-]{32})$/;

export interface IssuedApiKey {
  id: string;
  /** The whole key. Shown once; only its hash is kept. */
  apiKey: string;
  prefix: string;
  role: Role;
}

function hashKey(apiKey: string): string {
  return createHash('sha256').update(apiKey).digest('hex');
}

export function generateApiKey(): { apiKey: string; prefix: string; secretHash: string } {
  const prefix = randomBytes(9).toString('base64url').toLowerCase().replace(/[^a-z0-9]/g, '0').slice(0, 12);
  const apiKey = `crm_${prefix}_${randomBytes(24).toString('base64url')}`;
  return { apiKey, prefix, secretHash: hashKey(apiKey) };
}

type KeyClient = Pick<PrismaClient, 'apiKey'>;

export async function issueApiKey(
  db: KeyClient,
  input: { workspaceId: string; name: string; role: Role; customRoleId?: string | null; scopes?: readonly string[]; userId?: string | null; expiresAt?: Date | null },
): Promise<IssuedApiKey> {
  const { apiKey, prefix, secretHash } = generateApiKey();
  const row = await db.apiKey.create({
    data: {
      workspaceId: input.workspaceId,
      name: input.name,
      role: input.role,
      customRoleId: input.customRoleId ?? null,
      scopes: [...(input.scopes ?? [])],
      prefix,
      secretHash,
      userId: input.userId ?? null,
      expiresAt: input.expiresAt ?? null,
    },
  });
  return { id: row.id, apiKey, prefix, role: row.role };
}

/** What decides whether a stored key still opens a session (HTTP, graphql-ws and SSE all use this one rule). */
export interface ApiKeyStanding {
  revokedAt: Date | null;
  expiresAt: Date | null;
  /** The linked user's `active`; null when the key is not linked to a user. */
  userActive: boolean | null;
}

/** Why a key no longer works, or null while it does. */
export function keyEnded(key: ApiKeyStanding, now = Date.now()): 'revoked' | 'expired' | 'user deactivated' | null {
  if (key.revokedAt) return 'revoked';
  if (key.expiresAt && key.expiresAt.getTime() <= now) return 'expired';
  if (key.userActive === false) return 'user deactivated';
  return null;
}

/** The columns {@link keyEnded} needs, as a Prisma select. */
export const keyStandingSelect = { revokedAt: true, expiresAt: true, user: { select: { active: true } } } as const;

/** The columns {@link sessionOfKey} needs, as a Prisma select. */
export const keySessionSelect = {
  id: true,
  workspaceId: true,
  role: true,
  userId: true,
  expiresAt: true,
  scopes: true,
  customRole: { select: { id: true, name: true, grants: true } },
} as const;

interface KeyRow {
  id: string;
  workspaceId: string;
  role: Role;
  userId: string | null;
  expiresAt: Date | null;
  scopes?: string[];
  customRole?: { id: string; name: string; grants: unknown } | null;
}

/**
 * The role a key has for commands that are not about one object (segments, settings): a custom role's is MEMBER
 * when it writes anything and READ_ONLY otherwise; scopes that write nothing make any key READ_ONLY.
 */
function commandRole(key: KeyRow, grants: RoleGrants | null): Role {
  const role = grants ? (grantsWrite(grants) ? 'MEMBER' : 'READ_ONLY') : key.role;
  const scopes = key.scopes ?? [];
  return scopes.length && !scopes.some((scope) => !scope.endsWith(':read')) ? 'READ_ONLY' : role;
}

/** The session a key opens: a key linked to a user acts as that user. */
export function sessionOfKey(key: KeyRow): Session {
  const grants = key.customRole ? (key.customRole.grants as RoleGrants) : null;
  return {
    workspaceId: key.workspaceId,
    role: commandRole(key, grants),
    ...(key.customRole ? { customRole: { id: key.customRole.id, name: key.customRole.name, grants: grants! } } : {}),
    ...(key.scopes?.length ? { scopes: key.scopes } : {}),
    actor: key.userId ? `user:${key.userId}` : `apikey:${key.id}`,
    apiKeyId: key.id,
    ...(key.userId ? { userId: key.userId } : {}),
    expiresAt: key.expiresAt,
  };
}

export interface ApiKeyVerifierOptions {
  /** How long a verified key is trusted without a database look-up. Revocation on this instance is immediate. @default 10000 */
  cacheMs?: number;
  /** `lastUsedAt` is written at most this often per key. @default 60000 */
  touchEveryMs?: number;
}

interface CacheEntry {
  session: Session | null;
  /** The key's row and user, also for a refusal, so that a change to either forgets it. */
  keyId: string | null;
  userId: string | null;
  roleId: string | null;
  expires: number;
}

/**
 * Turns a bearer key into a session. Verified keys are cached briefly so a busy client costs no extra query per
 * request; a revoked key stops working on this instance at once and on others within `cacheMs`.
 */
export class ApiKeyVerifier {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly touched = new Map<string, number>();
  private readonly cacheMs: number;
  private readonly touchEveryMs: number;

  constructor(
    private readonly prisma: PrismaClient,
    options: ApiKeyVerifierOptions = {},
  ) {
    this.cacheMs = options.cacheMs ?? 10_000;
    this.touchEveryMs = options.touchEveryMs ?? 60_000;
  }

  /** The session for a key, or null when the key is malformed, unknown or revoked. */
  async verify(apiKey: string): Promise<Session | null> {
    const match = KEY_PATTERN.exec(apiKey);
    if (!match) return null;
    const hash = hashKey(apiKey);
    const now = Date.now();
    const cached = this.cache.get(hash);
    if (cached && cached.expires > now) {
      if (cached.session) this.touch(cached.session.apiKeyId!, now);
      return cached.session;
    }
    const row = await this.prisma.apiKey.findUnique({
      where: { prefix: match[1]! },
      select: { ...keySessionSelect, secretHash: true, ...keyStandingSelect },
    });
    const valid =
      row !== null &&
      keyEnded({ ...row, userActive: row.user?.active ?? null }, now) === null &&
      timingSafeEqual(Buffer.from(row.secretHash, 'hex'), Buffer.from(hash, 'hex'));
    const session: Session | null = valid ? sessionOfKey(row) : null;
    if (this.cache.size > 10_000) this.cache.clear();
    // An expiring key is trusted from the cache only until it expires.
    const expires = Math.min(now + this.cacheMs, session?.expiresAt?.getTime() ?? Infinity);
    this.cache.set(hash, { session, keyId: row?.id ?? null, userId: row?.userId ?? null, roleId: row?.customRole?.id ?? null, expires });
    if (session) this.touch(row!.id, now);
    return session;
  }

  /** Forget cached verifications of a key (after revoking it). */
  forget(apiKeyId: string): void {
    for (const [hash, entry] of this.cache) if (entry.keyId === apiKeyId) this.cache.delete(hash);
  }

  /** Forget cached verifications of every key linked to a user (after the user changed, e.g. was deactivated). */
  forgetUser(userId: string): void {
    for (const [hash, entry] of this.cache) if (entry.userId === userId) this.cache.delete(hash);
  }

  /** Forget cached verifications of every key with a custom role (after the role changed or was deleted). */
  forgetRole(roleId: string): void {
    for (const [hash, entry] of this.cache) if (entry.roleId === roleId) this.cache.delete(hash);
  }

  private touch(apiKeyId: string, now: number): void {
    const last = this.touched.get(apiKeyId) ?? 0;
    if (now - last < this.touchEveryMs) return;
    this.touched.set(apiKeyId, now);
    this.prisma.apiKey.update({ where: { id: apiKeyId }, data: { lastUsedAt: new Date(now) } }).catch(() => {
      // Best effort: a failed touch must not fail the request.
    });
  }
}
